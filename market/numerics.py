"""Arithmetic the compiled kernels share with numpy, operation for operation.

A kernel that sums an array must give numpy's own result to the last bit, or a market run
by kernels would drift from one run by numpy code. numpy sums float arrays pairwise (blocks
of eight partial sums below 128 elements, halves above); :func:`pairwise_sum` is that
algorithm, and a test holds it to ``np.sum`` on arrays of every length that matters.
"""

from __future__ import annotations

from numba import njit

BLOCK = 128  # numpy's PW_BLOCKSIZE


@njit(cache=True)
def pairwise_sum(values):
    """``np.sum(values)`` of a 1-D float64 array, summed in numpy's order."""
    n = values.size
    if n < 8:
        total = 0.0
        for i in range(n):
            total += values[i]
        return total
    if n <= BLOCK:
        r0, r1, r2, r3 = values[0], values[1], values[2], values[3]
        r4, r5, r6, r7 = values[4], values[5], values[6], values[7]
        i = 8
        while i < n - (n % 8):
            r0 += values[i]
            r1 += values[i + 1]
            r2 += values[i + 2]
            r3 += values[i + 3]
            r4 += values[i + 4]
            r5 += values[i + 5]
            r6 += values[i + 6]
            r7 += values[i + 7]
            i += 8
        total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            total += values[i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return pairwise_sum(values[:half]) + pairwise_sum(values[half:])


@njit(cache=True)
def minimum(a, b):
    """``np.minimum`` of two numbers: the smaller, or nan if either is nan."""
    return a if (a < b or a != a) else b


@njit(cache=True)
def maximum(a, b):
    """``np.maximum`` of two numbers: the larger, or nan if either is nan."""
    return a if (a > b or a != a) else b
