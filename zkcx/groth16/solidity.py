# SPDX-License-Identifier: MIT
"""EVM verification: a Solidity verifier contract for a verifying key, and the calldata
of a proof (docs/formats.md, "EVM encodings").

Interface. ``export_solidity(vk)`` writes a contract (``Groth16Verifier`` by default)
with the external function of the verifier snarkjs 0.7 generates::

    function verifyProof(uint[2] calldata _pA, uint[2][2] calldata _pB,
                         uint[2] calldata _pC, uint[N] calldata _pubSignals)
        public view returns (bool)

with N = ``vk.n_public``, so calldata made by zkcx or by ``snarkjs zkey export
soliditycalldata`` works with either tool's contract. G1 points are (x, y); G2 points
are ``[[x.c1, x.c0], [y.c1, y.c0]]``, imaginary part first (EIP-197 order); public
signals come in public.json order. The contract is zkcx's own (MIT), written in inline
assembly around the precompiles 0x06 (add), 0x07 (scalar multiplication) and 0x08
(pairing check).

What the contract checks, returning false (never reverting) when a check fails:

1. every public signal is below r (a value >= r is rejected, not reduced mod r);
2. every proof coordinate is below q;
3. A and C satisfy y^2 = x^3 + 3 and B satisfies y^2 = x^3 + 3/(9 + i) over Fq2
   ((0, 0) and all zeros stand for the identity, as in the precompiles);
4. with vk_x = IC_0 + sum_i pub_i·IC_i (0x07, 0x06; zero signals skipped), the pairing
   product e(-A, B)·e(alpha, beta)·e(vk_x, gamma)·e(C, delta) is 1 (0x08).

B's membership in the order-r subgroup of the twist is checked by the pairing
precompile itself: a B outside it makes the precompile call fail, which the contract
also turns into false, but that failure consumes the gas forwarded to the call.
Calldata of the wrong length is refused by Solidity's ABI decoder (a revert).

Gas. Measured in py-evm 0.12.1b1 (Prague rules, through eth-tester 0.14.0b1), the
contract compiled by solc 0.8.26 with the optimizer (200 runs), execution gas of one
``verifyProof`` call on a valid proof (without the 21,000 transaction base and the
calldata cost): 190,768 with 1 public signal (multiplier, poseidon2), 197,451 with 2,
290,383 with 16 (matmul4). snarkjs 0.7.6's generated contract, compiled the same way,
takes 188,924 and 288,629 on the same proofs. The precompiles account for nearly all of
it (181,000 for the 4-pair pairing, 6,150 per non-zero public signal); the curve checks
of step 3, which snarkjs's contract leaves to the precompile, cost about 1,900 of ours
(measured by removing them). Gas does not depend on the machine; the test prints it.

``export_calldata(proof, public)`` returns the text ``snarkjs zkey export
soliditycalldata`` prints for the same proof.json and public.json (one line, no newline:
the CLI adds it when printing).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from importlib import resources
from string import Template

from zkcx.curve import G1, G2
from zkcx.errors import ArgumentTypeError, EncodingError, SolidityExportError
from zkcx.groth16.keys import Proof, VerifyingKey
from zkcx.params import FQ_MODULUS, FR_MODULUS

_TEMPLATE = "verifier.sol.template"

#: b' = 3 / (9 + i) = 3·(9 - i)/82, the constant of the twist y^2 = x^3 + b' (re, im)
_TWIST_B = (27 * pow(82, -1, FQ_MODULUS) % FQ_MODULUS, -3 * pow(82, -1, FQ_MODULUS) % FQ_MODULUS)


def _g1_words(point: G1) -> tuple[int, int]:
    affine = point.to_affine()
    return (0, 0) if affine is None else affine


def _g2_words(point: G2) -> tuple[int, int, int, int]:
    """EVM order: x.c1, x.c0, y.c1, y.c0 (imaginary parts first)."""
    affine = point.to_affine()
    if affine is None:
        return (0, 0, 0, 0)
    (x0, x1), (y0, y1) = affine
    return (x1, x0, y1, y0)


def _key_constants(vk: VerifyingKey) -> str:
    lines = []

    def const(name: str, value: int) -> None:
        lines.append(f"    uint256 internal constant {name} = {value};")

    for name, value in zip(("ALPHA_X", "ALPHA_Y"), _g1_words(vk.alpha_1)):
        const(name, value)
    for label, point in (("BETA", vk.beta_2), ("GAMMA", vk.gamma_2), ("DELTA", vk.delta_2)):
        for suffix, value in zip(("X_IM", "X_RE", "Y_IM", "Y_RE"), _g2_words(point)):
            const(f"{label}_{suffix}", value)
    for i, point in enumerate(vk.ic):
        x, y = _g1_words(point)
        const(f"IC{i}_X", x)
        const(f"IC{i}_Y", y)
    return "\n".join(lines)


def _accumulate(n_public: int) -> str:
    indent = " " * 16
    return "\n".join(
        f"{indent}if iszero(addScaled(m, IC{i}_X, IC{i}_Y, calldataload(add(pub, {32 * (i - 1)}))"
        f")) {{ leave }}"
        for i in range(1, n_public + 1)
    )


def export_solidity(vk: VerifyingKey, *, contract_name: str = "Groth16Verifier") -> str:
    """Solidity source of a contract whose ``verifyProof(_pA, _pB, _pC, _pubSignals)``
    returns true iff every pub_i < r, every coordinate < q, A and C lie on
    y^2 = x^3 + 3, B lies in G2 (twist equation in the contract, subgroup in the
    precompile), and e(-A, B)·e(alpha, beta)·e(IC_0 + sum pub_i·IC_i, gamma)·e(C, delta)
    = 1 — the checks of ``verify(vk, public, proof)``, done with the BN254 precompiles.
    The interface is that of snarkjs 0.7's verifier (module docstring).

    Raises ``SolidityExportError`` for a key without public signals (Solidity has no
    ``uint[0]``) or a contract name that is not a Solidity identifier."""
    if not isinstance(vk, VerifyingKey):
        raise ArgumentTypeError(f"export_solidity needs a zkcx.groth16.VerifyingKey, got "
                                f"{type(vk).__name__}")
    if vk.n_public < 1:
        raise SolidityExportError(
            "the verifying key has no public signals; the snarkjs interface needs "
            "uint[N] _pubSignals with N >= 1 (make at least one signal public)"
        )
    if not (contract_name.isascii() and contract_name.isidentifier()):
        raise SolidityExportError(f"contract name {contract_name!r} is not an identifier")
    template = Template(resources.files("zkcx.groth16").joinpath(_TEMPLATE).read_text("utf-8"))
    return template.substitute(
        digest=vk.digest(),
        contract_name=contract_name,
        q=FQ_MODULUS,
        r=FR_MODULUS,
        twist_b_re=_TWIST_B[0],
        twist_b_im=_TWIST_B[1],
        key_constants=_key_constants(vk),
        n_public=vk.n_public,
        accumulate=_accumulate(vk.n_public),
    )


def _hex(value: int) -> str:
    return f'"0x{value:064x}"'


def export_calldata(proof: Proof, public: Sequence[int]) -> str:
    """The arguments of ``verifyProof`` as ``snarkjs zkey export soliditycalldata``
    prints them (without its final newline)::

        ["A.x", "A.y"],[["B.x.c1", "B.x.c0"],["B.y.c1", "B.y.c0"]],["C.x", "C.y"],[P1,...]

    each value a quoted ``0x`` with 64 lowercase hex digits. Public signals must be
    integers in [0, r): a value >= r is refused (``EncodingError``), not reduced. An
    identity point is written as zeros (the precompiles' encoding of it)."""
    if not isinstance(proof, Proof):
        raise ArgumentTypeError(f"export_calldata needs a zkcx.groth16.Proof, got "
                                f"{type(proof).__name__}")
    signals = []
    for i, item in enumerate(public):
        try:
            value = None if isinstance(item, bool) else operator.index(item)
        except TypeError:
            value = None
        if value is None:
            raise EncodingError(f"public signal {i} is {item!r}, not an integer")
        if not 0 <= value < FR_MODULUS:
            raise EncodingError(
                f"public signal {i} is {value}, outside [0, r): signals are not reduced"
            )
        signals.append(value)
    ax, ay = _g1_words(proof.a)
    bx1, bx0, by1, by0 = _g2_words(proof.b)
    cx, cy = _g1_words(proof.c)
    return (
        f"[{_hex(ax)}, {_hex(ay)}],"
        f"[[{_hex(bx1)}, {_hex(bx0)}],[{_hex(by1)}, {_hex(by0)}]],"
        f"[{_hex(cx)}, {_hex(cy)}],"
        f"[{','.join(_hex(v) for v in signals)}]"
    )
