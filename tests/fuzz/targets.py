# SPDX-License-Identifier: MIT
"""The decoders under fuzzing, one ``Target`` each: a function from bytes to a decoded
value, the exception types its docstring documents, a round trip where one exists, and
valid seed inputs that mutations start from.

Shared by the hypothesis tests (``tests/fuzz/test_decoders.py``), the atheris targets
(``tests/fuzz/atheris_targets.py``) and ``benchmarks/fuzz_at_scale.py``. Seeds are made
once per process from a small circuit (setup, prove, claim, block, state).
"""

from __future__ import annotations

import functools
import io
import json
import os
import pathlib
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from zkcx.errors import ZkcxError

#: exceptions every decoder may raise: ZkcxError subclasses (each decoder's docstring
#: says which); anything else escaping a decoder is a finding
DOCUMENTED: tuple[type[BaseException], ...] = (ZkcxError,)


@dataclass(frozen=True)
class Target:
    """A decoder under fuzzing."""

    name: str
    decode: Callable[[bytes], object]
    seeds: Callable[[], list[bytes]]
    #: re-encodes a decoded value; ``decode(encode(value))`` must equal ``value``'s encoding
    encode: Callable[[object], bytes] | None = None
    documented: tuple[type[BaseException], ...] = DOCUMENTED
    #: a mutation may need a size field fixed to reach deeper code (binary containers)
    binary_container: bool = False
    extra: dict = field(default_factory=dict)


# -- seeds ---------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _kit() -> dict[str, object]:
    """A tiny circuit (x^3 + x + a = out, public [out, a]), its key, a proof, a claim, a
    kernel registry, a block and an accountant state, made once per process."""
    from zkcx import groth16
    from zkcx.accounts import Signer
    from zkcx.kernels import PublicBounds
    from zkcx.params import FR_MODULUS
    from zkcx.r1cs import ConstraintSystem, write_r1cs, write_wtns
    from zkcx.rewards import Accountant, ParamSchedule
    from zkcx.rewards.operations import Propose, Stake, Transfer, Unstake, Vote
    from zkcx.rewards.params import DEFAULT_PARAMS, ClaimKind
    from zkcx.rollup import Claim, KernelRegistry, SignedOperation, chain_domain
    from zkcx.rollup.block import (
        BLOCK_VERSION,
        Block,
        BlockHeader,
        RejectedClaim,
        RejectedOperation,
        RejectReason,
    )

    cs = ConstraintSystem("cube")
    x = cs.private_input("x")
    a = cs.public_input("a")
    out = cs.output("out")
    cs.assert_equal(x * x * x + x + a, out, "result")
    r1cs = cs.build()
    witness = r1cs.solve({x: 3, a: 4, out: (27 + 3 + 4) % FR_MODULUS})
    pk = groth16.setup(r1cs)
    proof, public = groth16.prove(pk, witness, r1cs)
    vk = pk.verifying_key
    registry = KernelRegistry()
    kid = registry.register(vk, r1cs.n_constraints, ClaimKind.COMPUTE,
                            public_bounds=PublicBounds([(1, -(1 << 15), (1 << 15) - 1),
                                                        (1, None, None)]),
                            unsafe_local_setup=True)
    one, two = Signer(b"\x01" * 32), Signer(b"\x02" * 32)
    n1, n2, domain = str(one.address), str(two.address), chain_domain(7)
    claim = Claim(n1, "task-1", kid, tuple(public), proof, ClaimKind.COMPUTE).signed(
        one, domain, 3)
    model_claim = Claim(n2, "task-é", kid, tuple(public), proof, ClaimKind.COMPUTE,
                        "model", 3)  # unsigned
    header = BlockHeader(BLOCK_VERSION, 1, bytes(32), 1700000000, bytes(range(32)),
                         bytes(range(32, 64)), bytes(32), bytes(32), 12345, bytes(32))
    ops = [SignedOperation.sign(op, k, one, domain) for k, op in enumerate([
        Stake(n1, 5), Unstake(n1, 2), Transfer(n1, n2, 7),
        Propose(n1, DEFAULT_PARAMS.replace(paused=True), 40), Vote(n1, 0, True)])]
    block = Block(header, (claim,),
                  (RejectedClaim(1, RejectReason.MALFORMED, "bad", b"\x01\x02"),),
                  tuple(ops[:3]),
                  (RejectedOperation(3, RejectReason.BAD_NONCE, "nonce", ops[3].to_bytes()),
                   RejectedOperation(4, RejectReason.UNSIGNED, "", SignedOperation(
                       Vote(n2, 1, False)).to_bytes())),
                  ((kid, b"aggregate bytes: kept as they are, decoded when verified"),))
    accountant = Accountant(ParamSchedule([(0, DEFAULT_PARAMS)]))
    r1cs_buf, wtns_buf = io.BytesIO(), io.BytesIO()
    write_r1cs(r1cs, r1cs_buf)
    write_wtns(witness, wtns_buf)
    return {
        "zkey": groth16.zkey_bytes(pk),
        "r1cs": r1cs_buf.getvalue(),
        "wtns": wtns_buf.getvalue(),
        "vk_json": groth16.write_verifying_key(vk).encode(),
        "proof_json": groth16.write_proof(proof).encode(),
        "public_json": groth16.write_public(public).encode(),
        "claim": [claim.to_bytes(), model_claim.to_bytes()],
        "operation": [op.to_bytes() for op in ops],
        "claim_json": [json.dumps(c.to_json()).encode() for c in (claim, model_claim)],
        "registry_json": json.dumps(registry.to_json()).encode(),
        "block": block.to_bytes(),
        "header": header.to_bytes(),
        "accountant": accountant.to_bytes(),
        "governed": _governed_state(),
        "proof": proof,
    }


