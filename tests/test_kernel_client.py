"""buddylab.teach.kernel: the kernel client's sliced polls (a missed wake-up of pyzmq's asyncio
socket costs one slice, not the cell's whole time limit).

The stub socket behaves as pyzmq does when a wake-up of libzmq's edge-triggered descriptor
is missed: the message is there, yet poll(ms) answers only when its timeout fires
(zeromq/pyzmq#1558); a zero-timeout poll sees it at once.
"""

import asyncio
import concurrent.futures
import time
from queue import Empty

import pytest

pytest.importorskip("jupyter_client")
from buddylab.teach import kernel as K  # noqa: E402


class MissedWakeUpSocket:
    """poll(ms > 0) returns at its timeout (1 if a message waits, else 0); poll(0) at once."""

    def __init__(self, messages):
        self.messages, self.polls = list(messages), []

    async def poll(self, timeout_ms=None):
        self.polls.append(timeout_ms)
        if timeout_ms is None or timeout_ms < 0:
            await asyncio.sleep(3600)          # "forever": a missed wake-up never ends
        elif timeout_ms:
            await asyncio.sleep(timeout_ms / 1000)
        return int(bool(self.messages))


class StubChannel:
    def __init__(self, socket):
        self.socket = socket

    async def _recv(self):
        return self.socket.messages.pop(0)


def run(coro):
    """asyncio.run() in a thread of its own: a test run earlier in this worker may have left
    an event loop running in the main thread (playwright's, nbclient's)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def channel(messages):
    return K._sliced_get_msg_class(StubChannel)(MissedWakeUpSocket(messages))


def test_a_waiting_message_is_read_after_one_slice_not_at_the_timeout():
    """get_msg(timeout=300) with the wake-up missed: the message after one slice (0.25 s);
    a single poll(300000) would hang the cell for 300 s."""
    ch = channel([{"msg_type": "execute_reply"}])
    t0 = time.monotonic()
    msg = run(asyncio.wait_for(ch.get_msg(timeout=300), 10))
    assert msg == {"msg_type": "execute_reply"}
    assert time.monotonic() - t0 < 5
    assert ch.socket.polls == [int(K.POLL_SLICE * 1000)]


def test_no_timeout_means_slices_until_a_message_comes():
    """get_msg() (nbclient's iopub reader): never one endless poll, always slices."""
    ch = channel([])

    async def arrive_later():
        await asyncio.sleep(0.6)
        ch.socket.messages.append({"msg_type": "status"})

    async def both():
        _, msg = await asyncio.gather(arrive_later(), ch.get_msg())
        return msg

    assert run(asyncio.wait_for(both(), 10)) == {"msg_type": "status"}
    assert len(ch.socket.polls) >= 3          # 0.6 s in slices of 0.25 s
    assert all(p == int(K.POLL_SLICE * 1000) for p in ch.socket.polls)


def test_nothing_within_the_timeout_is_empty_after_the_timeout():
    """A socket with nothing: Empty once `timeout` has passed (not before), every poll within
    a slice; timeout=0 is one immediate look."""
    ch = channel([])
    t0 = time.monotonic()
    with pytest.raises(Empty):
        run(ch.get_msg(timeout=0.6))
    assert 0.6 <= time.monotonic() - t0 < 5
    assert max(ch.socket.polls) <= int(K.POLL_SLICE * 1000) and len(ch.socket.polls) >= 3
    ch = channel([])
    with pytest.raises(Empty):
        run(ch.get_msg(timeout=0))
    assert ch.socket.polls == [0]


def test_the_kernel_manager_hands_out_the_sliced_client():
    """current_env_kernel_manager().client(): shell, iopub, stdin and control channels are
    the sliced ones (nbclient, the grader, refresh_notebooks and build_html all use it)."""
    kc = K.current_env_kernel_manager().client()
    for name in ("shell", "iopub", "stdin", "control"):
        cls = getattr(kc, name + "_channel_class")
        assert cls.__name__ == "SlicedPollAsyncZMQSocketChannel", name
