#!/usr/bin/env python3
"""Re-execute notebooks in place and store deterministic outputs.

    python tools/refresh_notebooks.py notebooks/*.ipynb     (or: make refresh)

For each notebook: run every code cell with nbclient in a fresh python3 kernel of *this*
interpreter's environment (cwd = the notebook's folder, no timing metadata), then

- drop ``metadata.widgets`` and widget views: an output that showed a widget keeps only a
  ``text/plain`` saying `WIDGET_PLACEHOLDER` (what a reader sees before running the cell, in
  place of ``VBox(children=(...``); such cells must be ``nbval-ignore-output`` (warned otherwise),
- apply the rules of ``nbval_sanitize.cfg`` to text outputs (the same rules nbval uses),
- strip ``execution`` timing metadata, number executed cells 1..n,
- write the notebook back with nbformat (indent 1, trailing newline) if it changed.

Running it twice gives byte-identical files. Cells marked for nbval the usual way are honoured:
``nbval-skip`` / ``# NBVAL_SKIP`` cells are not run and are stored without outputs (nbval does not
run them either); an exception is allowed only in ``nbval-raises-exception`` / ``raises-exception``
/ ``# NBVAL_RAISES_EXCEPTION`` cells, any other error leaves the file untouched and exits 1.
MPLBACKEND is removed from the kernel's environment (it would remove figure output).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from buddylab.teach.kernel import current_env_kernel_manager  # a python3 kernel of this interpreter

ROOT = Path(__file__).resolve().parent.parent
SANITIZE_CFG = ROOT / "nbval_sanitize.cfg"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TEXT_MIME = re.compile(r"^text/|^application/(json|javascript)$")
SKIP_TAG = "refresh-notebooks-skip"  # temporary, never written
WIDGET_PLACEHOLDER = ("Run this cell to get the interactive widget "
                      "(the cells above it first: Run > Run All Cells).")

# nbval's markers (nbval/plugin.py: comment_markers / metadata_tags)
SKIP_MARKERS = {"NBVAL_SKIP"}
RAISES_MARKERS = {"NBVAL_RAISES_EXCEPTION"}
IGNORE_MARKERS = {"NBVAL_IGNORE_OUTPUT", "PYTEST_VALIDATE_IGNORE_OUTPUT"}


def _tag(marker: str) -> str:
    return marker.lower().replace("_", "-")


def load_sanitize_patterns(path: Path = SANITIZE_CFG) -> list[tuple[re.Pattern, str]]:
    """Parse a sanitize file exactly as nbval does (later duplicates of a regex win, order kept)."""
    pairs = re.findall(r"^regex: (.*)$\n^replace: (.*)$", path.read_text(encoding="utf-8"),
                       flags=re.MULTILINE)
    return [(re.compile(rx), rep) for rx, rep in dict(pairs).items()]


def sanitize(text: str, patterns) -> str:
    for rx, rep in patterns:
        text = rx.sub(rep, text)
    return text


def cell_markers(cell) -> set[str]:
    """nbval markers of a cell, as tags (``nbval-skip``, ...), from its tags and its comments."""
    found = {t for t in cell.get("metadata", {}).get("tags", []) if isinstance(t, str)}
    for line in cell.get("source", "").splitlines():
        line = line.strip()
        if line.startswith("#"):
            found.add(_tag(line.lstrip("#").strip()))
    return found


def _is(markers: set[str], names: set[str]) -> bool:
    return any(_tag(n) in markers for n in names)


def execute(nb, folder: Path, timeout: int):
    skipped = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and _is(cell_markers(cell), SKIP_MARKERS):
            cell.metadata.setdefault("tags", []).append(SKIP_TAG)
            skipped.append(i)
    km = current_env_kernel_manager()
    client = NotebookClient(
        nb,
        km=km,
        timeout=timeout,
        allow_errors=True,  # checked below against the nbval markers
        record_timing=False,
        coalesce_streams=True,  # as nbval compares them; stream splits depend on timing
        skip_cells_with_tag=SKIP_TAG,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute(cleanup_kc=True)  # shut the kernel down even though we made the manager
    for i in skipped:
        cell = nb.cells[i]
        cell.metadata.tags.remove(SKIP_TAG)
        if not cell.metadata.tags:
            del cell.metadata["tags"]
        cell.outputs = []
        cell.execution_count = None


def clean(nb, patterns, name: str) -> list[str]:
    """Normalise an executed notebook in place; return the unexpected errors."""
    nb.metadata.pop("widgets", None)
    errors = []
    count = 0
    for i, cell in enumerate(nb.cells):
        for key in ("execution", "ExecuteTime"):
            cell.get("metadata", {}).pop(key, None)
        if cell.cell_type != "code":
            continue
        markers = cell_markers(cell)
        if not cell.source.strip() or _is(markers, SKIP_MARKERS):
            cell.outputs = []
            cell.execution_count = None
            continue
        count += 1
        cell.execution_count = count
        outputs = []
        shows_widget = False
        for out in cell.outputs:
            if "data" in out:
                if out.data.pop(WIDGET_VIEW, None) is not None:
                    shows_widget = True
                    out.data = {"text/plain": WIDGET_PLACEHOLDER}
                if not out.data:
                    continue
                for mime, value in out.data.items():
                    if TEXT_MIME.search(mime) and isinstance(value, str):
                        out.data[mime] = sanitize(value, patterns)
            if out.output_type == "execute_result":
                out.execution_count = count
            elif out.output_type == "stream":
                out.text = sanitize(out.text, patterns)
            elif out.output_type == "error":
                out.evalue = sanitize(out.evalue, patterns)
                out.traceback = [sanitize(t, patterns) for t in out.traceback]
                if not (_is(markers, RAISES_MARKERS) or "raises-exception" in markers):
                    errors.append(f"{name}: cell {i} (In [{count}]) raised "
                                  f"{out.ename}: {out.evalue}")
            outputs.append(out)
        cell.outputs = outputs
        if shows_widget and not _is(markers, IGNORE_MARKERS):
            print(f"warning: {name}: cell {i} (In [{count}]) shows a widget, stored as "
                  "its placeholder text: tag it nbval-ignore-output or nbval will fail it",
                  file=sys.stderr)
    return errors


def refresh(path: Path, patterns, timeout: int) -> bool:
    """Refresh one notebook; True on success (written or already up to date)."""
    old = path.read_text(encoding="utf-8")
    nb = nbformat.reads(old, as_version=4)
    execute(nb, path.resolve().parent, timeout)
    errors = clean(nb, patterns, str(path))
    if errors:
        for e in errors:
            print(f"error: {e}", file=sys.stderr)
        print(f"error: {path} left unchanged", file=sys.stderr)
        return False
    nbformat.validate(nb)
    new = nbformat.writes(nb, version=4)  # json, indent 1, sorted keys
    if not new.endswith("\n"):
        new += "\n"
    if new == old:
        print(f"{path}: up to date")
    else:
        path.write_text(new, encoding="utf-8")
        print(f"{path}: refreshed")
    return True


def notebook_args(parser, argv):
    """Add the notebooks and --timeout arguments to `parser`, parse `argv` and remove MPLBACKEND
    from the kernels' environment; None (after saying so) when no notebook was given."""
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)
    if not args.notebooks:
        print("no notebooks given: nothing to do")
        return None
    if os.environ.pop("MPLBACKEND", None) is not None:
        print("note: MPLBACKEND removed from the kernel environment", file=sys.stderr)
    return args


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sanitize-with", type=Path, default=SANITIZE_CFG)
    args = notebook_args(parser, argv)
    if args is None:
        return 0
    patterns = load_sanitize_patterns(args.sanitize_with)
    ok = True
    for path in args.notebooks:
        ok &= refresh(path, patterns, args.timeout)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
