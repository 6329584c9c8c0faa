# SPDX-License-Identifier: MIT
"""Property fuzzing of every decoder (tests/fuzz/targets.py): mutations of valid inputs
(bit flips, truncations, splices, huge declared counts, interesting tokens), random bytes,
random JSON documents and valid JSON with one value replaced. Each decoder may only raise
the ``ZkcxError`` subclasses its docstring documents, and a decoded value re-encodes
stably where a round trip exists.

The default run is short (a few examples per test); ``-m slow`` runs many more, and
``benchmarks/fuzz_at_scale.py`` runs millions in memory-capped subprocesses.
"""

from __future__ import annotations

import json
import random
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.targets import TARGETS, available, container_fixup, mutate, run_one
from zkcx.io import binfile
from zkcx.params import FR_MODULUS

QUICK = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
THOROUGH = settings(max_examples=2000, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

JSON_TARGETS = ["vk_json", "proof_json", "public_json", "claim_json", "kernels_json",
                "accountant_state", "input_json"]
BINARY_TARGETS = ["zkey", "r1cs", "wtns"]

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(1 << 300),
                                                         max_value=1 << 300),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["0", "1", "-1", "/dev/zero", "/etc/passwd", "\ud800", "1" * 90,
                     str(2**254), str(2**256), "groth16", "bn128", "compute"]),
)
json_values = st.recursive(
    _scalars, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                      st.dictionaries(st.text(max_size=12), inner,
                                                      max_size=5)),
    max_leaves=25)


def _target(name: str):
    target = TARGETS[name]
    if not available(target):
        pytest.skip(f"{name}: needs {target.extra['needs']}")
    return target


def _check(name: str, data: bytes) -> None:
    finding = run_one(_target(name), data)
    assert finding is None, f"{name}: {type(finding).__name__}: {finding} on {data[:200]!r}"


def _mutated(name: str, seed: int, rounds: int) -> bytes:
    target = _target(name)
    rng = random.Random(seed)
    data = rng.choice(target.seeds())
    for _ in range(rounds):
        data = mutate(data, rng)
    if target.binary_container and rng.random() < 0.5:
        data = container_fixup(data)
    return data


def _replace_leaf(obj, rng: random.Random, value):
    """``obj`` with one randomly chosen value (at any depth) replaced by ``value``."""
    if isinstance(obj, dict) and obj and rng.random() < 0.8:
        key = rng.choice(sorted(obj))
        return {**obj, key: _replace_leaf(obj[key], rng, value)}
    if isinstance(obj, list) and obj and rng.random() < 0.8:
        i = rng.randrange(len(obj))
        return [*obj[:i], _replace_leaf(obj[i], rng, value), *obj[i + 1:]]
    return value


# -- the quick run -------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(TARGETS))
@QUICK
@given(seed=st.integers(0, 2**32), rounds=st.integers(1, 4))
def test_mutated_inputs_raise_only_documented_errors(name, seed, rounds):
    _check(name, _mutated(name, seed, rounds))


@pytest.mark.parametrize("name", sorted(TARGETS))
@QUICK
@given(data=st.binary(max_size=600))
def test_random_bytes_raise_only_documented_errors(name, data):
    _check(name, data)


@pytest.mark.parametrize("name", JSON_TARGETS)
@QUICK
@given(value=json_values)
def test_random_json_documents_raise_only_documented_errors(name, value):
    _check(name, json.dumps(value).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("name", JSON_TARGETS + ["kernel_toml"])
@QUICK
@given(seed=st.integers(0, 2**32), value=json_values)
def test_valid_documents_with_one_value_replaced_raise_only_documented_errors(name, seed,
                                                                               value):
    target = _target(name)
    rng = random.Random(seed)
    if name == "kernel_toml":  # a TOML value swapped for JSON text (often valid TOML too)
        text = rng.choice(target.seeds()).decode()
        lines = text.splitlines()
        i = rng.randrange(len(lines))
        if "=" in lines[i]:
            lines[i] = lines[i].split("=")[0] + "= " + json.dumps(value)
        _check(name, "\n".join(lines).encode("utf-8", "surrogatepass"))
        return
    obj = json.loads(rng.choice(target.seeds()))
    _check(name, json.dumps(_replace_leaf(obj, rng, value)).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("name", BINARY_TARGETS)
@QUICK
@given(data=st.data())
def test_containers_with_huge_declared_counts_raise_only_documented_errors(name, data):
    """Valid containers whose u32/u64 header fields are set to interesting values, with
    every section size fixed up so the payload decoders see them."""
    seed = _target(name).seeds()[0]
    buf = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(buf) - 4))
        value = data.draw(st.sampled_from([0, 1, 0xFFFF, 1 << 20, 1 << 28, (1 << 28) + 1,
                                           0x7FFFFFFF, 0xFFFFFFFF]))
        struct.pack_into("<I", buf, at, value)
    _check(name, container_fixup(bytes(buf)))


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_seeds_decode_and_round_trip(name):
    """The seeds are valid (so mutations start from inputs that reach deep code)."""
    target = _target(name)
    for data in target.seeds():
        target.decode(data)
        assert run_one(target, data) is None


