# SPDX-License-Identifier: MIT
"""setup and prove report their steps to a progress callback, in order, ending at
done == total; the callback changes nothing in the result."""

from __future__ import annotations

from zkcx import groth16
from zkcx.r1cs import ConstraintSystem


def _calls():
    seen: list[tuple[int, int, str]] = []
    return seen, lambda done, total, what: seen.append((done, total, what))


def _cubic():
    cs = ConstraintSystem("cubic")
    x, out = cs.private_input("x"), cs.output("out")
    cs.assert_equal(x * x * x + x + 5, out, "result")
    r1cs = cs.build()
    return r1cs, r1cs.solve({x: 3, out: 35})


def _well_formed(seen):
    dones = [d for d, _, _ in seen]
    totals = {t for _, t, _ in seen}
    assert len(totals) == 1 and dones == sorted(dones) and dones[0] == 0
    assert seen[-1][0] == seen[-1][1] and seen[-1][2] == "done"
    assert all(isinstance(w, str) and w for _, _, w in seen)


def test_setup_and_prove_report_every_step_in_order():
    r1cs, witness = _cubic()
    seen, cb = _calls()
    pk = groth16.setup(r1cs, progress=cb)
    _well_formed(seen)
    assert any("B2" in w for _, _, w in seen)
    seen, cb = _calls()
    proof, public = groth16.prove(pk, witness, r1cs, progress=cb)
    _well_formed(seen)
    # the proof is one native call: one step names all of its parts
    assert [w for _, _, w in seen] == [
        "checking the witness", "proving: A·w, B·w, the quotient H, MSMs A, B1, B2 (G2), C, H",
        "verifying the proof", "done"]
    assert groth16.verify(pk.verifying_key, public, proof)


def test_a_verifying_key_pickles_after_its_caches_are_filled():
    import pickle

    r1cs, witness = _cubic()
    pk = groth16.setup(r1cs)
    vk = pk.verifying_key
    assert pk.verifying_key is vk  # made once per proving key
    proof, public = groth16.prove(pk, witness, r1cs)
    assert groth16.verify(vk, public, proof)  # fills vk's caches
    assert "_alpha_beta" in vk.__dict__
    again = pickle.loads(pickle.dumps(vk))
    assert again == vk and again.digest() == vk.digest()
    assert groth16.verify(again, public, proof)
