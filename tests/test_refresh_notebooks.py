"""tools/refresh_notebooks.py: a saved widget cell says "run this cell", not VBox(children=...)."""

import importlib.util
import pathlib
import re

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("refresh_notebooks",
                                               ROOT / "tools" / "refresh_notebooks.py")
refresh = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refresh)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_REPR = re.compile(r"^[A-Z]\w*\((children|value|description)=")


def _executed(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def _widget_output(text):
    return nbformat.v4.new_output("display_data", data={
        "text/plain": text, WIDGET_VIEW: {"model_id": "0" * 32, "version_major": 2}})


def test_widget_output_becomes_the_placeholder(capsys):
    cell = nbformat.v4.new_code_cell("w", metadata={"tags": ["nbval-ignore-output"]})
    cell.outputs = [_widget_output("VBox(children=(IntSlider(value=0),))"),
                    nbformat.v4.new_output("stream", name="stdout", text="plain text\n")]
    nb = _executed(cell)
    assert refresh.clean(nb, [], "nb") == []
    assert "widgets" not in nb.metadata
    widget, stream = cell.outputs
    assert dict(widget.data) == {"text/plain": refresh.WIDGET_PLACEHOLDER}
    assert refresh.WIDGET_PLACEHOLDER.startswith("Run this cell to get the interactive widget")
    assert stream.text == "plain text\n"          # other outputs untouched
    assert capsys.readouterr().err == ""


def test_a_widget_cell_nbval_would_compare_is_warned(capsys):
    cell = nbformat.v4.new_code_cell("w")
    cell.outputs = [_widget_output("IntProgress(value=0)")]
    refresh.clean(_executed(cell), [], "nb")
    assert "tag it nbval-ignore-output" in capsys.readouterr().err


def test_a_plain_output_is_not_a_widget():
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "42"},
                                           execution_count=1)]
    refresh.clean(_executed(cell), [], "nb")
    assert cell.outputs[0].data["text/plain"] == "42"


def test_saved_chapters_show_the_placeholder_not_a_widget_repr():
    """Every chapter was refreshed with the rule above: no stored widget repr is left, and each
    stored placeholder sits in a cell nbval does not compare."""
    found = 0
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for out in cell.get("outputs", []):
                text = out.get("data", {}).get("text/plain", "")
                where = "%s cell %s" % (path.name, cell.get("id"))
                assert not WIDGET_REPR.match(text), where + " stores a widget repr"
                assert WIDGET_VIEW not in out.get("data", {}), where
                if text == refresh.WIDGET_PLACEHOLDER:
                    found += 1
                    assert "nbval-ignore-output" in cell.metadata.get("tags", []), where
    assert found >= 7     # at least one widget in chapters 01-06 (ch06 has two)
