"""Per-CPU page lists over time: count against high and batch, refills and drains.

Kernel: struct per_cpu_pages (count, high, batch, lists[MIGRATE_PCPTYPES]);
rmqueue_bulk() refills an empty list with `batch` pages; free_unref_page()
drains `batch` pages with free_pcppages_bulk() when count reaches `high`.
"""

from ..mmzone import MIGRATE_PCPTYPES, MIGRATE_MOVABLE, MIGRATETYPE_NAMES
from .palette import MIGRATETYPE_COLORS, STATE_COLORS
from ._util import new_axes, seed_note

PCP_EVENTS = ("pcp_refill", "pcp_alloc", "pcp_free", "pcp_drain")


def pcp_timeline(events, cpu=0, zone=None, snap_before=None):
    """The pcp state of one CPU in one zone after each of its pcp events.

    `zone` is (nid, zone name), or None for the zone of the first pcp event
    of `cpu`.  Returns a dict: ``zone``; ``x`` (0 = before the first event,
    i = after the i-th pcp event of this cpu and zone); ``count`` (the
    per_cpu_pages count, as the events report it); ``lists`` (per pcp list
    mt, its length, rebuilt from the pfns of pcp_refill / pcp_alloc /
    pcp_free / mm_page_pcpu_drain events); ``refills`` and ``drains`` as (x,
    nr_pages) pairs; ``events`` the pcp events used.  `snap_before`, a
    ZoneSnapshot taken before the trace started, supplies pages already on
    the lists.

    >>> import buddylab as bl
    >>> m = bl.Machine(cpus_per_node=1)              # Normal: batch 7, high 42
    >>> t = m.start_trace(); ps = [m.alloc_page(bl.GFP_KERNEL) for _ in range(3)]
    >>> tl = pcp_timeline(m.stop_trace())
    >>> tl["zone"], tl["count"], tl["refills"]
    ((0, 'Normal'), [0, 7, 6, 5, 4], [(1, 7)])
    """
    owner = {}          # pfn -> (cpu, nid, zone, list mt)
    init = [0] * MIGRATE_PCPTYPES
    if snap_before is not None:
        for p in snap_before.pcp:
            for mt, lst in enumerate(p.lists):
                for pfn in lst:
                    owner[pfn] = (p.cpu, snap_before.nid, snap_before.name, mt)
                if p.cpu == cpu and (zone is None or zone == (snap_before.nid, snap_before.name)):
                    init[mt] += len(lst)
        if zone is None:
            zone = (snap_before.nid, snap_before.name)
    if zone is None:
        first = next((e for e in events if e.name in PCP_EVENTS and e["cpu"] == cpu), None)
        zone = (first["nid"], first["zone"]) if first is not None else (0, "Normal")
    lists = list(init)
    out = dict(zone=zone, x=[0], count=[sum(init)], lists=[[n] for n in lists], refills=[],
               drains=[], events=[])
    pending = []
    for ev in events:
        n = ev.name
        if n == "mm_page_pcpu_drain":
            pending.append(ev)
            continue
        if n not in PCP_EVENTS:
            continue
        mine = ev["cpu"] == cpu and (ev["nid"], ev["zone"]) == tuple(zone)
        if n == "pcp_refill":
            for pfn in ev["pfns"]:
                owner[pfn] = (ev["cpu"], ev["nid"], ev["zone"], ev["migratetype"])
            if mine:
                lists[ev["migratetype"]] += len(ev["pfns"])
        elif n == "pcp_free":
            owner[ev["pfn"]] = (ev["cpu"], ev["nid"], ev["zone"], ev["migratetype"])
            if mine:
                lists[ev["migratetype"]] += 1
        elif n == "pcp_alloc":
            owner.pop(ev["pfn"], None)
            if mine:
                lists[ev["migratetype"]] -= 1
        elif n == "pcp_drain":
            for d in pending:
                o = owner.pop(d["pfn"], None)
                if o is not None:
                    mt = o[3]
                else:   # a page listed before the trace: HIGHATOMIC/CMA share MOVABLE's list
                    mt = d["migratetype"] if d["migratetype"] < MIGRATE_PCPTYPES \
                        else MIGRATE_MOVABLE
                if mine:
                    lists[mt] -= 1
            pending = []
        if not mine:
            continue
        out["events"].append(ev)
        x = len(out["events"])
        out["x"].append(x)
        out["count"].append(ev["count"])
        for mt in range(MIGRATE_PCPTYPES):
            out["lists"][mt].append(lists[mt])
        if n == "pcp_refill":
            out["refills"].append((x, len(ev["pfns"])))
        elif n == "pcp_drain":
            out["drains"].append((x, ev["nr_pages"]))
    return out


