# SPDX-License-Identifier: MIT
"""Poseidon against circomlib: its constant tables, the poseidon2 vector made with circom
and snarkjs, circomlibjs (through node), and a plain-int reference of the standard
(unoptimized) permutation; the in-circuit gadget against the native hash, with tampered
witnesses."""

from __future__ import annotations

import json
import pathlib
import re
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.vectors import VECTORS
from zkcx.errors import FieldRangeError, UnsatisfiedConstraintError
from zkcx.field import FrVec
from zkcx.gadgets._poseidon_grain import partial_rounds, standard_parameters
from zkcx.gadgets._poseidon_optimized import optimized_parameters
from zkcx.gadgets._poseidon_template import template
from zkcx.gadgets.poseidon import (
    poseidon_constraints,
    poseidon_gadget,
    poseidon_gadget_many,
    poseidon_hash,
    poseidon_hash_many,
)
from zkcx.params import FR_MODULUS as R
from zkcx.r1cs import ConstraintSystem

ROOT = pathlib.Path(__file__).resolve().parents[2]
NPM = ROOT / ".ci-cache" / "npm"
CIRCOMLIB = NPM / "node_modules" / "circomlib" / "circuits"
VECTOR = VECTORS / "poseidon2"
WIDTHS = range(2, 18)


# -- independent reference: the standard permutation on plain ints -------------------------
def reference_poseidon(inputs: list[int]) -> int:
    """Poseidon as the paper states it: per round add c_k, S-box x^5 (all elements in the
    4 + 4 full rounds, element 0 in the partial ones), then s <- M s."""
    t = len(inputs) + 1
    c, m = standard_parameters(t)
    r_p = partial_rounds(t)
    state = [0, *inputs]
    for k in range(8 + r_p):
        state = [(s + c[k * t + i]) % R for i, s in enumerate(state)]
        full = k < 4 or k >= 4 + r_p
        state = [pow(s, 5, R) if full or i == 0 else s for i, s in enumerate(state)]
        state = [sum(m[i][j] * state[j] for j in range(t)) % R for i in range(t)]
    return state[0]


# -- circomlib's constant tables -------------------------------------------------------------
def _circom_tables(path: pathlib.Path, function: str) -> dict[int, list[int]]:
    """{t: [numbers]} of ``function POSEIDON_X(t)`` in a circomlib constants file (hex or
    decimal literals)."""
    src = path.read_text()
    start = src.index(f"function {function}(t)")
    end = src.find("function ", start + 10)
    body = src[start:end if end > 0 else len(src)]
    parts = re.split(r"if \(t\s*==\s*(\d+)\)", body)
    return {int(parts[k]): [int(x, 0) for x in re.findall(r"0x[0-9a-fA-F]+|\b\d{2,}\b",
                                                            parts[k + 1])]
            for k in range(1, len(parts), 2)}


def _needs_circomlib() -> None:
    if not (CIRCOMLIB / "poseidon_constants.circom").exists():
        pytest.skip(f"circomlib is not installed under {NPM} (.ci/run installs it with npm); "
                    "the constants cannot be compared")


def _flat(matrix) -> list[int]:
    return [x for row in matrix for x in row]


def test_optimized_constants_equal_circomlibs_poseidon_constants_circom():
    _needs_circomlib()
    path = CIRCOMLIB / "poseidon_constants.circom"
    tables = {name: _circom_tables(path, name)
              for name in ("POSEIDON_C", "POSEIDON_S", "POSEIDON_M", "POSEIDON_P")}
    for t in WIDTHS:
        p = optimized_parameters(t)
        assert list(p.c) == tables["POSEIDON_C"][t], f"C differs for t={t}"
        assert list(p.s) == tables["POSEIDON_S"][t], f"S differs for t={t}"
        assert _flat(p.m) == tables["POSEIDON_M"][t], f"M differs for t={t}"
        assert _flat(p.p) == tables["POSEIDON_P"][t], f"P differs for t={t}"


def test_grain_constants_and_cauchy_matrix_equal_circomlibs_unoptimized_tables():
    _needs_circomlib()
    path = CIRCOMLIB / "poseidon_constants_old.circom"
    c_tables, m_tables = _circom_tables(path, "POSEIDON_C"), _circom_tables(path, "POSEIDON_M")
    for t in WIDTHS:
        c, m = standard_parameters(t)
        assert list(c) == c_tables[t], f"round constants differ for t={t}"
        assert _flat(m) == m_tables[t], f"MDS matrix differs for t={t}"  # mixed as M[i][j]


def test_widths_outside_circomlibs_table_are_refused():
    for bad in (1, 18):
        with pytest.raises(ValueError, match="width"):
            standard_parameters(bad)


# -- the hash ---------------------------------------------------------------------------------
def test_poseidon_of_one_and_two_equals_the_poseidon2_vector():
    public = json.loads((VECTOR / "public.json").read_text())
    assert poseidon_hash([1, 2]) == int(public[0])
    assert reference_poseidon([1, 2]) == int(public[0])


