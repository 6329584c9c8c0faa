# SPDX-License-Identifier: MIT
"""Token buckets and bounded body reads, with a fake clock and fake streams."""

from __future__ import annotations

import asyncio

import pytest

from zkcx.operator.errors import OperatorRequestError
from zkcx.operator.limits import RateLimiter, read_limited


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_its_rate():
    clock = Clock()
    limiter = RateLimiter(2.0, 3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("a")
    assert wait == pytest.approx(0.5)
    assert limiter.take("b") == 0.0  # keys are independent
    clock.now += 0.5
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    clock.now += 100
    assert [limiter.take("a") for _ in range(4)].count(0.0) == 3  # refilled to the burst only


def test_check_raises_429_with_whole_seconds_to_wait():
    clock = Clock()
    limiter = RateLimiter(0.1, 1, clock=clock)
    limiter.check("k", "account k")
    with pytest.raises(OperatorRequestError) as info:
        limiter.check("k", "account k")
    assert info.value.status == 429 and info.value.code == "rate_limited"
    assert info.value.headers["Retry-After"] == "10"


def test_full_buckets_are_forgotten_when_the_table_grows():
    clock = Clock()
    limiter = RateLimiter(1.0, 1, max_keys=10, clock=clock)
    for k in range(10):
        limiter.take(str(k))
    clock.now += 5  # every bucket full again
    limiter.take("new")
    assert len(limiter._buckets) <= 2


async def _stream(chunks):
    for chunk in chunks:
        yield chunk


def _read(headers, chunks, limit):
    return asyncio.run(read_limited(headers, _stream(chunks), limit))


def test_bodies_are_read_up_to_the_limit():
    assert _read({}, [b"ab", b"cd"], 4) == b"abcd"
    with pytest.raises(OperatorRequestError) as info:
        _read({}, [b"ab", b"cde"], 4)
    assert info.value.status == 413
    with pytest.raises(OperatorRequestError) as info:  # refused before reading
        _read({"content-length": "5"}, [], 4)
    assert info.value.status == 413
    with pytest.raises(OperatorRequestError) as info:
        _read({"content-length": "x"}, [], 4)
    assert info.value.status == 400
