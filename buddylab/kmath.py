"""The kernel's integer helpers that the allocator's formulas use, written once.

Kernel: int_sqrt() in lib/math/int_sqrt.c; mult_frac() in include/linux/math.h
(include/linux/kernel.h in v4.18); rounddown_pow_of_two() in include/linux/log2.h;
fls() in include/asm-generic/bitops/fls.h; clamp() in include/linux/minmax.h (v6.18's
pcp auto-tuning).  The same in v4.18 and v6.18.

Every formula of both kernels (watermarks, min_free_kbytes, pcp batch, the vmstat
threshold) calls these, so a kernel version never re-implements one.
"""

from math import isqrt

__all__ = ["int_sqrt", "mult_frac", "rounddown_pow_of_two", "fls", "clamp"]


def int_sqrt(x):
    """int_sqrt(): the floor of the square root.

    >>> int_sqrt(131072 * 16), int_sqrt(0)
    (1448, 0)
    """
    return isqrt(x)


def mult_frac(x, numer, denom):
    """mult_frac(): x * numer / denom without overflow, i.e. floor(x*numer/denom).

    The kernel splits x into quotient and remainder by denom first:
    ``(x / d) * n + ((x % d) * n) / d``.

    >>> mult_frac(28672, 1000, 10000), mult_frac(742000, 10, 10000)
    (2867, 742)
    """
    quot = x // denom
    rem = x % denom
    return quot * numer + (rem * numer) // denom


def rounddown_pow_of_two(n):
    """rounddown_pow_of_two(): the largest power of two <= n (n >= 1).

    >>> rounddown_pow_of_two(10), rounddown_pow_of_two(16)
    (8, 16)
    """
    return 1 << (n.bit_length() - 1)


def fls(x):
    """fls(): the 1-based index of the highest set bit; fls(0) = 0.

    >>> fls(0), fls(1), fls(24)
    (0, 1, 5)
    """
    return x.bit_length()


def clamp(val, lo, hi):
    """clamp(): `val` limited to [lo, hi], compared against hi first.

    Kernel: __clamp() in include/linux/minmax.h (v6.18): ``val >= hi ? hi : (val <= lo ?
    lo : val)``; with lo > hi (a runtime value the kernel does not reject) a value below hi
    gives lo, unlike min(max(val, lo), hi).

    >>> clamp(5, 2, 8), clamp(9, 2, 8), clamp(1, 2, 8), clamp(3, 4, 2), clamp(1, 4, 2)
    (5, 8, 2, 2, 4)
    """
    if val >= hi:
        return hi
    if val <= lo:
        return lo
    return val