@settings(max_examples=12)
@given(st.integers(1, 16).flatmap(
    lambda n: st.lists(st.integers(0, R - 1), min_size=n, max_size=n)))
def test_poseidon_hash_equals_the_standard_permutation_on_plain_ints(inputs):
    assert poseidon_hash(inputs) == reference_poseidon(inputs)


def test_batched_hashes_equal_single_hashes_for_every_width():
    for n_in in range(1, 17):
        rows = np.arange(3 * n_in, dtype=np.int64).reshape(3, n_in) * 7919 + n_in
        batch = poseidon_hash_many(rows).to_ints()
        assert batch == [reference_poseidon(list(map(int, row))) for row in rows]


def test_batch_accepts_columns_matrices_and_nested_lists_alike():
    cols = [FrVec.from_ints([1, R - 1]), FrVec.from_ints([2, 0])]
    expected = poseidon_hash_many(cols).to_ints()
    assert poseidon_hash_many([[1, 2], [R - 1, 0]]).to_ints() == expected
    assert poseidon_hash_many(np.array([[1, 2], [5, 0]]))[0] == expected[0]
    assert len(poseidon_hash_many(np.zeros((0, 3), dtype=np.int64))) == 0


def test_bad_inputs_are_refused_with_specific_errors():
    with pytest.raises(ValueError, match="1 to 16 inputs"):
        poseidon_hash([])
    with pytest.raises(ValueError, match="1 to 16 inputs"):
        poseidon_hash(list(range(17)))
    with pytest.raises(FieldRangeError, match="canonical"):
        poseidon_hash([R])
    with pytest.raises(FieldRangeError, match="canonical"):
        poseidon_hash([-1])
    with pytest.raises(TypeError, match="ints or Fr"):
        poseidon_hash([1.5])
    with pytest.raises(FieldRangeError):
        poseidon_hash_many(np.array([[-1, 2]]))
    with pytest.raises(ValueError, match="matrix"):
        poseidon_hash_many([1, 2, 3])
    with pytest.raises(ValueError, match="different lengths"):
        poseidon_hash_many([FrVec.from_ints([1]), FrVec.from_ints([1, 2])])


def _circomlibjs() -> pathlib.Path:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: the circomlibjs comparison needs it")
    if not (NPM / "node_modules" / "circomlibjs").exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so circomlibjs cannot be installed")
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(NPM),
                        "circomlibjs@0.1.7"], check=True, capture_output=True, timeout=600)
    return NPM


_CIRCOMLIBJS = """
const {buildPoseidon} = require('circomlibjs');
(async () => {
  const p = await buildPoseidon();
  const rows = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  console.log(JSON.stringify(rows.map(r => p.F.toString(p(r.map(BigInt))))));
})();
"""


@pytest.mark.node
def test_hashes_equal_circomlibjs_for_every_width():
    cwd = _circomlibjs()
    rng = np.random.default_rng(5)
    rows = []
    for n_in in range(1, 17):
        rows.append([int(x) for x in rng.integers(0, 2**62, n_in)])
        rows.append([R - 1 - k for k in range(n_in)])  # values near r
        rows.append([0] * n_in)
    result = subprocess.run(["node", "-e", _CIRCOMLIBJS], input=json.dumps(
        [[str(v) for v in row] for row in rows]), capture_output=True, text=True, cwd=cwd,
        timeout=300)
    assert result.returncode == 0, result.stderr
    expected = [int(x) for x in json.loads(result.stdout)]
    got = []
    for k in range(0, len(rows), 3):  # three rows of one width per batch
        got += poseidon_hash_many(rows[k:k + 3]).to_ints()
    assert got == expected


# -- in circuit -------------------------------------------------------------------------------
def _batch_circuit(n_in: int, h: int, public_out: bool = False):
    cs = ConstraintSystem(f"poseidon{n_in}")
    out = cs.new_variables(h, "output") if public_out else None
    inputs = cs.new_variables(h * n_in, "private").reshape(h, n_in)
    outs = poseidon_gadget_many(cs, inputs, out=out)
    return cs, inputs, outs


@pytest.mark.parametrize("n_in", [1, 2, 4, 16])
def test_gadget_outputs_equal_the_native_hash_and_cost_circomlibs_count(n_in):
    h = 6
    cs, inputs, outs = _batch_circuit(n_in, h)
    r1cs = cs.build()
    assert r1cs.n_constraints == h * poseidon_constraints(n_in)
    values = FrVec.random(h * n_in, seed=n_in)
    witness = r1cs.solve([(inputs.reshape(-1), values)])
    r1cs.check(witness)
    rows = np.array(values.to_ints(), dtype=object).reshape(h, n_in)
    got = witness.values[r1cs.wire_of[outs]].to_ints()
    assert got == [reference_poseidon(list(row)) for row in rows]


def test_constraint_counts_per_hash_are_three_per_sbox():
    assert [poseidon_constraints(n) for n in (1, 2, 4, 16)] == [216, 243, 300, 612]
    assert template(3).n_constraints == 243