def _governed_state() -> bytes:
    """An accountant state with stakes, an unbonding entry, held tokens, a passed and an
    open proposal (so mutations reach every part of the state decoder)."""
    import hashlib

    from tests.rewards.strategies import FAST_PARAMS, big_fee
    from zkcx.rewards import (
        TOKEN,
        Accountant,
        ClaimKind,
        ParamSchedule,
        Propose,
        Stake,
        Unstake,
        VerifiedClaim,
        Vote,
    )

    nodes = ["a", "b", "c"]  # granted tokens at genesis: a fee-less claim earns none
    acc = Accountant.genesis({n: 1000 * TOKEN for n in nodes},
                             ParamSchedule([(0, FAST_PARAMS)]))
    acc.apply_block(0, [VerifiedClaim(n, ClaimKind.COMPUTE, 10,
                                      hashlib.sha256(n.encode()).digest(), big_fee(10))
                        for n in nodes])
    acc.apply_block(1, [], [], [Stake(n, 100 * TOKEN) for n in nodes])
    end = FAST_PARAMS.voting_period - 1
    new = FAST_PARAMS.replace(emission_ppb=5_000_000)
    acc.apply_block(2, [], [], [Propose("a", new, 2 + end + FAST_PARAMS.min_activation_delay),
                                Vote("a", 0, True), Vote("b", 0, True)])
    for height in range(3, 3 + end):
        acc.apply_block(height, [], [], [Unstake("c", TOKEN)] if height == 3 else [])
    h = acc.height + 1
    draft = acc.begin_block(h)
    draft.operate(Propose("b", new.replace(emission_ppb=6_000_000),
                          h + end + FAST_PARAMS.min_activation_delay))
    draft.hold("a", TOKEN, "a task fee")
    draft.commit()
    return acc.to_bytes()


def _precompile_seeds() -> list[bytes]:
    from zkcx.curve import G1, G2
    from zkcx.curve.encoding import g1_to_evm, g2_to_evm

    g1, g2 = G1.generator(), G2.generator()
    p1 = g1_to_evm(g1) + g1_to_evm(g1 * 5)
    return [b"\x00" + p1, b"\x01" + g1_to_evm(g1 * 7) + (123).to_bytes(32, "big"),
            b"\x02" + g1_to_evm(g1) + g2_to_evm(g2) + g1_to_evm(-g1) + g2_to_evm(g2),
            b"\x02"]


_TOML_SEEDS = [
    b'kernel = "matmul"\nname = "mm"\nm = 2\nk = 3\nn = 2\nfrac_bits = 8\nbound_bits = 16\n'
    b'[visibility]\nW = "public"\n[bounds]\nX = 12\n',
    b'kernel = "relu"\nn = 8\nbinding = true\n',
]
_CATALOGUE = pathlib.Path(__file__).resolve().parents[2] / "circuits"


def _toml_seeds() -> list[bytes]:
    """Two small specs and every file of the repository's catalogue."""
    return _TOML_SEEDS + [p.read_bytes() for p in sorted(_CATALOGUE.glob("*.toml"))]

_INPUT_JSON_SEEDS = [b'{"X": [[1, 2], [3, 4]], "W": [[0.5, -1.25], [2, 3]]}',
                     b'{"x": [1, 2, 3, 4], "y": 2.5}', b'{"a": [[[1]]], "b": []}']


