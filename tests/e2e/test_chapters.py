"""Every chapter, run in JupyterLab in headless Chromium, as a student runs it.

For each notebooks/0*.ipynb (a copy with its outputs cleared, see conftest.py): open it,
wait for its kernel, Run > Run All Cells, wait until every code cell has run, then assert

- no cell shows a traceback (and no widget shows "Error displaying widget");
- every widget renders: as many widget views on the page as the saved chapter has widget
  outputs (tools/refresh_notebooks.py stores each as the "Run this cell ..." placeholder), each
  with a visible size;
- moving a slider or pressing a button changes what the widget draws: the figure's image
  bytes (the <img> data URL), the free-list or walk text, the verdict text.

Screenshots of every chapter's widget after the interaction (and of the page on a failure)
land in test-artifacts/e2e/.  One server, one browser and one JupyterLab page for the
session: Lab starts once (5-7 s of CPU on this machine, more than most chapters' kernels
need), and each chapter is opened in it with File > Open from Path..., run, then closed
(its changes discarded) and its kernel shut down.  No fixed sleeps (every wait is for a
selector, a kernel state or a changed page).

Skipped, saying why, when no Chromium (apt-get install chromium) or no playwright package
(pip install -e '.[test]') is found.
"""

import importlib.util
import re
import time

import pytest

from labserver import ARTIFACTS, NOTEBOOKS, api, find_chromium

if find_chromium() is None:
    pytest.skip("no Chromium found (apt-get install chromium, or set CHROMIUM=path): "
                "the browser (e2e) tests are skipped", allow_module_level=True)
if importlib.util.find_spec("playwright") is None:
    pytest.skip("the playwright package is not installed (pip install -e '.[test]'): "
                "the browser (e2e) tests are skipped", allow_module_level=True)

import nbformat  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

CHAPTERS = sorted(p.stem for p in NOTEBOOKS.glob("0*.ipynb"))
PLACEHOLDER = "Run this cell to get the interactive widget"
# a widget view that is a cell's own output (not one nested in an Output widget); Lab 4.6 gives
# these outputs no data-mime-type: the rendered widget is their child
VIEWS = ".jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output:has(> .jupyter-widgets)"
RUN_ALL_TIMEOUT_MS = 150_000

# What a student does in each chapter and what must change: (kind, description, key, change,
# then).  kind: "slider" (press `key` on the slider whose description is `description`),
# "button" (click the first button showing `description`) or "checkbox" (click the one
# labelled "`description` (0x..)"); change: "image" (an
# <img> of that widget view gets other bytes) or "text" (what the widget prints, its controls
# left out, changes); then: a regex the widget's printed text must match afterwards, or None.
INTERACTIONS = {
    # the buddyinfo playground (FreeAreaExplorer without the map): allocate, buddyinfo changes
    "00_start_here": [("button", "allocate", None, "text",
                       r"free_area\[0\]\.nr_free = 1 +free_list\[Unmovable\]")],
    # FreeAreaExplorer: allocate changes the free lists and the figure; a problem: Check with
    # empty boxes gives the verdict, field by field
    "01_free_page_organisation": [
        ("button", "allocate", None, "text", r"free_area\[\d\]\.nr_free = \d+"),
        ("button", "allocate", None, "image", None),
        ("button", "Check", None, "text", r"0 of \d+ right")],
    "02_allocation_and_freeing": [
        ("slider", "event", "ArrowRight", "image", r"expand\(\)"),   # TraceStepper: next event
        ("button", "allocate", None, "image", r"alloc_pages\(.*\) -> pfn \d+"),  # explorer
    ],
    "03_per_cpu_pages": [("slider", "batch", "ArrowRight", "image", None)],      # PcpExplorer
    # the zonelist walk: the zone's free pages to 0, its verdict flips to fail
    "04_nodes_and_zones": [("slider", "its free", "Home", "text", r"node 0 DMA\s+0\s.*\bfail\b")],
    "05_allocation_interface": [("checkbox", "__GFP_HIGH", None, "text", r"__GFP_HIGH\b")],
    "06_buddy_problems": [("slider", "step", "ArrowRight", "image", None)],  # CompactionStepper
    # KernelPairExplorer: allocate on both kernels, the two memory maps and lists change
    "07_modern_kernel": [("button", "allocate", None, "image",
                          r"classic -> pfn \d+, modern -> pfn \d+")],
}

KERNEL_READY_JS = """() => {
  const idle = !!document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
  const bar = (document.querySelector('#jp-main-statusbar') || {}).innerText || '';
  return idle && /\\| Idle\\b/.test(bar) && !bar.includes('No Kernel');
}"""

