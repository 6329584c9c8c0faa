# SPDX-License-Identifier: MIT
"""prove_many: its proofs verify and, with the blinding fixed, equal prove's; a bad
witness among good ones is named by its index with the error prove raises; an empty
batch, witnesses of the wrong size, a corrupt key, fresh blinding, one or two threads."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.groth16.conftest import demo_circuit
from zkcx import _bindings
from zkcx.curve import G2Vec
from zkcx.errors import (
    ArgumentTypeError,
    InconsistentKeyError,
    InvalidArgumentError,
    LengthMismatchError,
    UnsatisfiedConstraintError,
    UnsatisfiedWitnessError,
    WitnessError,
)
from zkcx.field import FqVec, FrVec
from zkcx.groth16 import prove, prove_many, read_zkey, setup, verify, zkey_bytes
from zkcx.params import FR_MODULUS

R = FR_MODULUS


@pytest.fixture(scope="module")
def keyed():
    r1cs, variables = demo_circuit("prove_many")
    return r1cs, variables, setup(r1cs)


def _witness(r1cs, variables, xv, yv, kv):
    x, y, k, out = variables
    return r1cs.solve({x: xv, y: yv, k: kv, out: (xv * yv * kv + xv) % R})


def _unsatisfied(witness) -> FrVec:
    values = witness.values.to_ints()
    values[-1] = (values[-1] + 1) % R
    return FrVec.from_ints(values)


@pytest.fixture(params=[1, 2], ids=["one thread", "two threads"])
def threads(request):
    before = _bindings.get_threads()
    _bindings.set_threads(request.param)
    yield request.param
    _bindings.set_threads(before)


statement = st.tuples(st.integers(0, R - 1), st.integers(0, R - 1), st.integers(0, R - 1))


@settings(max_examples=5, deadline=None)
@given(st.lists(statement, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_proofs_verify_and_equal_prove_with_the_same_blinding(keyed, statements, rng):
    r1cs, variables, pk = keyed
    witnesses = [_witness(r1cs, variables, *s) for s in statements]
    blinding = [(rng.randrange(R), rng.randrange(R)) for _ in witnesses]
    fixed = prove_many(pk, witnesses, r1cs, blinding=blinding)
    assert len(fixed) == len(witnesses)
    for w, pair, (proof, public) in zip(witnesses, blinding, fixed, strict=True):
        assert (proof, public) == prove(pk, w, blinding=pair)
        assert verify(pk.verifying_key, public, proof)
    for (proof, public), (xv, yv, kv) in zip(prove_many(pk, witnesses), statements,
                                              strict=True):
        assert public == [(xv * yv * kv + xv) % R, kv]
        assert verify(pk.verifying_key, public, proof)


def test_public_signals_are_each_witnesses_own(keyed, threads):
    r1cs, variables, pk = keyed
    statements = [(3, 4, 5), (1, 2, 3), (7, 0, 9), (0, 0, 0), (2, 2, 2)]
    results = prove_many(pk, [_witness(r1cs, variables, *s) for s in statements], r1cs)
    assert [public for _, public in results] == [[x * y * k + x, k] for x, y, k in statements]
    assert all(verify(pk.verifying_key, pub, proof) for proof, pub in results)


def test_every_proof_has_fresh_blinding(keyed, threads):
    r1cs, variables, pk = keyed
    w = _witness(r1cs, variables, 1, 2, 3)
    (p1, _), (p2, _), (p3, _) = prove_many(pk, [w, w, w])
    assert p1.a != p2.a != p3.a and p1.c != p2.c and p1.b != p3.b


@pytest.mark.parametrize("bad_index", [0, 2, 4])
def test_a_bad_witness_among_good_ones_is_named_by_index(keyed, threads, bad_index):
    r1cs, variables, pk = keyed
    witnesses: list = [_witness(r1cs, variables, i + 1, 3, 4) for i in range(5)]
    witnesses[bad_index] = _unsatisfied(witnesses[bad_index])
    with pytest.raises(UnsatisfiedWitnessError, match=rf"^witness {bad_index} \(of 5\): "
                                                      r"the witness does not satisfy") as err:
        prove_many(pk, witnesses)
    assert err.value.witness_index == bad_index
    with pytest.raises(UnsatisfiedConstraintError, match=rf"^witness {bad_index} \(of 5\): "
                                                         r"constraint #\d+") as err:
        prove_many(pk, witnesses, r1cs)
    assert err.value.witness_index == bad_index and err.value.index >= 0


def test_the_first_of_several_bad_witnesses_is_named(keyed, threads):
    r1cs, variables, pk = keyed
    witnesses: list = [_witness(r1cs, variables, i, 1, 1) for i in range(6)]
    for i in (3, 1, 5):
        witnesses[i] = _unsatisfied(witnesses[i])
    with pytest.raises(UnsatisfiedWitnessError, match=r"^witness 1 \(of 6\)"):
        prove_many(pk, witnesses)


def test_an_empty_batch_gives_no_proofs(keyed):
    _, _, pk = keyed
    seen = []
    assert prove_many(pk, [], progress=lambda *a: seen.append(a)) == []
    assert prove_many(pk, ()) == []
    assert seen == []


def test_witnesses_of_the_wrong_size_are_named(keyed, threads):
    r1cs, variables, pk = keyed
    good = _witness(r1cs, variables, 1, 2, 3)
    short = FrVec.from_ints(good.values.to_ints()[:-1])
    with pytest.raises(WitnessError, match=r"^witness 1 \(of 3\): .*proving key") as err:
        prove_many(pk, [good, short, good])
    assert err.value.witness_index == 1
    with pytest.raises(WitnessError, match="R1CS does not match"):
        prove_many(pk, [good], _other_circuit())


def _other_circuit():
    """A circuit with one more private wire than the demo's."""
    from zkcx.r1cs import ConstraintSystem

    cs = ConstraintSystem("other")
    x, y, z = cs.private_input("x"), cs.private_input("y"), cs.private_input("z")
    k = cs.public_input("k")
    out = cs.output("out")
    cs.assert_equal(cs.mul(cs.mul(x, y), z) * k + x, out, "out")
    return cs.build()