def _npy_seeds() -> list[bytes]:
    import numpy as np

    out = []
    for arr in (np.arange(6, dtype=np.int64).reshape(2, 3), np.linspace(0, 1, 5),
                np.zeros((2, 2, 2), dtype=np.float32), np.array(3.5)):
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        out.append(buf.getvalue())
    return out


# -- decoders --------------------------------------------------------------------------
def _zkey(data: bytes):
    from zkcx.groth16 import read_zkey

    return read_zkey(data)


def _zkey_encode(pk) -> bytes:
    from zkcx.groth16 import zkey_bytes

    return zkey_bytes(pk)


def _r1cs(data: bytes):
    from zkcx.r1cs import read_r1cs

    return read_r1cs(data)


def _written(write, value) -> bytes:
    """The bytes ``write(value, file)`` writes."""
    buf = io.BytesIO()
    write(value, buf)
    return buf.getvalue()


def _r1cs_encode(r1cs) -> bytes:
    from zkcx.r1cs import write_r1cs

    return _written(write_r1cs, r1cs)


def _wtns(data: bytes):
    from zkcx.r1cs import read_wtns

    return read_wtns(data)


def _wtns_encode(values) -> bytes:
    from zkcx.r1cs import write_wtns

    return _written(write_wtns, values)


def _vk_json(data: bytes):
    from zkcx.groth16 import read_verifying_key

    return read_verifying_key(io.BytesIO(data))


def _proof_json(data: bytes):
    from zkcx.groth16 import read_proof

    return read_proof(io.BytesIO(data))


def _public_json(data: bytes):
    from zkcx.groth16 import read_public

    return read_public(io.BytesIO(data))


def _precompile(data: bytes):
    from zkcx.curve import precompiles

    if not data:
        return None
    op = (precompiles.ecadd, precompiles.ecmul, precompiles.ecpairing)[data[0] % 3]
    payload = data[1:]
    if op is precompiles.ecpairing:
        payload = payload[: 192 * 4 + (len(payload) % 192 != 0)]  # a few pairs at most
    return op(payload)


def _claim(data: bytes):
    from zkcx.rollup import Claim

    return Claim.from_bytes(data)


def _claim_json(data: bytes):
    from zkcx.io.jsontext import loads
    from zkcx.rollup import Claim

    return Claim.from_json(loads(data, "claim"))


def _registry_json(data: bytes):
    from zkcx.io.jsontext import loads
    from zkcx.rollup import KernelRegistry

    return KernelRegistry.from_json(loads(data, "kernels.json"))


def _operation(data: bytes):
    from zkcx.rollup import SignedOperation

    return SignedOperation.from_bytes(data)


def _operation_encode(op) -> bytes:
    return op.to_bytes()


def _block(data: bytes):
    from zkcx.rollup.block import Block

    return Block.from_bytes(data)


def _header(data: bytes):
    from zkcx.rollup.block import BlockHeader

    return BlockHeader.from_bytes(data)


def _market(data: bytes):
    from zkcx.market import Market

    return Market.from_bytes(data)


def _market_seeds() -> list[bytes]:
    """A genesis market, and one with a registered model that two training steps moved
    (the models' part of the state, which the block header's models root covers)."""
    import hashlib

    from tests.market.helpers import genesis
    from tests.market.strategies import INFER, KERNELS
    from zkcx.market import RegisterModel
    from zkcx.rewards import TOKEN

    market = genesis({"own": 10 * TOKEN})
    for height, ops, steps in ((0, [RegisterModel("own", "m", 3 * TOKEN, ((INFER, 2),), 11)],
                                ()),
                               (1, [], ((0, 11, 22), (1, 22, 33)))):
        draft = market.preview(height, ops, KERNELS)
        for version, before, after in steps:
            draft.extend_model("m", version, before, after, "c1",
                               hashlib.sha256(bytes([version])).digest())
        draft.accept([])
        draft.schedule()
        draft.commit()
    return [genesis().to_bytes(), market.to_bytes()]


def _market_encode(market) -> bytes:
    return market.to_bytes()


def _accountant(data: bytes):
    from zkcx.rewards import Accountant

    return Accountant.from_bytes(data)


def _kernel_toml(data: bytes):
    from zkcx import kernels

    kernel = kernels.load(io.BytesIO(data))
    # what a catalogue loader promises: a spec whose tensors are small enough to build
    return kernel.spec


