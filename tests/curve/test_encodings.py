# SPDX-License-Identifier: MIT
"""EVM, snarkjs JSON and zkey encodings: round trips, Ethereum's precompile vectors,
the snarkjs vectors' keys and proofs, and malformed input."""

from __future__ import annotations

import json
import random

import pytest

from tests.vectors import EVM_VECTORS, SNARKJS_VECTORS, VECTORS
from zkcx.curve import G1, G2, encoding, precompiles
from zkcx.errors import EncodingError, PointError, SubgroupError
from zkcx.params import FQ_MODULUS, FR_MODULUS


def random_points(n: int, seed: int):
    rng = random.Random(seed)
    return [G1.generator() * rng.randrange(FR_MODULUS) for _ in range(n)], [
        G2.generator() * rng.randrange(FR_MODULUS) for _ in range(n)
    ]


@pytest.mark.parametrize(
    "name,fn",
    [("bn256Add", precompiles.ecadd), ("bn256ScalarMul", precompiles.ecmul),
     ("bn256Pairing", precompiles.ecpairing)],
)
def test_ethereum_precompile_vectors(name, fn):
    cases = json.loads((EVM_VECTORS / f"{name}.json").read_text())
    assert cases
    for case in cases:
        assert fn(bytes.fromhex(case["Input"])).hex() == case["Expected"], case["Name"]


def test_precompiles_fail_where_the_evm_fails(curve_ref):
    g = encoding.g1_to_evm(G1.generator())
    h = encoding.g2_to_evm(G2.generator())
    with pytest.raises(precompiles.PrecompileError):
        precompiles.ecadd(g + (FQ_MODULUS).to_bytes(32, "big") + bytes(32))
    with pytest.raises(precompiles.PrecompileError):
        precompiles.ecmul((1).to_bytes(32, "big") + (3).to_bytes(32, "big"))
    with pytest.raises(precompiles.PrecompileError):
        precompiles.ecpairing(g + h[:-1])
    x0, x1, y0, y1 = curve_ref.random_twist_point(random.Random(1))
    twist = b"".join(v.to_bytes(32, "big") for v in (x1, x0, y1, y0))
    with pytest.raises(precompiles.PrecompileError, match="subgroup"):
        precompiles.ecpairing(bytes(64) + twist)
    assert precompiles.ecpairing(b"") == (1).to_bytes(32, "big")


def test_round_trips():
    g1s, g2s = random_points(5, 3)
    for p in [*g1s, G1.identity()]:
        assert encoding.g1_from_evm(encoding.g1_to_evm(p)) == p
        assert encoding.g1_from_json(encoding.g1_to_json(p)) == p
        assert encoding.g1_from_json(json.loads(json.dumps(encoding.g1_to_json(p)))) == p
        assert encoding.g1_from_zkey(encoding.g1_to_zkey(p)) == p
    for q in [*g2s, G2.identity()]:
        assert encoding.g2_from_evm(encoding.g2_to_evm(q)) == q
        assert encoding.g2_from_json(encoding.g2_to_json(q)) == q
        assert encoding.g2_from_zkey(encoding.g2_to_zkey(q)) == q
    assert encoding.g1_to_json(G1.identity()) == ["0", "1", "0"]
    assert encoding.g2_to_json(G2.identity()) == [["0", "0"], ["1", "0"], ["0", "0"]]


def test_evm_g2_order_is_imaginary_first():
    (x0, x1), (y0, y1) = G2.generator().to_affine()
    raw = encoding.g2_to_evm(G2.generator())
    assert [int.from_bytes(raw[i : i + 32], "big") for i in range(0, 128, 32)] == [x1, x0, y1, y0]


def test_zkey_encoding_is_little_endian_montgomery():
    p = G1.generator() * 99
    x, y = p.to_affine()
    raw = encoding.g1_to_zkey(p)
    assert int.from_bytes(raw[:32], "little") == x * 2**256 % FQ_MODULUS
    assert int.from_bytes(raw[32:], "little") == y * 2**256 % FQ_MODULUS


