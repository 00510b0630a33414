"""tools/build_html.py (`make html`): one HTML page per chapter, widgets as static pictures.

The full build re-executes every chapter (~2 min); here one small chapter is executed and the
others are converted as saved (--no-execute, a few seconds for all seven)."""

import importlib.util
import pathlib
import re

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbconvert")

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_html", ROOT / "tools" / "build_html.py")
build_html = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_html)

CHAPTERS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
PNG = "iVBORw0KGgo="


def test_every_chapter_gets_a_page(tmp_path):
    """main() writes one page per chapter and an index linking each; no page says
    "Run this cell" (the saved placeholder), chapter links point to pages, not notebooks."""
    assert build_html.main(["--no-execute", "--out", str(tmp_path)] + [str(p) for p in CHAPTERS]) == 0
    pages = sorted(p.name for p in tmp_path.glob("0*.html"))
    assert pages == [p.stem + ".html" for p in CHAPTERS] and len(pages) == 8      # chapters 00-07
    index = (tmp_path / "index.html").read_text()
    assert all('href="%s"' % name in index for name in pages)
    for name in pages:
        text = (tmp_path / name).read_text()
        assert "Run this cell" not in text, name
        assert not re.search(r'href="0\d_\w+\.ipynb', text), name
    start = (tmp_path / "00_start_here.html").read_text()
    assert 'href="01_free_page_organisation.html' in start
    assert "buddylab-static-widget" in start


def test_an_executed_chapter_shows_each_widget_as_its_first_picture(tmp_path):
    """Executed, a widget becomes the figure it drew (an embedded PNG) under the live-widget note."""
    page = build_html.convert(ROOT / "notebooks" / "00_start_here.ipynb", tmp_path).read_text()
    blocks = page.split('class="buddylab-static-widget"')[1:]
    assert blocks, "chapter 00 has a widget"
    first = blocks[0].split('<div class="jp-Cell ')[0]
    assert 'src="data:image/png;base64,' in first
    assert "JupyterLab" in first and "Traceback" not in page


def test_widget_html_from_recorded_state():
    """Boxes nest, an Output shows its image and text, HTML its value, a control its
    description and value (a selection slider its label, not its index), a button is disabled."""
    ctl = "@jupyter-widgets/controls"
    state = {
        "box": {"model_name": "VBoxModel", "model_module": ctl,
                "state": {"children": ["IPY_MODEL_row", "IPY_MODEL_out"]}},
        "row": {"model_name": "HBoxModel", "model_module": ctl,
                "state": {"children": ["IPY_MODEL_sl", "IPY_MODEL_btn", "IPY_MODEL_gone"]}},
        "sl": {"model_name": "SelectionSliderModel", "model_module": ctl,
               "state": {"description": "order", "_options_labels": ["0", "1", "2"], "index": 2}},
        "btn": {"model_name": "ButtonModel", "model_module": ctl,
                "state": {"description": "allocate"}},
        "out": {"model_name": "OutputModel", "model_module": "@jupyter-widgets/output",
                "state": {"outputs": [
                    {"output_type": "stream", "name": "stdout", "text": "nr_free <4>\n"},
                    {"output_type": "display_data", "data": {"image/png": PNG,
                                                              "text/plain": "<Figure>"}}]}},
    }
    out = build_html.widget_html("box", state)
    assert out.index("order 2") < out.index("<button disabled>allocate</button>") < out.index(
        "nr_free &lt;4&gt;") < out.index('src="data:image/png;base64,' + PNG)
    assert "flex-direction:column" in out and "flex-direction:row" in out
    assert build_html.widget_html("missing", state) == ""


def test_staticize_replaces_live_views_and_placeholders():
    nb = nbformat.v4.new_notebook()
    view = {"model_id": "h", "version_major": 2}
    nb.cells = [nbformat.v4.new_code_cell("w", outputs=[
        nbformat.v4.new_output("display_data", data={build_html.refresh.WIDGET_VIEW: view,
                                                     "text/plain": "HTML(value='x')"}),
        nbformat.v4.new_output("display_data",
                               data={"text/plain": build_html.refresh.WIDGET_PLACEHOLDER})])]
    nb.metadata["widgets"] = {build_html.WIDGET_STATE: {"state": {"h": {
        "model_name": "HTMLModel", "model_module": "@jupyter-widgets/controls",
        "state": {"value": "<b>free lists</b>"}}}}}
    build_html.staticize_widgets(nb)
    first, second = (o["data"] for o in nb.cells[0].outputs)
    assert list(first) == ["text/html"] and "<b>free lists</b>" in first["text/html"]
    assert list(second) == ["text/html"] and build_html.LIVE_NOTE in second["text/html"]
    assert "widgets" not in nb.metadata