def _input_loader():
    """The CLI's ``--input`` loaders (zkcx.cli._inputs), or None before they exist."""
    try:
        from zkcx.cli import _inputs
    except ImportError:
        return None
    return _inputs


def _documented_inputs() -> tuple[type[BaseException], ...]:
    try:
        from zkcx.cli.errors import UsageError
    except ImportError:  # pragma: no cover
        return DOCUMENTED
    return (ZkcxError, UsageError)


def _with_file(data: bytes, suffix: str, use: Callable[[str], object]) -> object:
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return use(path)
    finally:
        os.unlink(path)


def _input_json(data: bytes):
    inputs = _input_loader()
    return _with_file(data, ".json", lambda p: inputs.read_kernel_inputs([p]))


def _input_npy(data: bytes):
    inputs = _input_loader()
    return _with_file(data, ".npy", lambda p: inputs.read_kernel_inputs([f"X={p}"]))


def _vk_encode(vk) -> bytes:
    from zkcx.groth16 import write_verifying_key

    return write_verifying_key(vk).encode()


def _proof_encode(proof) -> bytes:
    from zkcx.groth16 import write_proof

    return write_proof(proof).encode()


def _public_encode(public) -> bytes:
    from zkcx.groth16 import write_public

    return write_public(public).encode()


def _claim_json_encode(claim) -> bytes:
    return json.dumps(claim.to_json()).encode()


def _registry_encode(registry) -> bytes:
    return json.dumps(registry.to_json()).encode()


def _claim_encode(claim) -> bytes:
    return claim.to_bytes()


def _block_encode(block) -> bytes:
    return block.to_bytes()


def _header_encode(header) -> bytes:
    return header.to_bytes()


def _accountant_encode(acc) -> bytes:
    return acc.to_bytes()


TARGETS: dict[str, Target] = {t.name: t for t in [
    Target("zkey", _zkey, lambda: [_kit()["zkey"]], _zkey_encode, binary_container=True),
    Target("r1cs", _r1cs, lambda: [_kit()["r1cs"]], _r1cs_encode, binary_container=True),
    Target("wtns", _wtns, lambda: [_kit()["wtns"]], _wtns_encode, binary_container=True),
    Target("vk_json", _vk_json, lambda: [_kit()["vk_json"]], _vk_encode),
    Target("proof_json", _proof_json, lambda: [_kit()["proof_json"]], _proof_encode),
    Target("public_json", _public_json, lambda: [_kit()["public_json"]], _public_encode),
    Target("precompile", _precompile, _precompile_seeds),
    Target("claim_bytes", _claim, lambda: list(_kit()["claim"]), _claim_encode),
    Target("claim_json", _claim_json, lambda: list(_kit()["claim_json"]), _claim_json_encode),
    Target("kernels_json", _registry_json, lambda: [_kit()["registry_json"]],
           _registry_encode),
    Target("operation", _operation, lambda: list(_kit()["operation"]), _operation_encode),
    Target("block", _block, lambda: [_kit()["block"]], _block_encode),
    Target("block_header", _header, lambda: [_kit()["header"]], _header_encode),
    Target("market_state", _market, _market_seeds, _market_encode),
    Target("accountant_state", _accountant,
           lambda: [_kit()["accountant"], _kit()["governed"]],
           _accountant_encode),
    Target("kernel_toml", _kernel_toml, _toml_seeds),
    Target("input_json", _input_json, lambda: list(_INPUT_JSON_SEEDS),
           documented=_documented_inputs(), extra={"needs": "zkcx.cli._inputs"}),
    Target("input_npy", _input_npy, _npy_seeds,
           documented=_documented_inputs(), extra={"needs": "zkcx.cli._inputs"}),
]}


def _selftest(data: bytes):
    """A decoder with every kind of finding, to check the harness (ZKCX_FUZZ_SELFTEST=1):
    the byte sum chooses ok, a ValueError, a 64 GiB allocation, a hang or a crash."""
    import ctypes
    import time

    kind = sum(data) % 50
    if kind == 1:
        raise ValueError("an undocumented exception")
    if kind == 2:
        return bytearray(64 << 30)
    if kind == 3:
        time.sleep(3600)
    if kind == 4:
        ctypes.string_at(0)  # SIGSEGV
    return None


if os.environ.get("ZKCX_FUZZ_SELFTEST") == "1":
    TARGETS["selftest"] = Target("selftest", _selftest, lambda: [bytes(range(256))])


