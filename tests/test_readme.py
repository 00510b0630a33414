"""The README tells the truth: its commands, its chapter map and its kernel mapping table."""

import contextlib
import importlib
import importlib.util
import io
import re
from pathlib import Path

import pytest

import buddylab
from buddylab.memmap import MemMap
from buddylab.node import PglistData
from buddylab.pcp import PerCpuPages
from buddylab.zone import Zone

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAPPING_HEADER = "| kernel name | file | v4.18 | buddylab name | simplification |"

# Every kernel name the mapping table must cover (the foundation issue's list).
REQUIRED_KERNEL_NAMES = """
free_area nr_free free_list __rmqueue_smallest expand __free_one_page __find_buddy_pfn
page_is_buddy fallbacks __rmqueue_fallback find_suitable_fallback can_steal_fallback
steal_suitable_fallback move_freepages_block __rmqueue reserve_highatomic_pageblock
unreserve_highatomic_pageblock per_cpu_pages rmqueue_pcplist rmqueue_bulk free_unref_page
free_pcppages_bulk drain_pages_zone drain_all_pages zone_batchsize pageset_set_batch
pageset_set_high build_zonelists find_next_best_node _zonerefs gfp_zone GFP_ZONE_TABLE
gfpflags_to_migratetype gfp_to_alloc_flags __zone_watermark_ok zone_watermark_fast
__setup_per_zone_wmarks setup_per_zone_lowmem_reserve init_per_zone_wmark_min
get_page_from_freelist rmqueue __alloc_pages_nodemask __alloc_pages_slowpath alloc_pages
alloc_page alloc_pages_node __get_free_pages __get_free_page get_zeroed_page __get_dma_pages
__free_pages __free_page free_pages free_page page_address virt_to_page MAX_ORDER
pageblock_order page_group_by_mobility_disabled mm_page_alloc mm_page_free
mm_page_alloc_zone_locked mm_page_pcpu_drain mm_page_alloc_extfrag /proc/buddyinfo
/proc/pagetypeinfo /proc/zoneinfo
""".split()


