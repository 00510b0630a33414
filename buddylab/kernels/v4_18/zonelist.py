"""v4.18's test of which zones a zonelist holds.

Kernel: build_zonerefs_node() in mm/page_alloc.c (v4.18) adds a zone when managed_zone(zone)
(managed pages > 0); 6.x tests populated_zone() instead.
"""


def managed_zone(zone):
    """build_zonerefs_node()'s test in v4.18: managed_zone(), managed pages > 0."""
    return zone.managed()