def test_gadget_has_as_many_constraints_as_circoms_quadratic_ones_and_the_same_values():
    """circom (--O1) keeps 274 linear constraints beside the 243 quadratic ones; the
    gadget folds the linear ones, and every value of its witness appears in circom's."""
    r1cs_json = json.loads((VECTOR / "circuit.r1cs.json").read_text())
    quadratic = sum(1 for a, b, _ in r1cs_json["constraints"] if a and b)
    assert poseidon_constraints(2) == quadratic == 243
    cs = ConstraintSystem()
    x, y = cs.private_input("x"), cs.private_input("y")
    out = cs.output("out")
    poseidon_gadget(cs, [x, y], out=out)
    r1cs = cs.build()
    witness = r1cs.solve({x: 1, y: 2})
    r1cs.check(witness)
    circom_values = {int(v) for v in json.loads((VECTOR / "witness.json").read_text())}
    assert set(witness.values.to_ints()) <= circom_values
    assert witness.public == [int(json.loads((VECTOR / "public.json").read_text())[0])]


def test_public_output_variables_receive_the_hashes():
    cs, inputs, outs = _batch_circuit(2, 3, public_out=True)
    r1cs = cs.build()
    witness = r1cs.solve([(inputs.reshape(-1), np.array([1, 2, 3, 4, 5, 6]))])
    r1cs.check(witness)
    assert witness.public == [poseidon_hash([1, 2]), poseidon_hash([3, 4]),
                              poseidon_hash([5, 6])]


def test_scalar_gadget_takes_constants_and_linear_combinations():
    cs = ConstraintSystem()
    a, b = cs.private_input("a"), cs.private_input("b")
    h = poseidon_gadget(cs, [a + b, 7, b])
    r1cs = cs.build()
    assert r1cs.n_constraints == poseidon_constraints(3) + 2  # one per non-variable input
    witness = r1cs.solve({a: 3, b: 4})
    r1cs.check(witness)
    assert int(witness.values[r1cs.wire(h)]) == poseidon_hash([7, 7, 4])


@pytest.mark.parametrize("which", ["x2", "x4", "y", "out", "partial"])
def test_tampered_round_values_make_the_witness_fail(which):
    n_in, h = 2, 2
    cs, inputs, outs = _batch_circuit(n_in, h)
    r1cs = cs.build()
    witness = r1cs.solve([(inputs.reshape(-1), np.array([1, 2, 3, 4]))])
    r1cs.check(witness)
    tpl = template(n_in + 1)
    # the hint's outputs in slot order: (x2, x4, y) per S-box, hash-major within a slot
    hint = next(hk for hk in r1cs.hints if hk.label.startswith("poseidon"))
    slot = {"x2": 0, "x4": 1, "y": 2, "partial": 3 * (4 * 3 + 10) + 1,
            "out": tpl.out_slot - tpl.first_var_slot}[which]
    wire = int(hint.outputs[slot][1])  # second hash of the batch
    values = witness.values.copy()
    values[wire] = (int(values[wire]) + 1) % R
    with pytest.raises(UnsatisfiedConstraintError, match="poseidon"):
        r1cs.check(values)


def test_malicious_hint_consistent_with_its_own_sboxes_but_wrong_inputs_fails():
    """A prover who hashes other inputs (a wholly consistent round structure for them)
    cannot pass it off for the real inputs."""
    cs, inputs, outs = _batch_circuit(2, 1)
    r1cs = cs.build()
    honest = r1cs.solve([(inputs.reshape(-1), np.array([1, 2]))])
    forged = r1cs.solve([(inputs.reshape(-1), np.array([1, 3]))])
    values = forged.values.copy()
    values[r1cs.wire_of[inputs.reshape(-1)]] = honest.values[r1cs.wire_of[inputs.reshape(-1)]]
    with pytest.raises(UnsatisfiedConstraintError):
        r1cs.check(values)


def test_gadget_refuses_bad_shapes():
    cs = ConstraintSystem()
    v = cs.new_variables(34)
    with pytest.raises(ValueError, match="1 to 16 inputs"):
        poseidon_gadget_many(cs, v.reshape(2, 17))
    with pytest.raises(ValueError, match="index array"):
        poseidon_gadget_many(cs, v)
    with pytest.raises(ValueError, match="output variables"):
        poseidon_gadget_many(cs, v[:4].reshape(2, 2), out=v[:3])
    with pytest.raises(ValueError, match="constant-one wire"):
        poseidon_gadget_many(cs, np.array([[0, 1]]))


def test_scalar_gadget_takes_the_one_wire_as_a_constant():
    cs = ConstraintSystem()
    a = cs.private_input("a")
    h = poseidon_gadget(cs, [cs.ONE, a])
    r1cs = cs.build()
    witness = r1cs.solve({a: 9})
    r1cs.check(witness)
    assert int(witness.values[r1cs.wire(h)]) == poseidon_hash([1, 9])
