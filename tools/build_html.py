#!/usr/bin/env python3
"""Static HTML of every chapter with its outputs, for reading without installing anything.

    python tools/build_html.py notebooks/*.ipynb            (or: make html; into build/html/)
    python tools/build_html.py --no-execute notebooks/00_start_here.ipynb

For each notebook: run it as `make refresh` does (tools/refresh_notebooks.py's `execute`: a fresh
kernel of this environment, cwd = the notebook's folder), then write ``OUT/<name>.html`` with
nbconvert's HTMLExporter (the ``lab`` template, images embedded, so one file per chapter is all
a reader needs), and an ``index.html`` linking the chapters.

A widget needs a live kernel, so the HTML shows each one as a **static picture** of its first
state instead: the figures and text it drew (the state of its Output and HTML widgets, which
nbclient records) and its controls as disabled look-alikes, under a line saying how to get the
live widget.  With ``--no-execute`` the notebooks are converted as saved: a widget is then only
that line (the saved files carry no widget state; refresh_notebooks.py stores a placeholder).

Links between chapters (``NN_name.ipynb``) point to their HTML pages, links to ``../README.md``
to the README of the checkout.  Nothing here is committed: build/ is a build folder.
"""

from __future__ import annotations

import argparse
import functools
import html
import os
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import refresh_notebooks as refresh  # noqa: E402  (execute, WIDGET_VIEW, WIDGET_PLACEHOLDER)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "build" / "html"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LIVE_NOTE = ("A widget: this page shows the picture it drew first; its controls do nothing here. "
             "To use it, run the chapter in JupyterLab (<code>make lab</code>) or on Binder or a "
             "JupyterHub (see the README).")
CHAPTER_LINK = re.compile(r"\]\((\d\d_[\w-]+)\.ipynb")
README_LINK = re.compile(r"\]\(\.\./README\.md")
PRE = '<pre style="font-family:monospace;white-space:pre;margin:0">%s</pre>'
BOX = {"VBoxModel": "column", "BoxModel": "column", "GridBoxModel": "row", "HBoxModel": "row",
       "AccordionModel": "column", "TabModel": "column"}


def _ref(child):
    """'IPY_MODEL_<id>' -> '<id>'."""
    return child[len("IPY_MODEL_"):] if isinstance(child, str) else None


def _output_html(out):
    """One output of an Output widget (or a cell), as HTML."""
    if out.get("output_type") == "stream":
        return PRE % html.escape(out.get("text", ""))
    data = out.get("data", {})
    if "image/png" in data:
        return '<img src="data:image/png;base64,%s" style="max-width:100%%">' % (
            "".join(data["image/png"]).strip())
    if "text/html" in data:
        return "".join(data["text/html"])
    if "text/plain" in data:
        return PRE % html.escape("".join(data["text/plain"]))
    return ""


def _control_html(name, st):
    """A disabled look-alike of a control: its description and current value."""
    desc = html.escape(str(st.get("description", "")))
    labels = st.get("_options_labels")
    if labels is not None:
        idx = st.get("index")
        value = labels[idx] if isinstance(idx, int) and 0 <= idx < len(labels) else ""
    else:
        value = st.get("value", "")
    if name in ("ButtonModel",):
        return "<button disabled>%s</button>" % desc
    if name == "PlayModel":
        return "<button disabled>&#9654;</button>"
    if name in ("IntProgressModel", "FloatProgressModel"):
        return '%s <progress value="%s" max="%s"></progress>' % (desc, value, st.get("max", 100))
    text = "%s %s" % (desc, html.escape(str(value)))
    return '<span style="border:1px solid #bbb;border-radius:3px;padding:1px 6px;">%s</span>' % (
        text.strip() or html.escape(name[:-5]))


def widget_html(model_id, state, depth=0):
    """A static picture of widget `model_id` from the recorded widget `state` (model id ->
    {"model_name", "state"}); the empty string for a model that is not there."""
    entry = state.get(model_id)
    if entry is None or depth > 50:
        return ""
    name, st = entry.get("model_name", ""), entry.get("state", {})
    if name in BOX:
        parts = [widget_html(_ref(c), state, depth + 1) for c in st.get("children", [])]
        return ('<div style="display:flex;flex-direction:%s;flex-wrap:wrap;gap:4px;'
                'align-items:flex-start">%s</div>' % (BOX[name], "".join(p for p in parts if p)))
    if name == "OutputModel":
        return "<div>%s</div>" % "".join(_output_html(o) for o in st.get("outputs", []))
    if name in ("HTMLModel", "HTMLMathModel"):
        return "<div>%s</div>" % st.get("value", "")
    if name == "LabelModel":
        return "<span>%s</span>" % html.escape(str(st.get("value", "")))
    if name.endswith("Model") and entry.get("model_module") == "@jupyter-widgets/controls":
        return _control_html(name, st)
    return ""


def _static(inner):
    return ('<div class="buddylab-static-widget" style="border:1px dashed #888;padding:6px;'
            'margin:4px 0"><p style="font-style:italic;margin:0 0 6px 0">%s</p>%s</div>'
            % (LIVE_NOTE, inner))


def staticize_widgets(nb):
    """Replace every widget output (live view or saved placeholder) by its static picture."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            view = data.get(refresh.WIDGET_VIEW)
            if view is not None:
                out["data"] = {"text/html": _static(widget_html(view.get("model_id"), state))}
            elif data.get("text/plain") == refresh.WIDGET_PLACEHOLDER:
                out["data"] = {"text/html": _static("")}
    nb.metadata.pop("widgets", None)


def relink(nb, out_dir: Path):
    """Chapter links to their .html pages; ../README.md to the checkout's README."""
    readme = os.path.relpath(ROOT / "README.md", out_dir).replace(os.sep, "/")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            src = CHAPTER_LINK.sub(r"](\1.html", cell.source)
            cell.source = README_LINK.sub("](" + readme, src)


@functools.lru_cache(maxsize=None)
def _exporter():
    """One HTMLExporter for every chapter (as nbconvert's command line does): its Jinja
    templates are compiled once, not once per chapter."""
    from nbconvert import HTMLExporter
    return HTMLExporter(template_name="lab", embed_images=True)


def convert(path: Path, out_dir: Path, execute=True, timeout=600) -> Path:
    """Write out_dir/<name>.html for notebook `path`; returns its path."""
    nb = nbformat.read(path, as_version=4)
    if execute:
        refresh.execute(nb, path.resolve().parent, timeout)
    staticize_widgets(nb)
    relink(nb, out_dir)
    body, _ = _exporter().from_notebook_node(
        nb, resources={"metadata": {"name": path.stem}})
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (path.stem + ".html")
    target.write_text(body, encoding="utf-8")
    return target


def _title(path: Path) -> str:
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def write_index(paths, out_dir: Path) -> Path:
    items = "".join('<li><a href="%s.html">%s</a></li>' % (p.stem, html.escape(_title(p)))
                    for p in paths)
    target = out_dir / "index.html"
    target.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>buddylab</title>'
                      "</head><body><h1>buddylab: the chapters with their outputs</h1><ul>%s"
                      "</ul></body></html>\n" % items, encoding="utf-8")
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-execute", action="store_true",
                        help="convert the saved outputs (widgets become a note only)")
    args = refresh.notebook_args(parser, argv)
    if args is None:
        return 0
    out = args.out.resolve()
    for path in args.notebooks:
        print(convert(path, out, execute=not args.no_execute, timeout=args.timeout))
    print(write_index(args.notebooks, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
