#!/usr/bin/env python3
"""The chapter list of buddylab, and the navigation cells generated from it.

    python notebooks/chapters.py --update     rewrite the generated cells of every chapter
    python notebooks/chapters.py              print the chapter map (markdown)

This file is the only place that lists the chapters.  Notebooks do not import it (nbval
compares cell outputs, so navigation lives in markdown cells, not in printed output);
``--update`` rewrites the markdown cells that start with one of the markers below:

- ``<!-- nav -->``       previous | contents | next (each chapter has one at the top and one
                         at the bottom; a chapter without them gets them after its title cell
                         and at its end);
- ``<!-- contents -->``  the bilingual chapter map (in 00_start_here.ipynb only);

and the chapter table of the README, between ``<!-- chapters:begin ...-->`` and
``<!-- chapters:end -->`` (tests/test_readme.py checks that it is up to date).

A chapter whose notebook does not exist yet is shown as "coming", without a link.
Run it again whenever a chapter is added; it only touches markdown, so the stored outputs
stay valid.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (number, file, English title, Chinese title: the study note's section heading)
CHAPTERS = [
    (0, "00_start_here.ipynb", "Start here", "从这里开始"),
    (1, "01_free_page_organisation.ipynb", "Organisation of free page frames", "空闲页框的组织"),
    (2, "02_allocation_and_freeing.ipynb", "Allocation and freeing", "页框分配和释放算法"),
    (3, "03_per_cpu_pages.ipynb", "The per-CPU page cache", "每cpu页框高速缓存"),
    (4, "04_nodes_and_zones.ipynb", "Node and zone selection", "node和zone的选择"),
    (5, "05_allocation_interface.ipynb", "The allocation interface", "页框分配接口"),
    (6, "06_buddy_problems.ipynb", "The buddy system's problems", "buddy的问题"),
    (7, "07_modern_kernel.ipynb", "What changed since 2018", "今天的内核：2018年以来的变化"),
]

# The figure the README's chapter map shows beside each chapter: a file `make figures` writes
# into figures/ (its thumbnail in figures/thumbs/).
KEY_FIGURES = {
    0: "free_area_tiny.png",
    1: "memmap_tiny.png",
    2: "fallback_tiny.png",
    3: "pcp_timeline.png",
    4: "watermarks.png",
    5: "gfp_decisions.png",
    6: "antifrag_tiny.png",
    7: "kernels_pair.png",
}

NAV_MARK = "<!-- nav -->"
CONTENTS_MARK = "<!-- contents -->"
CONTENTS_ANCHOR = "chapter-map"
README = HERE.parent / "README.md"
README_BEGIN = "<!-- chapters:begin"
README_END = "<!-- chapters:end -->"


def exists(n: int, folder: Path = HERE) -> bool:
    """Is chapter n's notebook written yet?"""
    return (folder / CHAPTERS[n][1]).exists()


def _label(n: int) -> str:
    num, _, en, zh = CHAPTERS[n]
    return "%02d %s · %s" % (num, en, zh)


def _link(n: int, text: str, folder: Path) -> str:
    return "[%s](%s)" % (text, CHAPTERS[n][1]) if exists(n, folder) else "%s (coming)" % text


def nav(n: int, folder: Path = HERE) -> str:
    """The navigation line of chapter n: previous | contents | next, as markdown."""
    if not 0 <= n < len(CHAPTERS):
        raise ValueError("no chapter %r: chapters are 0..%d" % (n, len(CHAPTERS) - 1))
    parts = []
    if n > 0:
        parts.append("← " + _link(n - 1, _label(n - 1), folder))
    parts.append("[Contents](%s#%s)" % (CHAPTERS[0][1], CONTENTS_ANCHOR))
    if n + 1 < len(CHAPTERS):
        parts.append(_link(n + 1, _label(n + 1), folder) + " →")
    return " | ".join(parts)


def contents(folder: Path = HERE, link_prefix: str = "", figures: str = "") -> str:
    """The chapter map as a markdown table (English and Chinese titles); with `figures` (the
    path of figures/, as the README sees it) a last column shows each chapter's key figure as
    a thumbnail linking to the full one."""
    head, rule = "| # | chapter | 章节 | notebook |", "| --- | --- | --- | --- |"
    if figures:
        head, rule = head + " key figure |", rule + " --- |"
    rows = [head, rule]
    for num, fname, en, zh in CHAPTERS:
        nb = "[%s](%s%s)" % (fname, link_prefix, fname) if exists(num, folder) else "coming"
        row = "| %02d | %s | %s | %s |" % (num, en, zh, nb)
        if figures:
            fig = KEY_FIGURES[num]
            row += " [![%s](%sthumbs/%s)](%s%s) |" % (fig[:-4], figures, fig, figures, fig)
        rows.append(row)
    return "\n".join(rows)


def readme_table(folder: Path = HERE) -> str:
    """The README's chapter map: links into notebooks/, key figures from figures/."""
    return contents(folder, link_prefix="notebooks/", figures="figures/")


def _nav_cell(n: int, folder: Path) -> str:
    return NAV_MARK + "\n" + nav(n, folder)


def _contents_cell(folder: Path) -> str:
    return (CONTENTS_MARK + "\n" + '<a id="%s"></a>\n\n' % CONTENTS_ANCHOR
            + "## Chapter map · 章节\n\n" + contents(folder))


def update_notebook(path: Path, n: int) -> bool:
    """Rewrite the generated cells of one chapter; True if the file changed."""
    import nbformat

    old = path.read_text(encoding="utf-8")
    nb = nbformat.reads(old, as_version=4)
    folder = path.parent
    navs = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith(NAV_MARK)]
    if not navs:
        top = nbformat.v4.new_markdown_cell(_nav_cell(n, folder))
        bottom = nbformat.v4.new_markdown_cell(_nav_cell(n, folder))
        top.id, bottom.id = "nav-top", "nav-bottom"
        nb.cells.insert(1, top)
        nb.cells.append(bottom)
    for c in nb.cells:
        if c.cell_type != "markdown":
            continue
        if c.source.startswith(NAV_MARK):
            c.source = _nav_cell(n, folder)
        elif c.source.startswith(CONTENTS_MARK):
            c.source = _contents_cell(folder)
    new = nbformat.writes(nb, version=4)
    if not new.endswith("\n"):
        new += "\n"
    if new == old:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def readme_block(text: str) -> tuple[int, int]:
    """The (start, end) offsets of the generated chapter table inside the README text."""
    begin = text.index(README_BEGIN)
    start = text.index("\n", begin) + 1
    return start, text.index(README_END, start)


def update_readme(path: Path = README, folder: Path = HERE) -> bool:
    """Rewrite the README's chapter table; True if the file changed."""
    text = path.read_text(encoding="utf-8")
    start, end = readme_block(text)
    new = text[:start] + readme_table(folder) + "\n" + text[end:]
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def update(folder: Path = HERE) -> list[str]:
    """Rewrite every generated cell and the README's chapter table; return the files changed."""
    changed = ["README.md"] if README.exists() and update_readme(README, folder) else []
    for num, fname, _, _ in CHAPTERS:
        path = folder / fname
        if path.exists() and update_notebook(path, num):
            changed.append(fname)
    return changed


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--update"]:
        changed = update()
        print("updated: " + ", ".join(changed) if changed else "navigation up to date")
        return 0
    if argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    print(contents())
    return 0


if __name__ == "__main__":
    sys.exit(main())
