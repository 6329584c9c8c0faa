# SPDX-License-Identifier: MIT
"""The inputs of issue 12 §3, one by one: tiny files declaring huge counts, numbers and
nesting that break Python's own decoders, values out of range. Each must be refused
quickly with the documented ``ZkcxError`` subclass and a message naming the problem."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time

import pytest

from tests.fuzz.targets import TARGETS
from zkcx import kernels
from zkcx.errors import EncodingError, FileFormatError, KernelSpecError, PointError
from zkcx.groth16 import read_proof, read_public
from zkcx.io import binfile, jsontext
from zkcx.params import FQ_MODULUS, FR_MODULUS, MAX_CONSTRAINTS
from zkcx.r1cs import read_r1cs
from zkcx.rewards import Accountant


def _seed(name: str) -> bytes:
    return TARGETS[name].seeds()[0]


def _r1cs_with_header(n_wires: int, m: int | None, wire_map: bool) -> bytes:
    f = binfile.parse(_seed("r1cs"), b"r1cs", 1)
    header = bytearray(f.section(1))
    struct.pack_into("<I", header, 36, n_wires)
    if m is not None:
        struct.pack_into("<I", header, 60, m)
    sections = [(1, bytes(header)), (2, bytes(f.section(2)))]
    if wire_map:
        sections.append((3, bytes(f.section(3))))
    return binfile.build(b"r1cs", 1, sections)


def test_a_tiny_r1cs_declaring_2_28_constraints_is_refused_quickly():
    data = _r1cs_with_header(4, MAX_CONSTRAINTS, True)
    assert len(data) < 1000
    start = time.perf_counter()
    with pytest.raises(FileFormatError, match=f"declares {MAX_CONSTRAINTS} constraints but the "
                                              f"constraints section has \\d+ bytes"):
        read_r1cs(data)
    assert time.perf_counter() - start < 1.0
    with pytest.raises(FileFormatError, match="at most"):
        read_r1cs(_r1cs_with_header(4, MAX_CONSTRAINTS + 1, True))


def test_a_tiny_r1cs_declaring_2_20_wires_is_refused():
    """Without a wire map nothing backs the declared wires (setup would write a key of
    hundreds of MB from a 568-byte file); with one, 8 bytes per wire must be present."""
    for wire_map in (False, True):
        with pytest.raises(FileFormatError, match="1048576 (declared )?wires|wire map"):
            read_r1cs(_r1cs_with_header(1 << 20, None, wire_map))


@pytest.mark.parametrize("text", ["1" * 5000, "[" * 100_000, '{"a":' * 50_000,
                                  '"\\ud800"', "-" + "9" * 5000])
def test_json_that_breaks_python_decoders_is_a_file_format_error(text):
    for reader in (read_proof, read_public):
        with pytest.raises(FileFormatError):
            reader(io.StringIO(text))


def test_deep_json_cannot_crash_even_with_a_raised_recursion_limit():
    """py_ecc raises the recursion limit; json's C decoder then overflows the C stack on
    deep input. The depth pre-scan refuses it before json runs (in a child: a crash must
    not take the test run down)."""
    code = ("import sys; sys.setrecursionlimit(10**6)\n"
            "from zkcx.io import jsontext\n"
            "try:\n    jsontext.loads('[' * 10**6 + ']' * 10**6, 'deep')\n"
            "except jsontext.FileFormatError as e:\n    print('refused', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("refused"), out


def test_public_signals_refuse_negative_and_non_canonical_values():
    for bad in ([-1], ["-1"], [str(FR_MODULUS)], [FR_MODULUS + 5], ["1" * 101], [1.0]):
        with pytest.raises(EncodingError):
            read_public(bad)
    assert read_public(["0", str(FR_MODULUS - 1), 7]) == [0, FR_MODULUS - 1, 7]


def test_a_z_coordinate_of_minus_p_is_an_encoding_error():
    proof = json.loads(_seed("proof_json"))
    for z in (-FQ_MODULUS, str(-FQ_MODULUS), FQ_MODULUS, "1" * 5000):
        with pytest.raises((EncodingError, PointError)):
            read_proof(dict(proof, pi_a=[proof["pi_a"][0], proof["pi_a"][1], z]))


def test_an_accountant_state_with_a_height_beyond_i64_is_refused():
    state = json.loads(_seed("accountant_state"))
    for height in (1 << 63, -2, 1.5, "0", True):
        with pytest.raises(EncodingError, match="height"):
            Accountant.from_bytes(json.dumps(dict(state, height=height)).encode())
    for pool in ("1" * 5000, -1, str(1 << 256)):
        with pytest.raises(EncodingError, match="pool"):
            Accountant.from_bytes(json.dumps(dict(state, pool=pool)).encode())
    assert Accountant.from_bytes(json.dumps(state).encode()).to_bytes() == _seed(
        "accountant_state")


@pytest.mark.parametrize("text,message", [
    ('kernel = "vector_add"\nn = 100000000000\n', "MAX_CATALOGUE_SIZE"),
    ('kernel = "matmul"\nm = 4096\nk = 4096\nn = 4096\n', "MAX_CATALOGUE_SIZE"),
    ('kernel = "vector_add"\nn = "16"\n', "bad parameters|integer"),
    ('kernel = "vector_add"\nn = 1.5\n', "integer"),
    ('kernel = "vector_add"\nn = 1e999\n', "integer|bad parameters|finite"),
    ('kernel = "vector_add"\nn = 4\nfrac_bits = "8"\n', "frac_bits"),
    ('kernel = "matmul"\nm = 2\nk = 2\nn = 2\n[bounds]\nX = "12"\n', "bounds"),
    ('kernel = "matmul"\nm = 2\nk = 2\nn = 2\nvisibility = 3\n', "visibility"),
    ('kernel = 5\n', "kernel"),
    ('kernel = "vector_add"\nn = ' + "1" * 5000 + "\n", "TOML"),
    ('kernel = "normalize"\nshape = ' + "[" * 1000 + "]" * 1000 + "\n", "nested"),
    # found by benchmarks/fuzz_at_scale.py at 10^6 inputs: a 2^64 frac_bits made a
    # 2^(2^64) integer (MemoryError); a float batch reached .bit_length() (AttributeError)
    ('kernel = "sgd_update"\nshape = [4, 4]\nlr = 0.0625\nfrac_bits = 18446744073709551616\n',
     "frac_bits"),
    ('kernel = "dense_backward"\nbatch = 1e999\nn_in = 4\nn_out = 2\n', "batch"),
    ('kernel = "dense_backward"\nbatch = 2.0\nn_in = 4\nn_out = 2\n', "bad parameters"),
    ('kernel = "mlp_train"\nsizes = [3, 2, 1]\nbatch = 2\nlr = nan\n', "lr"),
    ('kernel = "vector_add"\nn = 4\nbound_bits = 254\n', "bound_bits"),
    ('kernel = "vector_add"\nn = 4\nwhen = 1979-05-27\n', "unsupported type"),
])
def test_toml_kernels_with_huge_sizes_or_wrong_types_are_spec_errors(text, message):
    with pytest.raises(KernelSpecError, match=message):
        kernels.load(io.BytesIO(text.encode()))


def test_decimal_and_loads_bounds():
    assert jsontext.decimal("0" * 100, "x") == 0
    with pytest.raises(FileFormatError, match="101 digits"):
        jsontext.decimal("0" * 101, "x")
    assert jsontext.nesting_depth('{"a": ["[[[", [1, {"b": "]]"}]]}') == 4
    assert jsontext.loads("[" * 64 + "]" * 64, "x") is not None
    with pytest.raises(FileFormatError, match="65 levels"):
        jsontext.loads("[" * 65 + "]" * 65, "x")
