"""A market's random generator as a small array the kernels draw from, exactly as numpy does.

Every market draws from its own numpy ``Generator`` (a PCG64 bit generator). Handing the
``Generator`` object to a compiled kernel costs about 18 microseconds a call, as much as a
whole round should; so the kernels keep the generator's state in a ``uint64`` array of
:data:`STATE_SIZE` numbers and advance it themselves, with numpy's algorithms: PCG64's
128-bit step and XSL-RR output, its buffered 32-bit draws, ``random`` (53-bit doubles),
``integers`` (Lemire's bounded method) and ``permutation`` (a Fisher-Yates shuffle over
``random_interval``). The round's kernels draw one number at a time (:func:`uniform`,
:func:`bounded`) or shuffle a range into an array they already hold (:func:`shuffled_range`),
so a round makes no array; ``random(n)`` and ``integers(n)`` are those draws in turn.
:func:`export_state` and :func:`import_state` move the state between the array and the
``Generator``, so a stream continues unbroken whichever draws next; a test holds every draw
to numpy's own.
"""

from __future__ import annotations

import numpy as np
from numba import njit

STATE_SIZE = 6  # state high, state low, increment high, increment low, has_uint32, uinteger
STATE_HI, STATE_LO, INC_HI, INC_LO, HAS_UINT32, UINTEGER = range(STATE_SIZE)

_MULT_HI = np.uint64(2549297995355413924)
_MULT_LO = np.uint64(4865540595714422341)
_M32 = np.uint64(0xFFFFFFFF)
_M64 = (1 << 64) - 1


def export_state(rng: np.random.Generator) -> np.ndarray:
    """The state of a PCG64 ``Generator`` as a kernel's state array."""
    bits = rng.bit_generator.state
    if bits["bit_generator"] != "PCG64":
        raise ValueError(f"rng: a {bits['bit_generator']} generator; the kernels need PCG64")
    state, inc = bits["state"]["state"], bits["state"]["inc"]
    return np.array(
        [state >> 64, state & _M64, inc >> 64, inc & _M64, bits["has_uint32"], bits["uinteger"]],
        dtype=np.uint64,
    )


def import_state(rng: np.random.Generator, state: np.ndarray) -> None:
    """Set a PCG64 ``Generator`` to a kernel's state array (the stream continues from it)."""
    hi, lo, inc_hi, inc_lo, has_uint32, uinteger = (int(v) for v in state)
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": (hi << 64) | lo, "inc": (inc_hi << 64) | inc_lo},
        "has_uint32": has_uint32,
        "uinteger": uinteger,
    }


@njit(cache=True)
def _mul64(a, b):
    """The 128-bit product of two 64-bit numbers: ``(high, low)``."""
    a_lo, a_hi = a & _M32, a >> np.uint64(32)
    b_lo, b_hi = b & _M32, b >> np.uint64(32)
    p0, p1, p2, p3 = a_lo * b_lo, a_lo * b_hi, a_hi * b_lo, a_hi * b_hi
    middle = (p0 >> np.uint64(32)) + (p1 & _M32) + (p2 & _M32)
    low = (p0 & _M32) | (middle << np.uint64(32))
    high = p3 + (p1 >> np.uint64(32)) + (p2 >> np.uint64(32)) + (middle >> np.uint64(32))
    return high, low


@njit(cache=True)
def next_uint64(state):
    """Advance PCG64 one step and return its 64-bit output (XSL-RR)."""
    high, low = _mul64(state[STATE_LO], _MULT_LO)
    high += state[STATE_HI] * _MULT_LO + state[STATE_LO] * _MULT_HI
    new_low = low + state[INC_LO]
    carry = np.uint64(1) if new_low < low else np.uint64(0)
    new_high = high + state[INC_HI] + carry
    state[STATE_HI], state[STATE_LO] = new_high, new_low
    mixed = new_high ^ new_low
    rotation = new_high >> np.uint64(58)
    return (mixed >> rotation) | (mixed << ((np.uint64(64) - rotation) & np.uint64(63)))


@njit(cache=True)
def next_uint32(state):
    """A 32-bit output: half of a 64-bit one, the other half kept for the next call."""
    if state[HAS_UINT32]:
        state[HAS_UINT32] = np.uint64(0)
        return state[UINTEGER]
    value = next_uint64(state)
    state[HAS_UINT32] = np.uint64(1)
    state[UINTEGER] = value >> np.uint64(32)
    return value & _M32


@njit(cache=True)
def uniform(state):
    """One ``Generator.random()`` double, uniform on [0, 1)."""
    return (next_uint64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def bounded(state, high):
    """One ``Generator.integers(0, high)`` draw (int64) for ``1 <= high <= 2**32``.

    ``integers(0, high, n)`` is ``n`` of these in turn (Lemire's method; ``high == 1`` draws
    nothing).
    """
    top = np.uint64(high - 1)
    if top == 0:
        return np.int64(0)
    if top == _M32:
        return np.int64(next_uint32(state))
    excl = top + np.uint64(1)
    m = next_uint32(state) * excl
    leftover = m & _M32
    if leftover < excl:
        threshold = (_M32 - top) % excl
        while leftover < threshold:
            m = next_uint32(state) * excl
            leftover = m & _M32
    return np.int64(m >> np.uint64(32))


@njit(cache=True)
def random(state, n):
    """``Generator.random(n)``: n doubles uniform on [0, 1)."""
    out = np.empty(n)
    for i in range(n):
        out[i] = uniform(state)
    return out


@njit(cache=True)
def integers(state, high, n):
    """``Generator.integers(0, high, n)`` (int64) for ``1 <= high <= 2**32``."""
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        out[i] = bounded(state, high)
    return out


@njit(cache=True)
def _interval(state, most):
    """A number uniform on ``[0, most]`` by masked rejection (numpy's ``random_interval``)."""
    if most == 0:
        return np.uint64(0)
    mask = np.uint64(most)
    for shift in (1, 2, 4, 8, 16, 32):
        mask |= mask >> np.uint64(shift)
    if most <= 0xFFFFFFFF:
        value = next_uint32(state) & mask
        while value > most:
            value = next_uint32(state) & mask
    else:
        value = next_uint64(state) & mask
        while value > most:
            value = next_uint64(state) & mask
    return value


@njit(cache=True)
def shuffle_first(state, values, n):
    """``Generator.shuffle`` of ``values[:n]``, in place (the rest untouched)."""
    for i in range(n - 1, 0, -1):
        j = np.int64(_interval(state, np.uint64(i)))
        values[i], values[j] = values[j], values[i]


@njit(cache=True)
def shuffled_range(state, out, n):
    """``Generator.permutation(n)`` written into ``out[:n]``, with no array made."""
    for i in range(n):
        out[i] = i
    shuffle_first(state, out, n)


@njit(cache=True)
def permutation(state, values):
    """``Generator.permutation`` of a 1-D array: a shuffled copy."""
    out = values.copy()
    shuffle_first(state, out, out.size)
    return out
