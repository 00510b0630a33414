"""The OOM killer: at the end of the slow path, kill the task whose death frees the most.

Kernel: mm/oom_kill.c (v4.18): out_of_memory(), select_bad_process(),
oom_evaluate_task(), oom_badness(), oom_kill_process(), __oom_kill_process();
the decision to call it is __alloc_pages_may_oom() in mm/page_alloc.c.

Simplifications, said aloud:

* Tasks are the machine's Owners.  oom_badness() = rss (resident anonymous
  and page-cache pages) + swap entries, adjusted by oom_score_adj *
  totalpages / 1000; page tables are not counted.  Kernel threads, tasks
  with oom_score_adj = -1000 and tasks already killed are never chosen.  Ties
  go to the task found first (creation order), as in oom_evaluate_task().
* The victim's memory goes at once (the kernel's oom_reaper and exit path do
  it a little later): its anonymous and kernel pages (page tables, stack)
  are freed and its swap slots released; its page-cache and slab pages stay
  cached (they belong to the file and slab caches, not to the task).
* With no killable task the kernel panics ("Out of memory and no killable
  processes..."); the model records an ``oom_no_victim`` event and reports
  no progress.  No memcg, cpuset or mempolicy constraint: totalpages is all
  managed pages plus swap (CONSTRAINT_NONE).
"""

from .owners import ANON, RESIDENT, OOM_SCORE_ADJ_MIN, OOM_SCORE_ADJ_MAX, release_mm  # noqa: F401


def oom_badness(owner, totalpages):
    """oom_badness(): rss + swap + oom_score_adj * (totalpages / 1000); 0 = never a victim.

    Kernel: oom_badness() in mm/oom_kill.c (v4.18): ``adj *= totalpages / 1000``,
    the division first (integer), then the product.

    >>> class T: kthread = False; killed = False; oom_score_adj = 0; rss = lambda self: 300
    >>> oom_badness(T(), 4096)
    300
    >>> t = T(); t.oom_score_adj = -500; oom_badness(t, 4096)   # 300 - 2048 -> at least 1
    1
    """
    if owner.kthread or owner.killed or owner.oom_score_adj == OOM_SCORE_ADJ_MIN:
        return 0
    points = owner.rss()
    points += owner.oom_score_adj * (totalpages // 1000)
    return points if points > 0 else 1


def select_bad_process(m, totalpages):
    """select_bad_process(): the task with the highest oom_badness() (first on ties)."""
    chosen, chosen_points = None, 0
    for task in m.owners.tasks:
        points = oom_badness(task, totalpages)
        if not points or points < chosen_points:
            continue
        if points == chosen_points:
            continue
        chosen, chosen_points = task, points
    return chosen, chosen_points


def oom_kill_process(m, victim, points, cpu):
    """oom_kill_process(): mark the victim and free its memory (see the module docstring)."""
    rss = victim.rss()
    tr = m.trace
    if tr is not None:
        tr.emit("oom_victim", victim=victim.name, points=points, rss=rss,
                anon_pages=sum(1 for h in victim.handles if h.kind == ANON and h.state == RESIDENT),
                swapents=victim.nr_swapents)
    victim.killed = True
    release_mm(m, victim, cpu)
    victim.nr_resident = 0


def out_of_memory(m, gfp_mask, order, ac, cpu=0):
    """out_of_memory(): choose a victim and kill it; True if that made progress.

    Kernel: out_of_memory() in mm/oom_kill.c (v4.18).  A request without
    __GFP_FS does not kill but claims progress ("the OOM killer does not
    compensate for IO-less reclaim").
    """
    tr = m.trace
    if gfp_mask and not gfp_mask & m.kernel.gfp.__GFP_FS:
        if tr is not None:
            tr.emit("oom_skip", reason="!__GFP_FS: no kill, progress claimed")
        return True
    if m.owners is None:
        victim, points = None, 0
    else:
        totalpages = sum(z.managed_pages for z in m.zones) + m.nr_swap_pages
        victim, points = select_bad_process(m, totalpages)
    if victim is None:
        if tr is not None:
            tr.emit("oom_no_victim", order=order,
                    what="the kernel panics: Out of memory and no killable processes")
        return False
    oom_kill_process(m, victim, points, cpu)
    return True


__all__ = ["OOM_SCORE_ADJ_MIN", "OOM_SCORE_ADJ_MAX", "oom_badness", "select_bad_process",
           "oom_kill_process", "out_of_memory", "release_mm"]
