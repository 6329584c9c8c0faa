# SPDX-License-Identifier: MIT
"""BN254 (alt_bn128) parameters: the single source of every constant in zkcx.

The C constants header (``native/src/constants.h``) is generated from this module by
``native/gen/gen_constants.py``; a test regenerates it and compares.  Every claim made
here about the numbers is checked by :func:`check_claims`, which the generator runs
before writing the header and the test suite runs (tests/field/test_params.py), so a
typo cannot go unnoticed; it is not run at every import (it costs milliseconds of every
``zkcx`` command's start-up).
"""

from __future__ import annotations

#: BN curve parameter u (the "x" of the BN family): p = 36u^4 + 36u^3 + 24u^2 + 6u + 1.
BN_U = 4965661367192848881

#: Base field modulus p (coordinates of G1 points live in Fq = GF(p)).
FQ_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583

#: Scalar field modulus r (the group order; circuits and witnesses live in Fr = GF(r)).
FR_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617

#: Number of 64-bit limbs of a field element, and bytes of its canonical encoding.
LIMBS = 4
FIELD_BYTES = 32

#: Montgomery radix R = 2^256.
MONTGOMERY_R = 1 << 256

#: r - 1 = 2^FR_TWO_ADICITY * odd.
FR_TWO_ADICITY = 28

#: The smallest quadratic non-residue of Fr, from which ffjavascript (and snarkjs)
#: derive every root of unity: omega_N = 5^((r-1)/N).
FR_ROOT_OF_UNITY_GENERATOR = 5

#: G1: y^2 = x^3 + 3 over Fq, generator (1, 2), cofactor 1.
G1_B = 3
G1_GENERATOR = (1, 2)

#: The GLV endomorphism of G1 (Gallant, Lambert, Vanstone, CRYPTO 2001):
#: phi(x, y) = (beta x, y) = [lambda](x, y), with beta a cube root of unity in Fq and
#: lambda one in Fr (tests/curve checks that this beta goes with this lambda), and a
#: reduced basis (a1, b1), (a2, b2) of the lattice {(a, b): a + b lambda = 0 mod r}
#: with a1 b2 - a2 b1 = r, from u: (2u+1, -(6u^2+2u)) and (6u^2+4u+1, 2u+1).
G1_GLV_BETA = 0x59E26BCEA0D48BACD4F263F1ACDB5C4F5763473177FFFFFE
G1_GLV_LAMBDA = 0xB3C4D79D41A917585BFC41088D8DAAA78B17EA66B99C90DD
G1_GLV_BASIS = (
    (2 * BN_U + 1, -(6 * BN_U**2 + 2 * BN_U)),
    (6 * BN_U**2 + 4 * BN_U + 1, 2 * BN_U + 1),
)

#: G2: y^2 = x^3 + 3/(9+i) over Fq2 = Fq[i]/(i^2+1); elements written (c0, c1) = c0 + c1*i.
FQ2_NON_RESIDUE = (9, 1)
G2_GENERATOR = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)

# -- decoder limits ---------------------------------------------------------------------
# Every decoder checks the counts a file or message declares against the bytes actually
# present and against these limits before it allocates anything, and refuses larger
# input with a ``ZkcxError`` naming the count (issue 12). The modules named below import
# them from here.

#: Most constraints and wires of an .r1cs (zkcx.r1cs.files) and the largest zkey domain
#: (zkcx.groth16.zkey): the evaluation domain holds at most 2^28 rows (Fr's 2-adicity).
MAX_CONSTRAINTS = 1 << 28
MAX_WIRES = 1 << 28
#: Most public signals in public.json and IC points in verification_key.json
#: (zkcx.groth16.json_files).
MAX_PUBLIC_SIGNALS = 1 << 20
#: JSON text (zkcx.io.jsontext): deepest nesting, longest integer literal, longest
#: decimal string parsed as a number (a 256-bit value has 78 digits).
MAX_JSON_DEPTH = 64
MAX_JSON_INT_DIGITS = 1000
MAX_DECIMAL_DIGITS = 100
#: Kernels (zkcx.kernels.spec, zkcx.kernels.registry): most elements of one tensor; a
#: catalogue TOML file's largest size, deepest nesting, and largest product of its size
#: parameters (the work it may ask for, e.g. a matmul's m*k*n).
MAX_TENSOR_ELEMENTS = 1 << 24
MAX_CATALOGUE_BYTES = 1 << 20
MAX_CATALOGUE_DEPTH = 8
MAX_CATALOGUE_SIZE = 1 << 24
#: Largest ``*_bits`` parameter of a catalogue kernel (fixed-point values live in Fr,
#: under 2^253).
MAX_CATALOGUE_BITS = 253
#: Largest magnitude of a real-valued catalogue parameter (a learning rate, a scale).
MAX_CATALOGUE_REAL = float(1 << 32)


def _is_probable_prime(n: int) -> bool:
    """Miller-Rabin with the first 12 prime bases (deterministic far beyond 2^64 and,
    for these two fixed moduli, a consistency check rather than a proof)."""
    if n < 2:
        return False
    small = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    for q in small:
        if n % q == 0:
            return n == q
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in small:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def two_adicity(n: int) -> int:
    """Largest s with 2^s dividing n (n > 0)."""
    return (n & -n).bit_length() - 1


def check_claims() -> None:
    """Check every claim this module makes about its numbers (AssertionError if one
    fails): the moduli from u, primality, 2-adicity, the generators, the GLV basis."""
    u = BN_U
    assert 36 * u**4 + 36 * u**3 + 24 * u**2 + 6 * u + 1 == FQ_MODULUS
    assert 36 * u**4 + 36 * u**3 + 18 * u**2 + 6 * u + 1 == FR_MODULUS
    assert _is_probable_prime(FQ_MODULUS) and _is_probable_prime(FR_MODULUS)
    assert FQ_MODULUS.bit_length() == FR_MODULUS.bit_length() == 254
    assert two_adicity(FR_MODULUS - 1) == FR_TWO_ADICITY
    # 5 is a non-residue (Euler), and 2, 3, 4 are residues, so it is the first one.
    r = FR_MODULUS
    assert pow(FR_ROOT_OF_UNITY_GENERATOR, (r - 1) // 2, r) == r - 1
    assert all(pow(a, (r - 1) // 2, r) == 1 for a in (2, 3, 4))
    x, y = G1_GENERATOR
    p = FQ_MODULUS
    assert (y * y - x**3 - G1_B) % p == 0
    # p = 3 mod 4, so -1 is a non-residue and Fq[i]/(i^2+1) is a field.
    assert p % 4 == 3
    beta, lam = G1_GLV_BETA, G1_GLV_LAMBDA
    assert beta != 1 and pow(beta, 3, p) == 1
    assert (lam * lam + lam + 1) % r == 0
    (a1, b1), (a2, b2) = G1_GLV_BASIS
    assert (a1 + b1 * lam) % r == 0 and (a2 + b2 * lam) % r == 0
    assert a1 * b2 - a2 * b1 == r
    assert MAX_CONSTRAINTS == MAX_WIRES == 1 << FR_TWO_ADICITY