def plot_pcp_timeline(events, cpu=0, zone=None, ax=None, high=None, batch=None, snap=None,
                      snap_before=None, per_list=True, seed=None):
    """Step plot of one CPU's pcp count over its pcp events, against high and batch.

    x is the pcp event number on that CPU and zone (each refill, alloc, free
    and drain is one step); y the pages on its lists.  The total count is a
    black step line (label "count"); with `per_list`, each list (Unmovable,
    Movable, Reclaimable) is a thinner line in its migrate type's colour;
    `high` and `batch` are dashed and dotted horizontal lines (taken from
    `snap`, a ZoneSnapshot, when not given); refills are violet (the pcp colour) up-triangles
    and drains black down-triangles, each annotated with its number of pages.
    Returns the Axes.

    >>> import buddylab as bl
    >>> m = bl.Machine(cpus_per_node=1)
    >>> t = m.start_trace(); ps = [m.alloc_page(bl.GFP_KERNEL) for _ in range(3)]
    >>> ax = plot_pcp_timeline(m.stop_trace(), snap=m.zone_snapshot(0, "Normal"))
    >>> [l.get_label() for l in ax.get_lines()][:2]
    ['count', 'Unmovable list']
    """
    tl = pcp_timeline(events, cpu, zone, snap_before)
    zone = tl["zone"]
    if snap is not None and snap.pcp:
        p = next((q for q in snap.pcp if q.cpu == cpu), None)
        if p is not None:
            high = p.high if high is None else high
            batch = p.batch if batch is None else batch
    ax = new_axes(ax, (9, 4))
    x = tl["x"]
    ax.step(x, tl["count"], where="post", color="black", linewidth=1.8, label="count")
    if per_list:
        for mt in range(MIGRATE_PCPTYPES):
            ax.step(x, tl["lists"][mt], where="post", color=MIGRATETYPE_COLORS[mt],
                    linewidth=1.0, linestyle=(0, (4, 1)), label="%s list" % MIGRATETYPE_NAMES[mt])
    if high is not None:
        ax.axhline(high, color="#555555", linestyle="--", linewidth=1, label="high = %d" % high)
    if batch is not None:
        ax.axhline(batch, color="#555555", linestyle=":", linewidth=1, label="batch = %d" % batch)
    counts = dict(zip(x, tl["count"]))
    if tl["refills"]:
        rx = [r[0] for r in tl["refills"]]
        ax.scatter(rx, [counts[v] for v in rx], marker="^", s=40, color=STATE_COLORS["pcp"],
                   edgecolor="black", zorder=3, label="refill (rmqueue_bulk)")
    if tl["drains"]:
        dx = [d[0] for d in tl["drains"]]
        ax.scatter(dx, [counts[v] for v in dx], marker="v", s=40, color="black", zorder=3,
                   label="drain (free_pcppages_bulk)")
    if len(tl["refills"]) + len(tl["drains"]) <= 30:
        for xv, n in tl["refills"]:
            ax.annotate("+%d" % n, (xv, counts[xv]), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=8)
        for xv, n in tl["drains"]:
            ax.annotate("-%d" % n, (xv, counts[xv]), textcoords="offset points", xytext=(0, -11),
                        ha="center", fontsize=8)
    ax.set_xlabel("pcp event number on cpu %d (refill, alloc, free, drain)" % cpu)
    ax.set_ylabel("pages on the pcp lists")
    ax.set_title("Per-CPU pages of cpu %d, node %d zone %s: %d refills, %d drains"
                 % (cpu, zone[0], zone[1], len(tl["refills"]), len(tl["drains"])), fontsize=10)
    ymax = max([1] + tl["count"] + [v for v in (high, batch) if v is not None])
    ax.set_ylim(-0.5, ymax * 1.15 + 1)
    ax.set_xlim(0, max(1, x[-1]))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    seed_note(ax, seed)
    return ax
