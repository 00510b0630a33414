"""Session fixtures of the e2e suite (see labserver.py for how the server is started)."""

import os
import secrets
import subprocess
import sys
import time

import pytest

from labserver import (ARTIFACTS, CHROMIUM_FLAGS, ROOT, api, find_chromium, free_port,
                       serve_copies, stop, write_settings)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A running JupyterLab: dict with url, token, served (the folder it serves), log()."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable
    if subprocess.run([python, "-c", "import jupyterlab, ipywidgets, buddylab"],
                      capture_output=True).returncode:
        pytest.skip("jupyterlab/ipywidgets/buddylab not importable by %s (make venv)" % python)
    tmp = tmp_path_factory.mktemp("lab")
    served = tmp / "served"
    serve_copies(served)
    dirs = {name: tmp / name for name in
            ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for d in dirs.values():
        d.mkdir()
    write_settings(dirs["settings"])

    port, token = free_port(), secrets.token_hex(24)
    assert token
    env = {k: v for k, v in os.environ.items()
           if k not in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTERLAB_DIR", "MPLBACKEND")}
    env.update(JUPYTER_CONFIG_DIR=str(dirs["config"]), JUPYTER_DATA_DIR=str(dirs["data"]),
               JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
               JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
               JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
               IPYTHONDIR=str(dirs["ipython"]), JUPYTER_TOKEN=token)
    cmd = [python, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", "--port=%d" % port,
           "--ServerApp.port_retries=0", "--ServerApp.root_dir=%s" % served,
           "--allow-root"]      # as `make lab`: needed as root, harmless otherwise
    log_path = tmp / "lab.log"
    url = "http://127.0.0.1:%d" % port

    def log_tail():
        return log_path.read_text(errors="replace")[-3000:]

    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=served, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    pytest.fail("jupyter lab exited with %s:\n%s" % (proc.returncode, log_tail()))
                try:
                    if api(url, "/api/status", token)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not answer /api/status in 60 s:\n" + log_tail())
                time.sleep(0.2)
            yield {"url": url, "token": token, "served": served, "log": log_tail}
        finally:
            stop(proc)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=find_chromium(), headless=True,
                                      args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts():
    """test-artifacts/e2e/ (gitignored): screenshots of every chapter, this run's only."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS
