"""One real-browser smoke test: JupyterLab + Chromium run a chapter and move a widget.

What it does: start JupyterLab from the repo's
.venv on 127.0.0.1 with a random port and a random token (auth stays on), with isolated
JUPYTER_* dirs and a settings override (no news toast, windowingMode "none" so every cell is
in the page); open a COPY of notebooks/02_allocation_and_freeing.ipynb (outputs cleared, the
notebooks/*.py helpers next to it) in a temporary folder, Run -> Run All Cells, wait until
every code cell has run, press ArrowRight on the TraceStepper's slider and check that its
explanation label, readout and figure change; no cell may show a traceback. The repo's
notebooks are never opened, so Lab never writes into them.

Skipped when /usr/bin/chromium or the playwright package is missing (.ci/run installs
chromium; `make venv` installs playwright from the test extra). Never run
`playwright install`: the system Chromium is used. About 15 s.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "02_allocation_and_freeing.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic", "--no-first-run"]

if not CHROMIUM.exists():
    pytest.skip("no /usr/bin/chromium (apt-get install chromium): browser test skipped",
                allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the playwright package is not installed (pip install -e '.[test]'): "
           "browser test skipped")
nbformat = pytest.importorskip("nbformat")

# Lab renders both stderr streams and error outputs as this MIME type (jupyterlab 4.6);
# the .error one is listed in case a later Lab renders tracebacks under their own type.
OUTPUT_TEXTS_JS = """() => [...document.querySelectorAll(
    '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],' +
    '.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
  ].map(e => e.innerText)"""
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|Cell In\[\d+\], line \d+")

# Done when the kernel is idle and every code cell shows [n]; stops early on a traceback
# (Run All stops at the first error, so the later cells would never get a number).
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


KERNEL_READY_JS = """() => {
  const idle = !!document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
  const bar = (document.querySelector('#jp-main-statusbar') || {}).innerText || '';
  return idle && /\\| Idle\\b/.test(bar) && !bar.includes('No Kernel');
}"""


def _wait_kernel_connected(url, token, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        req = urllib.request.Request(url + "/api/kernels",
                                     headers={"Authorization": "token " + token})
        with urllib.request.urlopen(req, timeout=2) as r:
            kernels = json.load(r)
        if any(k["execution_state"] == "idle" and k.get("connections", 0) >= 1 for k in kernels):
            return
        if time.monotonic() > deadline:
            pytest.fail("no idle, connected kernel after %d s: %s" % (timeout, kernels))
        time.sleep(0.1)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url, token=None):
    req = urllib.request.Request(url + "/api/status",
                                 headers={"Authorization": "token " + token} if token else {})
    with urllib.request.urlopen(req, timeout=2) as r:
        return r.status


def _write_settings(settings_dir):
    """User settings in the isolated JUPYTERLAB_SETTINGS_DIR: no news/update toast, and no
    virtual scrolling of cells (every cell and its outputs stay in the DOM)."""
    files = {
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
            {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
            {"windowingMode": "none"},
    }
    for rel, value in files.items():
        path = settings_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def _copy_notebook(dest):
    """The chapter without its stored outputs (so every output seen comes from this run),
    with the helpers it imports next to it."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, dest / NOTEBOOK.name)
    for helper in NOTEBOOK.parent.glob("*.py"):
        shutil.copy(helper, dest / helper.name)


@pytest.fixture
def lab(tmp_path):
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    if subprocess.run([python, "-c", "import jupyterlab, ipywidgets, buddylab"],
                      capture_output=True).returncode:
        pytest.skip("jupyterlab/ipywidgets/buddylab not importable by %s (make venv)" % python)

    served = tmp_path / "served"
    served.mkdir()
    _copy_notebook(served)
    dirs = {name: tmp_path / name for name in
            ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir()
    _write_settings(dirs["settings"])

    port, token = _free_port(), secrets.token_hex(24)
    env = {k: v for k, v in os.environ.items()
           if k not in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTERLAB_DIR", "MPLBACKEND")}
    env.update(JUPYTER_CONFIG_DIR=str(dirs["config"]), JUPYTER_DATA_DIR=str(dirs["data"]),
               JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
               JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
               JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
               IPYTHONDIR=str(dirs["ipython"]),
               JUPYTER_TOKEN=token)  # the env var keeps the token out of `ps`
    cmd = [python, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", "--port=%d" % port,
           "--ServerApp.port_retries=0", "--ServerApp.root_dir=%s" % served]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = tmp_path / "lab.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=served, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:%d" % port

    def log_tail():
        return log_path.read_text(errors="replace")[-3000:]

    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail("jupyter lab exited with %s:\n%s" % (proc.returncode, log_tail()))
            try:
                if _status(url, token) == 200:
                    break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail("jupyter lab did not answer /api/status in 30 s:\n" + log_tail())
            time.sleep(0.2)
        # auth is on: the API refuses a request without the token
        with pytest.raises(urllib.error.HTTPError) as refused:
            _status(url)
        assert refused.value.code == 403
        yield {"url": url, "token": token, "served": served, "tmp": tmp_path, "log": log_tail}
    finally:
        proc.terminate()  # the server shuts its kernels down
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_run_all_then_step_the_trace_stepper(lab):
    screenshot = lab["tmp"] / "stepper.png"
    original = NOTEBOOK.read_bytes()
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto("%s/lab/tree/%s?token=%s&reset" % (lab["url"], NOTEBOOK.name, lab["token"]))
            # The toolbar indicator says "idle" before any kernel exists ("No Kernel |
            # Initializing" in the status bar); Run All at that moment clears the cells
            # without running them. Wait for the kernel itself: idle in the status bar and,
            # on the server, one idle kernel with the page's websocket connected.
            page.wait_for_function(KERNEL_READY_JS)
            _wait_kernel_connected(lab["url"], lab["token"])

            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                state = page.wait_for_function(RUN_STATE_JS, timeout=40_000).json_value()
            except sync_api.TimeoutError:
                page.screenshot(path=screenshot)
                prompts = page.locator(
                    ".jp-Notebook .jp-CodeCell .jp-InputPrompt").all_inner_texts()
                pytest.fail("Run All did not finish in 40 s; prompts %s; screenshot %s\n%s"
                            % (prompts, screenshot, lab["log"]()))

            tracebacks = [t for t in page.evaluate(OUTPUT_TEXTS_JS) if TRACEBACK.search(t)]
            assert state == "done" and not tracebacks, \
                "a cell shows an error:\n" + "\n\n".join(tracebacks)
            notebook_text = page.locator(".jp-Notebook").inner_text()
            assert "Error displaying widget" not in notebook_text

            # the TraceStepper: the output whose slider is described "event"
            event_label = page.locator("label.widget-label", has_text=re.compile("^event$"))
            slider = page.locator(".widget-slider", has=event_label)
            stepper = page.locator(".jp-OutputArea-output", has=slider)
            sync_api.expect(stepper).to_have_count(1)
            stepper.scroll_into_view_if_needed()
            label = stepper.locator(".widget-vbox > div.widget-label")
            readout = stepper.locator(".widget-slider .widget-readout")
            figure = stepper.locator(".widget-output img")
            sync_api.expect(readout).to_have_text("0")
            sync_api.expect(figure).to_have_count(1)
            before_label, before_png = label.inner_text(), figure.get_attribute("src")
            assert before_label.startswith("__rmqueue_smallest()"), before_label

            handle = stepper.locator(".noUi-handle")
            handle.focus()
            handle.press("ArrowRight")

            sync_api.expect(readout).to_have_text("1", timeout=15_000)
            sync_api.expect(label).not_to_have_text(before_label, timeout=15_000)
            assert label.inner_text().startswith("expand():"), label.inner_text()
            sync_api.expect(figure).not_to_have_attribute("src", before_png, timeout=15_000)
            page.screenshot(path=screenshot)
        finally:
            browser.close()

    assert NOTEBOOK.read_bytes() == original, "the repo's notebook was modified"
    print("screenshot:", screenshot)
