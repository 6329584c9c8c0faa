# SPDX-License-Identifier: MIT
"""The model registry: version chains, the current-version rule, roots and bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcx.params import FR_MODULUS
from zkcx.rollup import MalformedBlockError, ModelRegistry, ModelRegistryError, ModelVersion

H1, H2, H3 = (bytes([i]) * 32 for i in (1, 2, 3))


def test_a_new_model_starts_at_version_zero_and_each_step_appends_the_next():
    reg = ModelRegistry()
    assert reg.current("m") is None
    assert reg.extend("m", 0, 10, 11, 5, H1) == 1
    assert reg.extend("m", 1, 11, 12, 6, H2) == 2
    assert reg.versions("m") == (ModelVersion(10, 5, H1), ModelVersion(11, 5, H1),
                                 ModelVersion(12, 6, H2))
    assert reg.current("m") == (2, ModelVersion(12, 6, H2))


def test_a_step_must_start_from_the_current_version_and_commitment():
    reg = ModelRegistry()
    reg.register("m", 7)
    with pytest.raises(ModelRegistryError, match="at version 0, the claim starts from "
                                                 "version 1"):
        reg.check_step("m", 1, 7)
    with pytest.raises(ModelRegistryError, match="does not match version 0"):
        reg.extend("m", 0, 8, 9, 1, H1)
    with pytest.raises(ModelRegistryError, match="starts at version 0"):
        reg.check_step("new", 3, 7)
    with pytest.raises(ModelRegistryError, match="already registered"):
        reg.register("m", 1)
    with pytest.raises(ModelRegistryError, match=r"\[0, r\)"):
        reg.extend("m", 0, 7, FR_MODULUS, 1, H1)
    assert reg.versions("m") == (ModelVersion(7, 0, bytes(32)),)


def test_copies_are_independent_and_roots_follow_the_content():
    reg = ModelRegistry()
    empty = reg.root()
    reg.extend("m", 0, 1, 2, 1, H1)
    twin = reg.copy()
    twin.extend("m", 1, 2, 3, 2, H2)
    assert reg.versions("m") != twin.versions("m")
    assert len({empty, reg.root(), twin.root()}) == 3
    other = ModelRegistry()
    other.extend("m", 0, 1, 2, 1, H3)  # same commitments, another claim
    assert other.root() != reg.root()


steps = st.lists(st.tuples(st.sampled_from(["a", "b", "ç"]), st.integers(0, FR_MODULUS - 1)),
                 max_size=12)


@given(steps)
def test_bytes_round_trip_restores_versions_and_root(moves):
    reg = ModelRegistry()
    for height, (model, after) in enumerate(moves):
        cur = reg.current(model)
        version, before = (0, 5) if cur is None else (cur[0], cur[1].commitment)
        reg.extend(model, version, before, after, height, height.to_bytes(32, "big"))
    again = ModelRegistry.from_bytes(reg.to_bytes())
    assert again == reg
    assert again.root() == reg.root()
    assert again.to_bytes() == reg.to_bytes()


def test_corrupt_registry_bytes_are_refused():
    reg = ModelRegistry()
    reg.extend("m", 0, 1, 2, 1, H1)
    data = reg.to_bytes()
    with pytest.raises(MalformedBlockError, match="truncated"):
        ModelRegistry.from_bytes(data[:-1])
    with pytest.raises(MalformedBlockError, match="trailing"):
        ModelRegistry.from_bytes(data + b"\x00")