# 'done' when the kernel is idle and every code cell shows [n]; 'error' at the first
# traceback (Run All stops there, the later cells would never get a number).
RUN_STATE_JS = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                    .map(p => p.textContent.trim());
  const idle = !!document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
  const errors = [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')]
                    .some(e => /Traceback \\(most recent call last\\)/.test(e.innerText));
  if (errors) return 'error';
  if (!idle || prompts.length === 0 || prompts.some(t => t.includes('*'))) return false;
  return prompts.every(t => /^\\[\\d+\\]:?$/.test(t)) ? 'done' : false;
}"""

# Lab renders stderr streams and error outputs as this MIME type (jupyterlab 4.6); the
# .error one is listed in case a later Lab gives tracebacks their own type.
ERROR_TEXTS_JS = """() => [...document.querySelectorAll(
    '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],' +
    '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
  ].map(e => e.innerText)
   .filter(t => /Traceback \\(most recent call last\\)|Cell In\\[\\d+\\], line \\d+|Error:/.test(t))"""

# What a widget view draws: the text it prints (its controls, readouts included, left out)
# and the bytes of its images.
CONTROLS = ".widget-slider, .widget-readout, .widget-dropdown, .widget-checkbox, .widget-play, " \
           ".widget-button, .jupyter-button, .widget-text, .widget-inline-hbox > label"
DRAWN_JS = """([el, controls]) => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll(controls).forEach(c => c.remove());
  return [copy.textContent, [...el.querySelectorAll('img')].map(i => i.src)];
}"""
CHANGED_JS = """([el, controls, before, what, then]) => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll(controls).forEach(c => c.remove());
  const text = copy.textContent, imgs = [...el.querySelectorAll('img')].map(i => i.src);
  const changed = what === 'image'
    ? imgs.length > 0 && JSON.stringify(imgs) !== JSON.stringify(before[1])
    : text !== before[0];
  return changed && (then === null || new RegExp(then).test(text));
}"""


def saved_widget_outputs(chapter):
    """Widget outputs of the committed chapter (stored as the placeholder text)."""
    nb = nbformat.read(NOTEBOOKS / (chapter + ".ipynb"), as_version=4)
    return sum(1 for cell in nb.cells for out in cell.get("outputs", [])
               if out.get("data", {}).get("text/plain", "").startswith(PLACEHOLDER))


def wait_kernel_connected(lab, chapter, timeout=60):
    """The chapter's session on the server: its kernel idle with the page's websocket on."""
    deadline = time.monotonic() + timeout
    while True:
        _, sessions = api(lab["url"], "/api/sessions", lab["token"])
        kernels = [s["kernel"] for s in sessions or () if s["path"].endswith(chapter + ".ipynb")]
        if any(k["execution_state"] == "idle" and k.get("connections", 0) >= 1 for k in kernels):
            return
        if time.monotonic() > deadline:
            pytest.fail("no idle, connected kernel for %s after %d s: %s"
                        % (chapter, timeout, sessions))
        time.sleep(0.1)


def shut_down_kernels(lab):
    _, kernels = api(lab["url"], "/api/kernels", lab["token"])
    for k in kernels or ():
        api(lab["url"], "/api/kernels/" + k["id"], lab["token"], method="DELETE")


def interact(page, kind, description, key):
    """Do the action; return the widget view (the cell output) it belongs to, and what it
    drew before."""
    if kind == "slider":
        label = page.locator("label.widget-label",
                             has_text=re.compile("^%s$" % re.escape(description)))
        control = page.locator(".widget-slider", has=label).first
    elif kind == "button":
        control = page.locator("button.jupyter-button", has_text=re.compile(
            r"^\s*%s\s*$" % re.escape(description))).first
    else:
        box = page.get_by_role("checkbox", name=re.compile(r"^%s \(0x" % re.escape(description)))
        control = page.locator(".widget-checkbox", has=box).first
    expect(control).to_have_count(1)
    view = page.locator(VIEWS, has=control).first
    view.scroll_into_view_if_needed()
    before = page.evaluate(DRAWN_JS, [view.element_handle(), CONTROLS])
    if kind == "slider":
        readout = control.locator(".widget-readout")
        value = readout.inner_text()
        handle = control.locator(".noUi-handle")
        handle.focus()
        handle.press(key)
        expect(readout).not_to_have_text(value)
    elif kind == "button":
        control.click()
    else:
        control.locator("input[type=checkbox]").click()
    return view, before


@pytest.fixture(scope="module")
def lab_page(lab, browser):
    """One JupyterLab page (a fresh workspace) that every chapter is opened in."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(30_000)
    page.goto("%s/lab?token=%s&reset" % (lab["url"], lab["token"]))
    page.get_by_role("menuitem", name="File", exact=True).wait_for(timeout=90_000)
    yield page
    page.close()


