# SPDX-License-Identifier: MIT
"""Tasks, capacity profiles and node records: exact JSON round trips, strict decoding
(every field checked, a status contradicted by its fields refused), leaf payloads that
change with every field, and the market operations' construction checks."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.market.strategies import DOT, profile, tasks
from zkcx.errors import ClaimError, EncodingError, InvalidOperationError
from zkcx.market import (
    CancelTask,
    CapacityProfile,
    KernelTerms,
    KernelTermsError,
    MarketOperationError,
    NodeRecord,
    PostTask,
    RegisterNode,
    Task,
    TaskClaim,
    TaskStatus,
)
from zkcx.params import FR_MODULUS
from zkcx.rewards import ClaimKind


@given(tasks())
def test_a_task_round_trips_through_its_json_form(task):
    assert Task.from_dict(task.to_dict()) == task


@given(tasks(), st.sampled_from([f.name for f in dataclasses.fields(Task)]))
def test_every_task_field_is_in_the_leaf(task, name):
    """Changing any one field (to another valid value where one exists) changes the
    leaf payload, so the state root commits to every field."""
    value = getattr(task, name)
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int):
        bound = {"attempts": 1 << 32, "min_tier": 1 << 8}.get(name, 1 << 63)  # field widths
        other = value + 1 if value + 1 < bound else value - 1
    elif isinstance(value, str):
        other = value + "x" if name not in ("kernel_id",) else hashlib.sha256(
            value.encode()).hexdigest()
    elif isinstance(value, bytes):
        other = bytes([value[0] ^ 1]) + value[1:]
    elif isinstance(value, TaskStatus):
        other = next(s for s in TaskStatus if s is not value)
    elif isinstance(value, ClaimKind):
        other = next(k for k in ClaimKind if k is not value)
    elif name == "inputs":
        other = ((value[0][0], (value[0][1] + 1) % FR_MODULUS), *value[1:])
    else:  # failed
        other = (*value, "zed")
    changed = dataclasses.replace(task, **{name: other})
    assert changed.leaf_payload() != task.leaf_payload()


@pytest.mark.parametrize("field, bad", [
    ("task_id", -1), ("task_id", "0"), ("poster", ""), ("kernel_id", "AB" * 32),
    ("kind", "mining"), ("work_units", 0), ("inputs", []), ("inputs", [[2, "1"], [1, "1"]]),
    ("inputs", [[0, str(FR_MODULUS)]]), ("inputs", [[0, 5]]), ("data_hash", "00" * 31),
    ("data_uri", "x" * 1025), ("fee", "0"), ("fee", 5), ("bond", "-1"), ("min_tier", 256),
    ("status", "paid"), ("attempts", True), ("failed", "bob"), ("claim_hash", "zz" * 32),
])
def test_a_malformed_task_field_is_refused_by_name(field, bad):
    task = Task(0, "alice", DOT, ClaimKind.COMPUTE, 1000, ((1, 5), (2, 6)), bytes(32), "",
                10, 0, 0, 0, 5, 5)
    d = task.to_dict()
    d[field] = bad
    with pytest.raises(EncodingError):
        Task.from_dict(d)


@pytest.mark.parametrize("change", [
    dict(status=TaskStatus.ASSIGNED),  # assigned to nobody
    dict(assignee="bob"),  # unassigned with an assignee
    dict(status=TaskStatus.DONE, assignee="bob"),  # done without its claim
    dict(claim_hash=bytes(32)),  # a claim hash on an open task
    dict(status=TaskStatus.ASSIGNED, assignee="alice"),  # the poster executes
    dict(attempts=1),  # a missed attempt without its node
    dict(failed=("bob",), attempts=1, status=TaskStatus.ASSIGNED, assignee="bob"),
    dict(closed_height=3),  # closed height on an open task
    dict(deadline=4),  # before posted + window
    dict(fee=0),
])
def test_a_task_whose_fields_contradict_its_status_is_refused(change):
    task = dataclasses.replace(
        Task(0, "alice", DOT, ClaimKind.COMPUTE, 1000, ((1, 5), (2, 6)), bytes(32), "", 10,
             0, 0, 0, 5, 5), **change)
    with pytest.raises(EncodingError):
        Task.from_dict(task.to_dict())


def test_a_capacity_profile_derives_its_rate_and_checks_its_facts():
    p = CapacityProfile("matmul", 262_144, 2_500, 2, bytes(32))
    assert p.units_per_second == 262_144 * 1000 // 2_500
    assert CapacityProfile.from_dict(p.to_dict()) == p
    record = NodeRecord(p, 7)
    assert NodeRecord.from_dict(record.to_dict()) == record
    assert record.leaf_payload("bob") != record.leaf_payload("bobby")
    for bad in (dict(circuit=""), dict(circuit="x" * 65), dict(circuit_units=0),
                dict(prove_millis=0), dict(threads=0), dict(report_hash=b"x"),
                dict(circuit_units=1, prove_millis=1001)):  # below one unit per second
        with pytest.raises(MarketOperationError):
            dataclasses.replace(p, **bad)
    d = p.to_dict()
    d["threads"] = "2"
    with pytest.raises(EncodingError):
        CapacityProfile.from_dict(d)


def _post(**change) -> PostTask:
    fields = dict(poster="alice", kernel_id=DOT, kind=ClaimKind.COMPUTE, work_units=1000,
                  inputs=((1, 5), (2, 6)), data_hash=bytes(32), data_uri="ipfs://x",
                  fee=10, bond=0, min_tier=0, deadline=5)
    fields.update(change)
    return PostTask(**fields)


@pytest.mark.parametrize("change", [
    dict(poster=""), dict(kernel_id="00"), dict(kind="mining"), dict(work_units=0),
    dict(inputs=()), dict(inputs=((2, 1), (1, 1))), dict(inputs=((1, 1), (1, 2))),
    dict(inputs=((1, FR_MODULUS),)), dict(inputs=((-1, 0),)), dict(inputs="12"),
    dict(data_hash=b"\0" * 31), dict(data_uri="é" * 600), dict(fee=0), dict(fee=True),
    dict(bond=-1), dict(min_tier=-1), dict(deadline=0), dict(deadline=2**63),
])
def test_post_task_refuses_malformed_fields_at_construction(change):
    with pytest.raises(MarketOperationError):
        _post(**change)


def test_market_operations_name_their_signer_and_refuse_bad_fields():
    assert _post().actor == "alice"
    assert _post(kind="compute").kind is ClaimKind.COMPUTE
    assert CancelTask("bob", 3).actor == "bob"
    assert RegisterNode("carol", profile()).actor == "carol"
    for make in (lambda: CancelTask("bob", -1), lambda: CancelTask("", 0),
                 lambda: RegisterNode("carol", {"circuit": "x"})):
        with pytest.raises(InvalidOperationError):
            make()


def test_kernel_terms_are_checked_and_say_why_no_task_may_name_a_kernel():
    terms = KernelTerms("compute", 10, [3, 1], True)
    assert terms.kind is ClaimKind.COMPUTE and terms.input_positions == (1, 3)
    assert terms.task_problem() is None
    assert "not all public" in KernelTerms(ClaimKind.COMPUTE, 10, None, True).task_problem()
    assert "not all public" in KernelTerms(ClaimKind.COMPUTE, 10, (), True).task_problem()
    assert "no claim binding" in KernelTerms(ClaimKind.COMPUTE, 10, (1,), False).task_problem()
    for bad in (dict(kind="mining"), dict(work_units=0), dict(input_positions="12"),
                dict(input_positions=(-1,)), dict(has_binding=1)):
        fields = dict(kind=ClaimKind.COMPUTE, work_units=10, input_positions=(1,),
                      has_binding=True)
        fields.update(bad)
        with pytest.raises(KernelTermsError):
            KernelTerms(**fields)


def test_a_task_claim_is_checked_at_construction():
    good = dict(node_id="a", task_id=0, kernel_id=DOT, public_inputs=[1, 2],
                claim_hash=bytes(32))
    assert TaskClaim(**good).public_inputs == (1, 2)
    for bad in (dict(node_id=""), dict(task_id=-1), dict(task_id=True), dict(kernel_id="x"),
                dict(public_inputs="12"), dict(public_inputs=[1.5]),
                dict(claim_hash=b"x")):
        with pytest.raises(ClaimError):
            TaskClaim(**{**good, **bad})


def test_closing_a_task_changes_status_height_and_claim_hash_only():
    """Task.closed is dataclasses.replace of three fields: every other field, whatever it
    holds (a distinct object per field, so a field out of order or left out shows), is
    kept."""
    task = Task(**{f.name: object() for f in dataclasses.fields(Task)})
    for status in (TaskStatus.DONE, TaskStatus.CANCELLED, TaskStatus.EXPIRED):
        for claim_hash in (None, bytes(range(32))):
            closed = task.closed(status, 17, claim_hash)
            assert closed == dataclasses.replace(task, status=status, closed_height=17,
                                                 claim_hash=claim_hash)
            assert all(getattr(closed, f.name) is getattr(task, f.name)
                       for f in dataclasses.fields(Task)
                       if f.name not in ("status", "closed_height", "claim_hash"))
