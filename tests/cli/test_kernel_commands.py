# SPDX-License-Identifier: MIT
"""zkcx compile / setup SPEC / prove --kernel through the entry point: a catalogue
kernel from its TOML to a verified proof, and inputs that are refused."""

from __future__ import annotations

import json
import pathlib

import numpy as np

from zkcx import kernels

CIRCUITS = pathlib.Path(__file__).resolve().parents[2] / "circuits"
SPEC = CIRCUITS / "dot_256.toml"


def test_compile_writes_the_r1cs_and_a_summary_matching_the_kernel(zkcx_cmd, tmp_path):
    run = zkcx_cmd("--json", "compile", SPEC, "-o", "dot.r1cs")
    assert run.code == 0, run.stderr
    summary = run.json()
    kernel = kernels.load(SPEC)
    assert summary["constraints"] == kernel.n_constraints
    assert summary["public_signals"] == len(kernel.public_inputs)
    assert (tmp_path / "dot.r1cs").stat().st_size > 0


def test_a_kernel_proves_from_json_and_npy_inputs_and_verifies(zkcx_cmd, tmp_path):
    kernel = kernels.load(SPEC)
    rng = np.random.default_rng(7)
    shapes = {t.name: t.shape for t in kernel.spec.inputs}
    values = {name: rng.uniform(-2, 2, shape) for name, shape in shapes.items()}
    (tmp_path / "in.json").write_text(json.dumps({k: v.tolist() for k, v in values.items()}))
    assert zkcx_cmd("setup", SPEC, "dot.zkey").code == 0
    run = zkcx_cmd("prove", "dot.zkey", "--kernel", SPEC, "--input", "in.json")
    assert run.code == 0, run.stderr
    expected = kernel.public_values(**kernel.reference(**values))
    assert json.loads((tmp_path / "public.json").read_text()) == [str(v) for v in expected]
    assert zkcx_cmd("verify", "verification_key.json", "public.json", "proof.json").code == 0
    # the same inputs as .npy files, one per tensor
    npy_args = []
    for name, value in values.items():
        np.save(tmp_path / f"{name}.npy", value)
        npy_args += ["--input", f"{name}={name}.npy"]
    run = zkcx_cmd("prove", "dot.zkey", "--kernel", SPEC, *npy_args, "--proof", "p2.json",
                   "--public", "pub2.json")
    assert run.code == 0, run.stderr
    assert zkcx_cmd("verify", "verification_key.json", "pub2.json", "p2.json").code == 0


def test_bad_kernel_inputs_exit_2_before_proving(zkcx_cmd, tmp_path):
    kernel = kernels.load(SPEC)
    name, shape = kernel.spec.inputs[0].name, kernel.spec.inputs[0].shape
    bad = {t.name: np.zeros(t.shape).tolist() for t in kernel.spec.inputs}
    bad[name] = np.full(shape, np.nan).tolist()
    (tmp_path / "nan.json").write_text(json.dumps(bad).replace("NaN", "NaN"))
    bad[name] = np.zeros((shape[0] + 1, *shape[1:])).tolist()
    (tmp_path / "shape.json").write_text(json.dumps(bad))
    for file, word in (("nan.json", "NonFiniteError"), ("shape.json", "ShapeError")):
        run = zkcx_cmd("prove", "any.zkey", "--kernel", SPEC, "--input", file)
        assert run.code == 2 and word in run.stderr, (file, run.stderr)
    run = zkcx_cmd("compile", "no-such.toml")
    assert run.code == 2 and "does not exist" in run.stderr
    (tmp_path / "broken.toml").write_text("kernel = \n")
    run = zkcx_cmd("compile", "broken.toml")
    assert run.code == 2, run.stderr
