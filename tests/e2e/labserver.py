"""Helpers of the e2e suite: the JupyterLab server, its REST API, the system Chromium.

The fixtures (tests/e2e/conftest.py) start one server and one headless Chromium for the whole
session.  The server is started the way ``make lab`` starts it: the repo's .venv, 127.0.0.1,
``--allow-root``, a free port, a random token (authentication stays on; the token goes through
JUPYTER_TOKEN so it is not in `ps`).  Everything Jupyter writes goes to a temporary folder:
isolated JUPYTER_CONFIG_DIR / JUPYTER_DATA_DIR / JUPYTER_RUNTIME_DIR / JUPYTERLAB_SETTINGS_DIR /
JUPYTERLAB_WORKSPACES_DIR / IPYTHONDIR, and user settings that stop the news and update toast
and set ``windowingMode: "none"`` (every cell stays in the page, so the tests see all of them).
It serves COPIES of the chapters with their stored outputs cleared (every output the tests see
comes from this run; Lab never writes into the repo), the helpers they import, and a ``tests``
link so chapter 04's ``../tests/fixtures`` resolves.

The server runs in its own process group; the session finalizer sends the group SIGTERM (the
server shuts its kernels down), then SIGKILLs whatever of it is left, also when a test failed.

Chromium is Debian's (``apt-get install chromium``), launched by its path; never
``playwright install``.  test_chapters.py skips the whole suite, with the reason, when it or
the playwright package is missing.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path


ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic", "--no-first-run"]


def find_chromium():
    """The system Chromium's path, or None: $CHROMIUM, else chromium / chromium-browser."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(url, path, token=None, method="GET"):
    """(status, parsed JSON or None) of a Jupyter REST call; HTTP errors are returned too."""
    req = urllib.request.Request(url + path, method=method,
                                 headers={"Authorization": "token " + token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            body = r.read()
            return r.status, json.loads(body) if body else None
    except urllib.error.HTTPError as error:
        return error.code, None


def write_settings(settings_dir):
    """No news/update toast; no virtual scrolling of cells (all of them stay in the DOM)."""
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


def serve_copies(served):
    """Chapters without stored outputs or widget state, their helper modules, and ../tests."""
    import nbformat
    notebooks = served / "notebooks"
    notebooks.mkdir(parents=True)
    for path in sorted(NOTEBOOKS.glob("0*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, notebooks / path.name)
    for helper in NOTEBOOKS.glob("*.py"):
        shutil.copy(helper, notebooks / helper.name)
    (served / "tests").symlink_to(ROOT / "tests", target_is_directory=True)


def stop(proc):
    """SIGTERM to the server's process group (it shuts its kernels down), SIGKILL after 15 s."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)    # anything of the group still alive
    except ProcessLookupError:
        pass
    proc.wait()