def test_bad_arguments_are_refused(keyed):
    r1cs, variables, pk = keyed
    w = _witness(r1cs, variables, 1, 2, 3)
    with pytest.raises(ArgumentTypeError, match="sequence of witnesses"):
        prove_many(pk, w)  # one witness, not a list of them
    with pytest.raises(ArgumentTypeError):
        prove_many(pk, iter([w]))
    with pytest.raises(LengthMismatchError, match="2 witnesses but 1 blinding"):
        prove_many(pk, [w, w], blinding=[(1, 2)])


def test_a_corrupt_key_is_named_not_the_witnesses(keyed, threads, curve_twist_point):
    r1cs, variables, pk = keyed
    witnesses = [_witness(r1cs, variables, i + 2, 3, 4) for i in range(3)]
    values = witnesses[0].values.to_ints()
    wire = max(i for i in range(pk.n_wires) if values[i] and pk.b2.limbs[i].any())
    limbs = pk.b2.limbs.copy()
    limbs[wire] = FqVec.from_ints(list(curve_twist_point)).limbs.reshape(-1)
    bad_b2 = read_zkey(zkey_bytes(dataclasses.replace(pk, b2=G2Vec(limbs, check_subgroup=False))))
    for extra in ((), (r1cs,)):
        with pytest.raises(InconsistentKeyError, match=f"B2 point {wire} "):
            prove_many(bad_b2, witnesses, *extra)
    # valid points that do not match the verifying key: C's points swapped
    c = pk.c.limbs.copy()
    c[[0, -1]] = c[[-1, 0]]
    mismatched = dataclasses.replace(pk, c=type(pk.c)(c))
    with pytest.raises(InconsistentKeyError, match=r"^witness 0 \(of 3\): .*corrupt or mismatched"):
        prove_many(mismatched, witnesses, r1cs)


def test_progress_reaches_the_total_and_threads_are_left_as_they_were(keyed, threads):
    r1cs, variables, pk = keyed
    seen = []
    prove_many(pk, [_witness(r1cs, variables, i, 1, 1) for i in range(4)],
               progress=lambda done, total, step: seen.append((done, total, step)))
    assert seen[0][0] == 0 and seen[-1] == (5, 5, "done")
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    assert _bindings.get_threads() == threads


def test_local_threads_affect_only_the_calling_thread():
    before = _bindings.get_threads()
    with pytest.raises(InvalidArgumentError):
        _bindings.set_local_threads(-1)
    seen = []

    def worker():
        _bindings.set_local_threads(1)
        seen.append(_bindings.get_threads())

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [before] and _bindings.get_threads() == before  # the global count