def available(target: Target) -> bool:
    """False for the ``--input`` targets before the CLI's loaders exist."""
    return "needs" not in target.extra or _input_loader() is not None


# -- mutations ---------------------------------------------------------------------------
#: values a mutation writes into a 4- or 8-byte field: declared counts that are huge,
#: off by one, or make products overflow
INTERESTING_U32 = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 1 << 20, 1 << 28,
                   (1 << 28) + 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF]
INTERESTING_TEXT = [b"0", b"1", b"-1", b"1" * 5000, b"-" + b"9" * 80, b"[" * 100000,
                    b'"/dev/zero"', b'"/etc/passwd"', b"\"\\ud800\"", b"1e999", b"NaN",
                    b"null", b"true", b"{}", b"[]", b'""', b"18446744073709551616",
                    b"21888242871839275222246405745257275088696311157297823662689037894645226208583",
                    b"-21888242871839275222246405745257275088696311157297823662689037894645226208583"]


def mutate(data: bytes, rng) -> bytes:
    """One random mutation of ``data`` (``rng``: a ``random.Random``): bit flips, byte
    sets, truncation, extension, a splice of two regions, an interesting 32- or 64-bit
    value written at a random offset (a declared count), or for text an interesting token
    swapped in for a number, string or bracket."""
    buf = bytearray(data)
    choice = rng.randrange(9)
    if not buf or choice == 0:
        return bytes(buf[: rng.randrange(len(buf) + 1)])  # truncation
    if choice == 1:
        for _ in range(rng.randrange(1, 8)):
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        return bytes(buf)
    if choice == 2:
        for _ in range(rng.randrange(1, 4)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return bytes(buf)
    if choice == 3:
        return bytes(buf) + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    if choice == 4:
        i, j = sorted(rng.randrange(len(buf) + 1) for _ in range(2))
        k = rng.randrange(len(buf) + 1)
        return bytes(buf[:k] + buf[i:j] + buf[k:])  # splice a copy of a region
    if choice in (5, 6):
        i = rng.randrange(len(buf))
        width = 4 if choice == 5 else 8
        value = rng.choice(INTERESTING_U32) if width == 4 else rng.choice(
            [*INTERESTING_U32, 1 << 40, 1 << 63, (1 << 64) - 1])
        buf[i : i + width] = value.to_bytes(width, "little")
        return bytes(buf)
    if choice == 7:
        i = rng.randrange(len(buf))
        j = min(len(buf), i + rng.randrange(1, 80))
        return bytes(buf[:i]) + rng.choice(INTERESTING_TEXT) + bytes(buf[j:])
    # token-aware text mutation: replace a JSON/TOML scalar with an interesting one
    import re

    tokens = [m.span() for m in re.finditer(rb'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|\[|\{',
                                             bytes(buf))]
    if not tokens:
        return bytes(buf)
    i, j = rng.choice(tokens)
    return bytes(buf[:i]) + rng.choice(INTERESTING_TEXT) + bytes(buf[j:])


def container_fixup(data: bytes) -> bytes:
    """Rewrite an iden3 container's section sizes so they match the bytes present (where
    the layout allows it), so a mutated payload reaches the section decoders instead of
    failing the size check."""
    if len(data) < 12:
        return data
    (count,) = struct.unpack_from("<I", data, 8)
    out = bytearray(data[:12])
    off = 12
    pieces = []
    for _ in range(min(count, 64)):
        if off + 12 > len(data):
            break
        sid, size = struct.unpack_from("<IQ", data, off)
        body = data[off + 12 : off + 12 + size]
        pieces.append((sid, body))
        off += 12 + len(body)
    for sid, body in pieces:
        out += struct.pack("<IQ", sid, len(body)) + body
    out += data[off:]
    return bytes(out)


def run_one(target: Target, data: bytes) -> BaseException | None:
    """Decode ``data``; an undocumented exception is returned (not raised), documented
    ones and successes give None (``MemoryError`` propagates). A decoded value with a
    round trip must re-encode to something that decodes to an equal encoding (else an
    AssertionError is returned)."""
    try:
        value = target.decode(data)
    except target.documented:
        return None
    except MemoryError:  # the harness's to classify (an allocation beyond its cap)
        raise
    except Exception as exc:  # noqa: BLE001 - the finding
        return exc
    if target.encode is not None and value is not None:
        try:
            again = target.encode(value)
            if target.encode(target.decode(again)) != again:
                return AssertionError(f"{target.name}: re-encoding is not stable")
        except Exception as exc:  # noqa: BLE001
            return exc
    return None
