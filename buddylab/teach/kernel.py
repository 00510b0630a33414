"""Run a notebook in a fresh kernel of this interpreter, cell by cell, within a time limit.

Kernel: none (teaching support).  nbclient and jupyter_client are imported
only when a notebook is run (they come with the ``teach`` and ``test`` extras).
"""

import contextlib
import gc
import logging
import subprocess
import sys
import tempfile
import time

__all__ = ["current_env_kernel_manager", "run_cells", "RunStatus", "quiet_asyncio"]


def _spec_manager_class():
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class CurrentEnvKernelSpecManager(KernelSpecManager):
        """Always hand out a python3 kernel running this interpreter (like nbval
        --nbval-current-env), whatever python3 kernelspec a user or system folder holds."""

        def get_kernel_spec(self, kernel_name, *args, **kwargs):
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name="Python 3 (ipykernel)", language="python",
                resource_dir=tempfile.gettempdir(), metadata={"debugger": True})

    return CurrentEnvKernelSpecManager


def current_env_kernel_manager():
    """An AsyncKernelManager whose python3 kernel is sys.executable."""
    from jupyter_client.manager import AsyncKernelManager
    return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=_spec_manager_class()())


class RunStatus:
    """How a run ended: ``state`` is "ok", "timeout" or "dead kernel"; ``cell`` the index of
    the cell where it stopped (None when every cell ran); ``ran`` the indexes that ran."""

    __slots__ = ("state", "cell", "ran")

    def __init__(self):
        self.state, self.cell, self.ran = "ok", None, []

    def __repr__(self):
        return "RunStatus(%s, cell=%s)" % (self.state, self.cell)


@contextlib.contextmanager
def quiet_asyncio():
    """Keep asyncio's "Task exception was never retrieved" tracebacks off the grader's stderr.

    When a cell runs past its time limit, nbclient abandons its output poller, a task that
    later fails with queue.Empty; asyncio logs it, traceback and all, when the task is
    collected.  Nothing of the student's notebook is lost: the time limit is in the notes.
    """
    log = logging.getLogger("asyncio")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        gc.collect()      # the abandoned tasks are reported when collected: do it in here
        log.setLevel(level)


def run_cells(nb, folder, time_limit, last_cells=1, grace=15):
    """Execute the code cells of `nb` in place, in a fresh kernel started in `folder`.

    The cells share `time_limit` seconds (counted once the kernel is up).  A cell that
    crosses it is interrupted and the cells after it are not run, except the final
    `last_cells` (the grader's probes), which get `grace` seconds once the kernel is
    interrupted.  A kernel that dies stops the run.  Errors inside cells are kept as
    outputs (allow_errors).  Returns a RunStatus.
    """
    with quiet_asyncio():
        return _run_cells(nb, folder, time_limit, last_cells, grace)


def _run_cells(nb, folder, time_limit, last_cells, grace):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from jupyter_core.utils import run_sync

    status = RunStatus()
    client = NotebookClient(nb, km=current_env_kernel_manager(), timeout=time_limit,
                            allow_errors=True, interrupt_on_timeout=False, record_timing=False,
                            shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(folder)}})
    first_probe = len(nb.cells) - last_cells
    # the kernel's own stderr (its startup warnings) is not the notebook's business
    with client.setup_kernel(cleanup_kc=True, stderr=subprocess.DEVNULL):
        deadline = time.monotonic() + time_limit
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if i >= first_probe:
                client.timeout = grace
            elif status.state != "ok":
                continue
            else:
                client.timeout = max(1, int(deadline - time.monotonic() + 0.999))
            try:
                client.execute_cell(cell, i)
                status.ran.append(i)
            except CellTimeoutError:
                if status.state == "ok":
                    status.state, status.cell = "timeout", i
                try:
                    run_sync(client.km.interrupt_kernel)()
                except Exception:  # noqa: BLE001 - a kernel that cannot be interrupted
                    pass
                if i >= first_probe:
                    break
            except DeadKernelError:
                if status.state == "ok":
                    status.state, status.cell = "dead kernel", i
                break
    return status
