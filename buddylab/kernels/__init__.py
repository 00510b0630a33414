"""The kernel versions the lab models, side by side: one package each.

``v4_18/`` is the classic kernel (mm/ of Linux v4.18), the one that runs; ``v6_18/`` is
today's kernel (Linux v6.18), formulas only until its profile runs.  ``base.py`` declares
the seam once: every constant, formula, layout and algorithm in which the two differ, as the
attributes of :class:`buddylab.kernels.base.Kernel`.  Everything version-neutral (mem_map and
its lists, the zone and node structures, compaction, reclaim, the plots and widgets) lives
outside this package and reaches a version's code only through ``machine.kernel``.

``buddylab.kernels.select.get_kernel(name)`` returns the kernel object for a name.  This
file imports nothing, so the leaf modules of a version stay leaves.
"""
