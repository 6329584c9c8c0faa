# SPDX-License-Identifier: MIT
"""The shared bounded argument types (``zkcx.cli._args.int_in``, ``seconds_in``): every
value inside the bounds is taken as it is, everything else is an argparse type error."""

from __future__ import annotations

import argparse
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcx.cli._args import int_in, seconds_in


@given(st.integers(-10**6, 10**6))
def test_int_in_takes_exactly_the_integers_within_its_bounds(value: int) -> None:
    parse = int_in(1, 1000, "a count")
    if 1 <= value <= 1000:
        assert parse(str(value)) == value
    else:
        with pytest.raises(argparse.ArgumentTypeError, match="is not a count"):
            parse(str(value))


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_seconds_in_takes_exactly_the_finite_values_within_its_bounds(value: float) -> None:
    closed = seconds_in(0, 3600, "a duration")
    open_low = seconds_in(0, math.inf, "a positive duration", zero=False)
    for parse, ok in ((closed, math.isfinite(value) and 0 <= value <= 3600),
                      (open_low, math.isfinite(value) and value > 0)):
        if ok:
            assert parse(repr(value)) == value
        else:
            with pytest.raises(argparse.ArgumentTypeError, match="is not a"):
                parse(repr(value))


@pytest.mark.parametrize("text", ["", "x", "1e3x", "0x10", " "])
def test_words_are_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        int_in(0, 10**9, "a count")(text)
    with pytest.raises(argparse.ArgumentTypeError):
        seconds_in(0, 10.0, "a duration")(text)