def _load_chapters():
    spec = importlib.util.spec_from_file_location("chapters", ROOT / "notebooks" / "chapters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


chapters = _load_chapters()


def _cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


MODERN_SECTION = "## The modern profile (Linux v6.18)"


def mapping_rows(section=None):
    """The rows of the kernel mapping table (or of the first table after `section`), as lists
    of 5 cells."""
    lines = README.splitlines()
    if section is None:
        start = lines.index(MAPPING_HEADER)
    else:
        start = next(i for i in range(lines.index(section), len(lines))
                     if lines[i].startswith("| kernel name | file |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        # a literal '|' inside backticks (a GFP combination) is not a column separator
        cells = _cells(re.sub(r"`[^`]*`", lambda m: m.group(0).replace("|", "¦"), line))
        assert len(cells) == 5, "mapping table row without 5 columns: %s" % line
        rows.append(cells)
    return rows


def _booted_objects():
    m = buddylab.Machine(nodes=[{"DMA": 4096, "Normal": 28672}], cpus_per_node=2)
    z = m.zone(0, "Normal")
    return {buddylab.Machine: m, Zone: z, PglistData: m.nodes[0], PerCpuPages: z.pageset[0],
            MemMap: m.mm}


CLASSES = {"Machine": buddylab.Machine, "Zone": Zone, "PglistData": PglistData,
           "PerCpuPages": PerCpuPages, "MemMap": MemMap}


def resolve(name, objects):
    """Resolve a buddylab-column name; raise AttributeError/ImportError if it does not exist."""
    first, *rest = name.split(".")
    if first in CLASSES:
        cls = CLASSES[first]
        if not rest:
            return cls
        if len(rest) != 1:
            raise AttributeError("%s: expected Class or Class.attr" % name)
        if hasattr(cls, rest[0]):
            return getattr(cls, rest[0])
        return getattr(objects[cls], rest[0])        # an instance attribute
    if first == "bl":
        first, *rest = rest
    if hasattr(buddylab, first) and not rest:
        return getattr(buddylab, first)
    obj = importlib.import_module("buddylab." + first)
    for part in rest:
        obj = getattr(obj, part)
    return obj


def test_readme_gives_the_two_commands():
    """The README names `make lab` and `make test`, and says the lab keeps its token on 127.0.0.1."""
    assert "make lab" in README and "make test" in README
    assert "127.0.0.1" in README and "token" in README


def test_readme_lists_every_chapter_in_both_languages():
    """Every chapter of notebooks/chapters.py appears with its English and Chinese title."""
    for num, fname, en, zh in chapters.CHAPTERS:
        assert en in README, "chapter %02d's English title %r is missing" % (num, en)
        assert zh in README, "chapter %02d's Chinese title %r is missing" % (num, zh)


def test_readme_chapter_map_is_current():
    """The README's chapter table is what chapters.py generates ("coming" only for missing notebooks)."""
    start, end = chapters.readme_block(README)
    expected = chapters.readme_table() + "\n"
    assert README[start:end] == expected, "run: python notebooks/chapters.py --update"
    for num, fname, _, _ in chapters.CHAPTERS:
        row = next(l for l in README[start:end].splitlines() if l.startswith("| %02d |" % num))
        assert ("coming" in row) != (ROOT / "notebooks" / fname).exists()


def test_readme_chapter_map_shows_a_committed_figure_per_chapter():
    """Each chapter's key figure and its thumbnail are files `make figures` committed, and the
    chapter map sits on the README's first screen (before the first command)."""
    assert sorted(chapters.KEY_FIGURES) == [c[0] for c in chapters.CHAPTERS]
    for name in chapters.KEY_FIGURES.values():
        assert (ROOT / "figures" / name).is_file() and (ROOT / "figures" / "thumbs" / name).is_file()
        assert "(figures/thumbs/%s)](figures/%s)" % (name, name) in README
    assert README.index(chapters.README_BEGIN) < README.index("make lab")


def test_mapping_table_covers_every_modelled_kernel_name():
    """Each kernel function, structure, tracepoint and /proc file of the model has a row."""
    kernel_column = " ".join(row[0] for row in mapping_rows())
    names = set(re.findall(r"[\w/]+", kernel_column.replace("`", " ")))
    missing = [n for n in REQUIRED_KERNEL_NAMES if n not in names]
    assert not missing, "mapping table rows missing for: %s" % ", ".join(missing)


def test_mapping_table_names_the_v418_max_order_rename():
    """The MAX_ORDER row says it became MAX_PAGE_ORDER (inclusive, 10)."""
    row = next(r for r in mapping_rows() if r[0] == "`MAX_ORDER`")
    assert "MAX_PAGE_ORDER" in row[2] and "inclusive" in row[2]


def test_every_buddylab_name_in_the_mapping_table_exists():
    """Every name in the buddylab column resolves to a real attribute of the package."""
    objects = _booted_objects()
    rows = mapping_rows()
    assert len(rows) >= 60
    checked = 0
    for row in rows:
        names = re.findall(r"`([^`]+)`", row[3])
        assert names, "row %r has no buddylab name" % row[0]
        for name in names:
            try:
                resolve(name, objects)
            except (AttributeError, ImportError) as e:
                pytest.fail("README mapping table, row %s: %s does not exist (%s)"
                            % (row[0], name, e))
            checked += 1
    assert checked >= 100


def test_every_buddylab_name_in_the_modern_table_exists():
    """The modern profile's table: every buddylab name resolves, and it has its key rows."""
    objects = _booted_objects()
    rows = mapping_rows(MODERN_SECTION)
    kernel_column = " ".join(row[0] for row in rows)
    for name in ("FPI_TO_TAIL", "__rmqueue_claim", "__rmqueue_steal", "ALLOC_NOFRAGMENT",
                 "boost_watermark", "WMARK_PROMO", "gfp_to_alloc_flags", "MAX_PAGE_ORDER"):
        assert name in kernel_column, "modern table has no row for %s" % name
    for row in rows:
        for name in re.findall(r"`([^`]+)`", row[3]):
            try:
                resolve(name, objects)
            except (AttributeError, ImportError) as e:
                pytest.fail("README modern table, row %s: %s does not exist (%s)"
                            % (row[0], name, e))


def test_quick_start_runs():
    """The README's Python quick start runs and prints what its comments say."""
    block = README.split("## Quick start in Python", 1)[1].split("```python\n", 1)[1]
    code = block.split("```", 1)[0]
    assert len(code.strip().splitlines()) <= 10
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README quick start", "exec"), {})
    text = out.getvalue()
    assert "Node 0, zone   Normal" in text
    assert "[(0, 'Normal'), (0, 'DMA')]" in text
    assert "mm_page_alloc: pfn=" in text


def test_problem_and_exercise_examples_run_and_give_nothing_away():
    """The Problems and Exercises sections' Python blocks run as written; the answers they
    check are wrong in every field and step (a README example must not hold an answer), and
    the seeded exercise variant they show is another question than the chapter's."""
    from buddylab import reveal
    for head in ("## Problems: predict, then check", "## Exercises that check without telling"):
        section = README.split(head, 1)[1].split("\n## ", 1)[0]
        for code in re.findall(r"```python\n(.*?)```", section, re.S):
            ns = {"bl": buddylab}
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, head, "exec"), ns)
            if "r" in ns:                         # the problem example's check
                assert ns["r"].score == 0, str(ns["r"])
    reveal.clear()
    section = README.split("## Exercises that check without telling", 1)[1].split("\n## ", 1)[0]
    pfns = re.search(r"ex\.check\((\[[\d, ]+\])\)", section).group(1)
    assert buddylab.exercises.get("02.1").check(eval(pfns)).score == 0
    seed = int(re.search(r'get\("02\.1", seed=(\d+)\)', section).group(1))
    assert buddylab.exercises.get("02.1", seed=seed).question != \
        buddylab.exercises.get("02.1").question
