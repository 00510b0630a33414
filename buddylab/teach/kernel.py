"""Run a notebook in a fresh kernel of this interpreter, cell by cell, within a time limit.

Kernel: none (teaching support).  nbclient and jupyter_client are imported
only when a notebook is run (they come with the ``teach`` and ``test`` extras).
"""

import contextlib
import functools
import gc
import logging
import subprocess
import sys
import tempfile
import time

__all__ = ["current_env_kernel_manager", "run_cells", "RunStatus", "quiet_asyncio",
           "POLL_SLICE"]

#: seconds: the longest a kernel client waits on one poll of a socket (see _client_class)
POLL_SLICE = 0.25


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


def _sliced_get_msg_class(base):
    """`base` (an asyncio channel class of jupyter_client) whose get_msg() polls its socket in
    slices of at most POLL_SLICE seconds until a message is there or `timeout` has passed.

    Why: pyzmq's asyncio sockets are woken through libzmq's edge-triggered file descriptor,
    and a wake-up can be missed; the poll then returns only when its timeout fires, and the
    message was waiting all along (zeromq/pyzmq#1558).  Measured here (15:30, 2 December 2026,
    pyzmq 27.3, jupyter_client 8.10, nbclient 0.11): chapter 00 run by nbclient 60 times,
    three or four at a time, stalled 3 times with the kernel idle, until the cell's 300 s
    timeout let nbclient read the reply; `make test` once took 303 s for one chapter.  A
    grader must not mark a student's cell "past the time limit" for that.  Each slice ends in
    a fresh, level-triggered look at the socket, so a missed wake-up costs at most a slice.
    """
    from queue import Empty

    class SlicedPollChannel(base):
        async def get_msg(self, timeout=None):
            """The next message; Empty when none came within `timeout` s (None: wait on)."""
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = POLL_SLICE if deadline is None else deadline - time.monotonic()
                wait = max(0.0, min(POLL_SLICE, left))
                if await self.socket.poll(int(wait * 1000)):
                    return await self._recv()
                if deadline is not None and time.monotonic() >= deadline:
                    raise Empty

    SlicedPollChannel.__name__ = SlicedPollChannel.__qualname__ = "SlicedPoll" + base.__name__
    return SlicedPollChannel


@functools.lru_cache(maxsize=None)
def _client_class():
    """AsyncKernelClient whose shell, iopub, stdin and control channels poll in slices
    (_sliced_get_msg_class); the heartbeat channel is jupyter_client's own.  Made once."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.channels import AsyncZMQSocketChannel
    from traitlets import Type

    channel = _sliced_get_msg_class(AsyncZMQSocketChannel)

    class SlicedPollKernelClient(AsyncKernelClient):
        shell_channel_class = Type(channel)
        iopub_channel_class = Type(channel)
        stdin_channel_class = Type(channel)
        control_channel_class = Type(channel)

    return SlicedPollKernelClient


def current_env_kernel_manager():
    """An AsyncKernelManager whose python3 kernel is sys.executable and whose clients poll
    their sockets in slices (_client_class)."""
    from jupyter_client.manager import AsyncKernelManager
    return AsyncKernelManager(kernel_name="python3", kernel_spec_manager=_spec_manager_class()(),
                              client_factory=_client_class())


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