# -- the long run ------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARGETS))
@THOROUGH
@given(seed=st.integers(0, 2**32), rounds=st.integers(1, 6))
def test_many_mutated_inputs_raise_only_documented_errors(name, seed, rounds):
    _check(name, _mutated(name, seed, rounds))


@pytest.mark.slow
@pytest.mark.parametrize("name", JSON_TARGETS)
@THOROUGH
@given(seed=st.integers(0, 2**32), value=json_values)
def test_many_valid_documents_with_one_value_replaced(name, seed, value):
    target = _target(name)
    rng = random.Random(seed)
    obj = json.loads(rng.choice(target.seeds()))
    _check(name, json.dumps(_replace_leaf(obj, rng, value)).encode("utf-8", "surrogatepass"))


# -- structured generators -------------------------------------------------------------------
_u32 = st.one_of(st.integers(0, 8), st.sampled_from([1 << 20, 1 << 28, 0xFFFFFFFF]))
_field = st.one_of(st.integers(0, 5), st.integers(FR_MODULUS - 3, (1 << 256) - 1))


@st.composite
def r1cs_files(draw) -> bytes:
    """Headers with small or huge counts; constraints of random terms (wires in or out of
    range, coefficients below or above r); a wire map of the right or a wrong size."""
    n_wires, n_out, n_in, n_prv, m = (draw(_u32) for _ in range(5))
    header = (struct.pack("<I", 32) + FR_MODULUS.to_bytes(32, "little")
              + struct.pack("<IIIIQI", n_wires, n_out, n_in, n_prv, draw(_u32), m))
    body = b""
    for _ in range(draw(st.integers(0, 4)) * 3):
        terms = draw(st.lists(st.tuples(_u32, _field), max_size=3))
        body += struct.pack("<I", len(terms)) + b"".join(
            struct.pack("<I", w) + c.to_bytes(32, "little") for w, c in terms)
    sections = [(1, header), (2, body)]
    if draw(st.booleans()):
        sections.append((3, bytes(8 * draw(st.integers(0, 12)))))
    sections = draw(st.permutations(sections))
    return binfile.build(b"r1cs", 1, sections)


@st.composite
def wtns_files(draw) -> bytes:
    values = draw(st.lists(_field, max_size=6))
    n = draw(st.one_of(st.just(len(values)), _u32))
    header = struct.pack("<I", 32) + FR_MODULUS.to_bytes(32, "little") + struct.pack("<I", n)
    return binfile.build(b"wtns", draw(st.integers(0, 3)),
                         [(1, header), (2, b"".join(v.to_bytes(32, "little") for v in values))])


@st.composite
def claim_encodings(draw) -> bytes:
    """Every field of the claim encoding drawn: versions, texts (lone surrogates are
    impossible in bytes, so invalid UTF-8 instead), kinds, counts, values >= r, proofs of
    valid or random points, model flags."""
    from zkcx.rollup.claim import encode_proof

    def text() -> bytes:
        raw = draw(st.one_of(st.text(max_size=8).map(lambda t: t.encode("utf-8", "replace")),
                             st.binary(max_size=8)))
        return struct.pack(">H", len(raw)) + raw

    n = draw(st.integers(0, 3))
    values = [draw(_field) for _ in range(n)]
    count = draw(st.one_of(st.just(n), st.integers(0, 5000)))
    proof = draw(st.one_of(st.just(encode_proof(_seed_proof())),
                           st.binary(min_size=256, max_size=256)))
    kind = draw(st.sampled_from([b"compute", b"inference", b"training", b"x", b""]))
    kernel_id = draw(st.binary(min_size=32, max_size=32))
    out = (bytes([draw(st.integers(0, 2))]) + text() + text() + kernel_id
           + struct.pack(">H", len(kind)) + kind + struct.pack(">I", count)
           + b"".join(v.to_bytes(32, "big") for v in values) + proof)
    flag = draw(st.integers(0, 2))
    out += bytes([flag])
    if flag:
        out += text() + draw(st.integers(0, (1 << 64) - 1)).to_bytes(8, "big")
    return out


def _seed_proof():
    from tests.fuzz.targets import _kit

    return _kit()["proof"]


@QUICK
@given(data=r1cs_files())
def test_generated_r1cs_files_raise_only_documented_errors(data):
    _check("r1cs", data)


@QUICK
@given(data=wtns_files())
def test_generated_wtns_files_raise_only_documented_errors(data):
    _check("wtns", data)


@QUICK
@given(data=claim_encodings())
def test_generated_claim_encodings_raise_only_documented_errors(data):
    _check("claim_bytes", data)


@pytest.mark.slow
@pytest.mark.parametrize("name,strategy", [("r1cs", r1cs_files()), ("wtns", wtns_files()),
                                           ("claim_bytes", claim_encodings())])
def test_many_generated_files_raise_only_documented_errors(name, strategy):
    @THOROUGH
    @given(data=strategy)
    def run(data):
        _check(name, data)

    run()
