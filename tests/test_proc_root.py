"""Chapters on a machine without /proc: buddylab.host.proc_root() and the snapshot it falls
back on (buddylab/data/proc_618, shipped with the package).

The chapter test runs chapters 00, 01 and 04 top to bottom in a real kernel with the live
/proc replaced by a missing directory: every cell that reads /proc must say it shows the
snapshot, and no cell may raise (chapter 04 used to stop at Machine.from_host() with
LayoutError: cannot read /proc/zoneinfo).  About 12 s.
"""

import filecmp
import os
import pathlib

import pytest

import buddylab as bl
from buddylab import host as H
from buddylab.errors import LayoutError

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "proc_618"
MISSING = "/nonexistent-buddylab-proc"


def _tree(path):
    return sorted(str(p.relative_to(path)) for p in pathlib.Path(path).rglob("*") if p.is_file())


@pytest.mark.parametrize("shipped,fixture", [(H.SNAPSHOT, FIXTURE),
                                              (H.SNAPSHOT_418, FIXTURE.parent / "proc_418")])
def test_snapshot_is_the_fixture_byte_for_byte(shipped, fixture):
    """One machine's files, twice: a shipped snapshot may not drift from its test fixture."""
    assert _tree(shipped) == _tree(fixture)
    match, mismatch, errors = filecmp.cmpfiles(shipped, fixture, _tree(fixture), shallow=False)
    assert (mismatch, errors) == ([], [])


def test_missing_root_falls_back_to_the_snapshot_and_says_so(capsys):
    assert H.proc_root("zoneinfo", "buddyinfo", root=MISSING) == H.SNAPSHOT
    out = capsys.readouterr().out
    assert out.startswith(MISSING + "/zoneinfo is not readable here")
    assert "snapshot shipped with buddylab" in out


def test_a_readable_root_is_kept(tmp_path, capsys):
    assert H.proc_root("zoneinfo", "buddyinfo", root=FIXTURE) == str(FIXTURE)
    assert capsys.readouterr().out == "reading %s: this machine\n" % FIXTURE


def test_one_missing_file_is_enough_to_fall_back(tmp_path, capsys):
    (tmp_path / "buddyinfo").write_text((FIXTURE / "buddyinfo").read_text())
    assert H.proc_root("buddyinfo", root=tmp_path) == str(tmp_path)
    assert H.proc_root("buddyinfo", "pagetypeinfo", root=tmp_path) == H.SNAPSHOT
    assert "%s is not readable" % (tmp_path / "pagetypeinfo") in capsys.readouterr().out


def test_a_directory_is_not_a_readable_file(tmp_path):
    (tmp_path / "zoneinfo").mkdir()
    assert H.proc_root(root=tmp_path) == H.SNAPSHOT


def test_bad_root_is_a_layout_error():
    with pytest.raises(LayoutError, match="root must be a directory path"):
        H.proc_root(root=b"/proc")


def test_the_snapshot_builds_the_618_machine():
    # Values read by hand from tests/fixtures/proc_618/zoneinfo ("managed" of DMA32 and
    # Normal) and sys/vm/min_free_kbytes.
    m = bl.Machine.from_host(H.proc_root(root=MISSING))
    assert m.zone(0, "DMA32").managed_pages == 772917
    assert m.zone(0, "Normal").managed_pages == 163840
    assert m.min_free_kbytes == 67584


CHAPTERS = ["00_start_here.ipynb", "01_free_page_organisation.ipynb", "04_nodes_and_zones.ipynb"]


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_runs_top_to_bottom_without_proc(name):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from buddylab.teach.kernel import current_env_kernel_manager

    path = ROOT / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "import buddylab.host\nbuddylab.host.LIVE_PROC = %r" % MISSING))
    env_backend = os.environ.pop("MPLBACKEND", None)   # as tools/refresh_notebooks.py
    try:
        nbclient.NotebookClient(nb, km=current_env_kernel_manager(), timeout=300,
                                allow_errors=True,
                                resources={"metadata": {"path": str(path.parent)}}
                                ).execute(cleanup_kc=True)
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    code = [c for c in nb.cells if c.cell_type == "code"]
    errors = ["%s: %s" % (o.ename, o.evalue) for c in code for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    proc_cells = [c for c in code if "proc_root(" in c.source]
    assert proc_cells, "%s has no cell calling proc_root()" % name
    for cell in proc_cells:
        text = "".join(o.get("text", "") for o in cell.outputs)
        assert "is not readable here: showing the snapshot shipped with buddylab" in text, text
        assert "reading /proc" not in text


def test_no_chapter_reads_the_live_proc_directly():
    """Every /proc read of every chapter goes through proc_root() (a literal "/proc/..." path
    or a bare from_host() would fail on a machine without /proc)."""
    nbformat = pytest.importorskip("nbformat")
    direct = []
    for path in sorted((ROOT / "notebooks").glob("0*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and any(
                    s in cell.source for s in ('"/proc', "'/proc", "from_host()")):
                direct.append("%s cell %s" % (path.name, cell.get("id")))
    assert direct == []


def test_pyproject_ships_every_snapshot_file():
    """Each file under buddylab/data matches a package-data glob of pyproject.toml, so a wheel
    (checked by hand: pip wheel . lists all eight) carries the snapshot proc_root() returns."""
    import fnmatch
    import tomllib
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["buddylab"]
    pkg = ROOT / "buddylab"
    files = [str(p.relative_to(pkg)) for p in (pkg / "data").rglob("*") if p.is_file()]
    assert "data/proc_618/zoneinfo" in files and "data/proc_418/zoneinfo" in files
    assert [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)] == []