def open_chapter(page, chapter):
    """File > Open from Path...: the chapter opens in a tab of the running Lab."""
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_role("menuitem", name="Open from Path…", exact=True).click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator("input").fill("notebooks/%s.ipynb" % chapter)
    dialog.get_by_role("button", name="Open", exact=True).click()
    expect(dialog).to_have_count(0)
    page.locator(".jp-NotebookPanel:visible .jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)


def close_chapter(page, lab):
    """File > Close All Tabs, discarding the chapter's changes; then its kernel is shut down."""
    try:
        page.keyboard.press("Escape")           # a menu or dialog left open by a failure
        page.get_by_role("menuitem", name="File", exact=True).click()
        page.get_by_role("menuitem", name="Close All Tabs", exact=True).click()
        panels = page.locator(".jp-NotebookPanel")
        # (Lab names the button by its title, "Discard changes to file": match its label)
        discard = page.locator(".jp-Dialog button", has_text=re.compile(r"^\s*Discard\s*$"))
        page.wait_for_function("() => !!document.querySelector('.jp-Dialog') || "
                               "!document.querySelector('.jp-NotebookPanel')", timeout=10_000)
        if discard.count():                     # the chapter has run: it has unsaved changes
            discard.click()
        expect(panels).to_have_count(0, timeout=10_000)
    finally:
        shut_down_kernels(lab)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_and_its_widgets_respond(chapter, lab, lab_page, artifacts):
    page = lab_page
    shot = ARTIFACTS / ("%s.png" % chapter)
    try:
        open_chapter(page, chapter)
        # The toolbar says "idle" before a kernel exists; Run All at that moment clears the
        # cells without running them.  Wait for the kernel in the status bar and on the server.
        page.wait_for_function(KERNEL_READY_JS)
        wait_kernel_connected(lab, chapter)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            state = page.wait_for_function(RUN_STATE_JS, timeout=RUN_ALL_TIMEOUT_MS).json_value()
        except PlaywrightTimeout:
            prompts = page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
            pytest.fail("%s: Run All did not finish in %d s; prompts %s\n%s"
                        % (chapter, RUN_ALL_TIMEOUT_MS // 1000, prompts, lab["log"]()))
        errors = page.evaluate(ERROR_TEXTS_JS)
        assert state == "done" and not errors, \
            "%s: a cell shows an error:\n%s" % (chapter, "\n\n".join(errors))

        views = page.locator(VIEWS)
        expected = saved_widget_outputs(chapter)
        expect(views).to_have_count(expected)
        assert "Error displaying widget" not in page.locator(".jp-Notebook").inner_text()
        for i in range(expected):
            box = views.nth(i).bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0, \
                "%s: widget view %d is not drawn" % (chapter, i)

        actions = INTERACTIONS.get(chapter)
        if expected and not actions:
            pytest.fail("%s shows %d widgets but INTERACTIONS has no action for it"
                        % (chapter, expected))
        for n, (kind, description, key, what, then) in enumerate(actions or ()):
            view, before = interact(page, kind, description, key)
            try:
                page.wait_for_function(CHANGED_JS, arg=[view.element_handle(), CONTROLS,
                                                        before, what, then], timeout=20_000)
            except PlaywrightTimeout:
                now = page.evaluate(DRAWN_JS, [view.element_handle(), CONTROLS])
                pytest.fail("%s: after the %s %r, the widget's %s did not change%s; it prints:\n%s"
                            % (chapter, kind, description, what,
                               "" if then is None else " to match %r" % then, now[0][-2000:]))
            view.screenshot(path=ARTIFACTS / ("%s-%d-%s.png" % (chapter, n, kind)))
        page.screenshot(path=shot)
    except BaseException:
        try:
            page.screenshot(path=ARTIFACTS / ("%s-FAILED.png" % chapter))
        except Exception:
            pass
        raise
    finally:
        close_chapter(page, lab)
    if not actions:
        pytest.xfail("%s has no widget yet (issue 12 asks for one): it ran in the browser "
                     "without an error, nothing to move" % chapter)


def test_the_server_refuses_a_request_without_the_token(lab):
    """Authentication stays on: no token, or a wrong one, gets 403 from the API."""
    assert api(lab["url"], "/api/status", lab["token"])[0] == 200
    assert api(lab["url"], "/api/status")[0] == 403
    assert api(lab["url"], "/api/contents", "0" * 48)[0] == 403
