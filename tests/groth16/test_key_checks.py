# SPDX-License-Identifier: MIT
"""Keys under which forged proofs verify are refused when read and when registered; a
proving key with an invalid point is named by prove(), not blamed on the witness."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from zkcx.curve import G1, G2, G2Vec
from zkcx.errors import InvalidKeyError
from zkcx.field import FqVec
from zkcx.groth16 import Proof, prove, read_verifying_key, read_zkey, verify, zkey_bytes
from zkcx.groth16.json_files import verifying_key_from_json, verifying_key_json
from zkcx.groth16.keys import VerifyingKey
from zkcx.groth16.prove import InconsistentKeyError, UnsatisfiedWitnessError
from zkcx.kernels import PublicBounds
from zkcx.rollup import KernelRegistry, KernelRegistryError

INFINITY_G1, INFINITY_G2 = ["0", "1", "0"], [["0", "0"], ["1", "0"], ["0", "0"]]


@pytest.mark.parametrize("field,point", [("vk_alpha_1", INFINITY_G1),
                                         ("vk_beta_2", INFINITY_G2),
                                         ("vk_gamma_2", INFINITY_G2),
                                         ("vk_delta_2", INFINITY_G2)])
def test_verifying_key_points_at_infinity_are_refused(keyed, field, point):
    _, _, pk = keyed
    obj = verifying_key_json(pk.verifying_key)
    obj[field] = point
    with pytest.raises(InvalidKeyError, match=field.removeprefix("vk_")):
        read_verifying_key(obj)
    with pytest.raises(InvalidKeyError, match="infinity"):
        verifying_key_from_json(json.loads(json.dumps(obj)))


def test_the_attack_the_infinity_check_stops(keyed):
    """With gamma at infinity, (alpha, beta, infinity) verifies for every public input:
    the reason such keys are refused (the key is built directly, bypassing the check)."""
    _, _, pk = keyed
    vk = pk.verifying_key
    forged_key = VerifyingKey(vk.alpha_1, vk.beta_2, G2.identity(), vk.delta_2, vk.ic)
    forged = Proof(vk.alpha_1, vk.beta_2, G1.identity())
    assert verify(forged_key, [1, 2], forged)
    assert verify(forged_key, [12345, 678], forged)
    assert not verify(vk, [1, 2], forged)


def test_gamma_equal_to_delta_or_beta_and_ic_at_infinity_are_refused(keyed):
    _, _, pk = keyed
    base = verifying_key_json(pk.verifying_key)
    for change, message in ((("vk_delta_2", base["vk_gamma_2"]), "gamma_2 equals delta_2"),
                            (("vk_beta_2", base["vk_gamma_2"]), "gamma_2 equals beta_2")):
        obj = dict(base)
        obj[change[0]] = change[1]
        with pytest.raises(InvalidKeyError, match=message):
            read_verifying_key(obj)
    obj = dict(base, IC=[base["IC"][0], INFINITY_G1, base["IC"][2]])
    with pytest.raises(InvalidKeyError, match=r"IC\[1\]"):
        read_verifying_key(obj)


def test_registry_refuses_forgeable_keys(keyed):
    _, _, pk = keyed
    vk = pk.verifying_key
    bad = VerifyingKey(vk.alpha_1, vk.beta_2, G2.identity(), vk.delta_2, vk.ic)
    with pytest.raises(KernelRegistryError, match="gamma_2"):
        KernelRegistry().register(bad, 10, "compute", unsafe_local_setup=True,
                                  public_bounds=PublicBounds.unbounded(vk.n_public))
    good = KernelRegistry()
    good.register(vk, 10, "compute", public_bounds=PublicBounds.unbounded(vk.n_public),
                  unsafe_local_setup=True)
    data = good.to_json()
    data["kernels"][0]["verifying_key"]["vk_delta_2"] = INFINITY_G2
    with pytest.raises(KernelRegistryError, match="delta_2"):
        KernelRegistry.from_json(data)


def test_zkey_with_a_header_point_or_ic_at_infinity_is_refused(keyed):
    _, _, pk = keyed
    data = bytearray(zkey_bytes(pk))
    delta_2 = pk.delta_2.montgomery_limbs()
    at = bytes(data).index(delta_2)
    bad = bytes(data[:at]) + bytes(128) + bytes(data[at + 128:])
    with pytest.raises(InvalidKeyError, match="delta_2"):
        read_zkey(bad)
    ic1 = pk.ic[1].montgomery_limbs()
    at = bytes(data).index(ic1)
    with pytest.raises(InvalidKeyError, match="IC"):
        read_zkey(bytes(data[:at]) + bytes(64) + bytes(data[at + 64:]))


def _with_bad_b2(pk, twist_point, wire):
    limbs = pk.b2.limbs.copy()
    limbs[wire] = FqVec.from_ints(list(twist_point)).limbs.reshape(-1)
    return read_zkey(zkey_bytes(dataclasses.replace(pk, b2=G2Vec(limbs, check_subgroup=False))))


def test_prove_names_an_invalid_b2_point_instead_of_blaming_the_witness(keyed,
                                                                       curve_twist_point):
    r1cs, witness, pk = keyed
    values = witness.values.to_ints()
    wire = max(i for i in range(pk.n_wires) if values[i] and pk.b2.limbs[i].any())
    bad = _with_bad_b2(pk, curve_twist_point, wire)
    for extra in ((), (r1cs,)):
        with pytest.raises(InconsistentKeyError, match=f"B2 point {wire} "):
            prove(bad, witness, *extra)
    assert issubclass(InconsistentKeyError, InvalidKeyError)


def test_an_unsatisfied_witness_is_still_blamed_when_the_key_is_sound(keyed):
    r1cs, witness, pk = keyed
    values = witness.values
    wrong = values.to_ints()
    wrong[-1] = (wrong[-1] + 1)
    from zkcx.field import FrVec

    with pytest.raises(UnsatisfiedWitnessError, match="B2 points were checked"):
        prove(pk, FrVec.from_ints(wrong))
    assert np.array_equal(values.limbs, witness.values.limbs)