def test_json_jacobian_coordinates_are_read_as_snarkjs_does():
    x, y = (G1.generator() * 5).to_affine()
    z = 123456789
    jac = [str(x * z**2 % FQ_MODULUS), str(y * z**3 % FQ_MODULUS), str(z)]
    assert encoding.g1_from_json(jac) == G1.generator() * 5
    assert encoding.g1_from_json([str(x), str(y)]) == G1.generator() * 5
    (a0, a1), (b0, b1) = (G2.generator() * 5).to_affine()
    zz = (7, 3)
    z2 = encoding._fq2_mul(zz, zz)
    z3 = encoding._fq2_mul(z2, zz)
    X, Y = encoding._fq2_mul((a0, a1), z2), encoding._fq2_mul((b0, b1), z3)
    obj = [[str(X[0]), str(X[1])], [str(Y[0]), str(Y[1])], [str(zz[0]), str(zz[1])]]
    assert encoding.g2_from_json(obj) == G2.generator() * 5


@pytest.mark.parametrize(
    "bad,error",
    [
        (["1", "3", "1"], PointError),
        (["1", str(2 + FQ_MODULUS), "1"], PointError),
        (["1", "-2", "1"], EncodingError),
        (["0x1", "2", "1"], EncodingError),
        (["1"], EncodingError),
        ("12", EncodingError),
        ([1.0, 2, 1], EncodingError),
    ],
)
def test_bad_json_points(bad, error):
    with pytest.raises(error):
        encoding.g1_from_json(bad)


def test_bad_binary_points(curve_ref):
    with pytest.raises(EncodingError, match="64 bytes"):
        encoding.g1_from_evm(bytes(63))
    with pytest.raises(PointError):
        encoding.g1_from_evm((1).to_bytes(32, "big") + (3).to_bytes(32, "big"))
    with pytest.raises(EncodingError):
        encoding.g2_from_zkey(bytes(127))
    x0, x1, y0, y1 = curve_ref.random_twist_point(random.Random(2))
    with pytest.raises(SubgroupError):
        encoding.g2_from_evm(b"".join(v.to_bytes(32, "big") for v in (x1, x0, y1, y0)))


@pytest.mark.parametrize("vector", SNARKJS_VECTORS)
def test_snarkjs_vectors_decode_and_verify_by_pairing(vector):
    """Decode every point of the vector's verification key and proof, and check the
    Groth16 equation with the pairing (docs/formats.md, QAP)."""
    from zkcx.curve import pairing_check

    folder = VECTORS / vector
    vk = json.loads((folder / "verification_key.json").read_text())
    proof = json.loads((folder / "proof.json").read_text())
    public = [int(v) for v in json.loads((folder / "public.json").read_text())]
    alpha, beta = encoding.g1_from_json(vk["vk_alpha_1"]), encoding.g2_from_json(vk["vk_beta_2"])
    gamma, delta = encoding.g2_from_json(vk["vk_gamma_2"]), encoding.g2_from_json(vk["vk_delta_2"])
    assert gamma == G2.generator()
    ic = [encoding.g1_from_json(p) for p in vk["IC"]]
    a, b = encoding.g1_from_json(proof["pi_a"]), encoding.g2_from_json(proof["pi_b"])
    c = encoding.g1_from_json(proof["pi_c"])
    vk_x = ic[0]
    for s, point in zip(public, ic[1:], strict=True):
        vk_x = vk_x + point * s
    assert pairing_check([(-a, b), (alpha, beta), (vk_x, gamma), (c, delta)])
    assert not pairing_check([(-a, b), (alpha, beta), (vk_x + ic[0], gamma), (c, delta)])
    with pytest.raises(PointError):  # the Fq2-swapped negative case is off the curve
        swapped = json.loads((folder / "negative" / "proof_pi_b_fq2_swapped.json").read_text())
        encoding.g2_from_json(swapped["pi_b"])


def test_points_to_evm_is_each_points_evm_encoding_concatenated() -> None:
    from zkcx.curve import G1Vec, G2Vec
    from zkcx.curve.encoding import g1_to_evm, g2_to_evm, points_to_evm
    from zkcx.field import Fr
    g1s = [G1.generator() * Fr(k) for k in (0, 1, 5, 2**200)]
    g2s = [G2.generator() * Fr(k) for k in (0, 1, 7, 2**200)]
    assert points_to_evm(G1Vec.from_points(g1s)) == b"".join(map(g1_to_evm, g1s))
    assert points_to_evm(G2Vec.from_points(g2s)) == b"".join(map(g2_to_evm, g2s))
