"""Replaying a recorded trace: the calls a machine recorded, run again on a machine.

Kernel: none (a lab tool).  A Trace (buddylab.trace) keeps the public calls made while it
recorded (``ops``) and those made since boot before it started (``prefix``); replay() builds
a fresh machine with the traced machine's arguments and runs them again, so equal event
lists show the run was deterministic.  This module sits above ``machine`` (it builds
machines); ``trace`` below it only records.
"""

import inspect
import warnings

from . import machine as _machine
from .errors import TraceError
from .trace import Trace, OpList

# The calls a machine records, and so the only ones replay() runs: Machine methods, then
# owner and handle operations, named by the owner's oid and the handle's hid.
MACHINE_OPS = ("alloc_pages", "alloc_pages_node", "free_pages", "get_page", "drain_pages_zone",
               "drain_pages", "drain_all_pages", "set_min_free_kbytes",
               "set_watermark_scale_factor", "set_lowmem_reserve_ratio",
               "set_percpu_pagelist_fraction", "set_percpu_pagelist_high_fraction",
               "refresh_cpu_vm_stats", "start_isolate_page_range",
               "undo_isolate_page_range", "compact_memory", "owner")
OWNER_OPS = {"owner.alloc": "alloc", "owner.free": "free", "owner.exit": "exit"}
HANDLE_OPS = {"handle.touch": "touch", "handle.clean": "clean"}



def run_op(m, op, where="op"):
    """Run one recorded call (name, kwargs) on machine `m`, as it was made.

    Only the public operations a machine records (MACHINE_OPS, OWNER_OPS,
    HANDLE_OPS) are run; anything else, or arguments that do not fit the
    operation, is a TraceError naming the op, before the machine is touched.
    """
    try:
        name, kwargs = op
    except (TypeError, ValueError):
        raise TraceError("%s is not a (name, kwargs) pair: %r" % (where, op)) from None
    if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
        raise TraceError("%s %r: its arguments are not a dict of keyword arguments: %r"
                         % (where, name, kwargs))
    kwargs = dict(kwargs)
    if name in MACHINE_OPS:
        fn = getattr(m, name)
    elif name in OWNER_OPS or name in HANDLE_OPS:
        table, key = (OWNER_OPS, "owner") if name in OWNER_OPS else (HANDLE_OPS, "handle")
        reg = m.owners
        live = {}
        for k in (key, "handle") if key == "owner" and "handle" in kwargs else (key,):
            objs = None if reg is None else (reg.by_oid if k == "owner" else reg.by_hid)
            ident = kwargs.pop(k, None)
            if objs is None or isinstance(ident, bool) or not isinstance(ident, int) \
                    or ident not in objs:
                raise TraceError("%s %r: no live %s with id %r on this machine"
                                 % (where, name, k, ident))
            live[k] = objs[ident]
        fn = getattr(live.pop(key), table[name])
        kwargs.update(live)                     # owner.free's handle, as the Handle
    else:
        raise TraceError("%s %r is not a recorded public operation (those are %s)"
                         % (where, name, ", ".join(MACHINE_OPS + tuple(OWNER_OPS)
                                                   + tuple(HANDLE_OPS))))
    try:
        inspect.signature(fn).bind(**kwargs)
    except TypeError as e:
        raise TraceError("%s %r: arguments %r do not fit: %s" % (where, name, kwargs, e)) from None
    return fn(**kwargs)


def replay(trace, machine=None):
    """Run the calls recorded in `trace` on a fresh machine; return its Trace.

    The fresh machine is built with the same arguments as the traced one and
    first replays, untraced, the calls made before tracing started; with
    `machine` given, only the traced calls run on it.  Equal event lists show
    that the run was deterministic.  A trace whose prefix was not kept (the
    machine's history_limit), or that holds anything but recorded public
    operations, gives TraceError.
    """
    if not isinstance(trace, Trace):
        raise TraceError("replay() takes a Trace, got %r" % (trace,))
    for what, ops in (("ops", trace.ops), ("prefix", trace.prefix)):
        if ops is not None and not isinstance(ops, (list, tuple, OpList)):
            raise TraceError("trace.%s must be a list of (name, kwargs), got %r" % (what, ops))
    if machine is None:
        if trace.prefix is None:
            raise TraceError("the calls made before this trace started were not kept (the "
                             "machine passed its history_limit): replay(trace, machine) onto a "
                             "machine in the same state instead")
        try:
            inspect.signature(_machine.Machine).bind(**trace.machine_args)
        except TypeError as e:
            raise TraceError("trace.machine_args %r are not Machine() arguments: %s"
                             % (trace.machine_args, e)) from None
        m = _machine.Machine(**trace.machine_args)
    else:
        m = machine
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if machine is None:
            for i, op in enumerate(trace.prefix):   # the calls made before tracing started
                run_op(m, op, "prefix op %d" % i)
        new = m.start_trace(kinds=trace.kinds)
        try:
            for i, op in enumerate(trace.ops):
                run_op(m, op, "op %d" % i)
        finally:
            m.stop_trace()
    return new
