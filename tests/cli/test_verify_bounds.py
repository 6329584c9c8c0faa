# SPDX-License-Identifier: MIT
"""``zkcx verify --kernel SPEC`` (issue 13): a valid proof whose public signals leave the
kernel's declared bounds verifies without --kernel (Groth16 alone cannot tell) and is
refused with it (exit 1, naming the first out-of-range signal)."""

from __future__ import annotations

import numpy as np

from tests.kernels.forged import forged
from zkcx import groth16

SPEC = 'kernel = "scale"\nname = "scale_2_public_s"\nn = 2\n'


def _write(tmp_path, public, proof):
    f = forged("scale")
    groth16.write_verifying_key(f.vk, tmp_path / "vk.json")
    groth16.write_public(list(public), tmp_path / "public.json")
    groth16.write_proof(proof, tmp_path / "proof.json")
    (tmp_path / "scale.toml").write_text(SPEC)
    (tmp_path / "other.toml").write_text('kernel = "scale"\nn = 3\n')


def test_verify_with_the_kernel_refuses_an_out_of_bounds_scalar(zkcx_cmd, tmp_path):
    f = forged("scale")
    _write(tmp_path, f.public, f.proof)
    run = zkcx_cmd("verify", "vk.json", "public.json", "proof.json")
    assert (run.code, run.stdout.strip()) == (0, "OK: the proof is valid")  # the hole
    run = zkcx_cmd("verify", "vk.json", "public.json", "proof.json", "--kernel", "scale.toml")
    assert run.code == 1, run.stderr
    assert run.stdout.startswith("INVALID: public signal 2 (s[]) is -1.094e+76")
    assert "outside its declared range [-32768, 32767]" in run.stdout
    run = zkcx_cmd("--json", "verify", "vk.json", "public.json", "proof.json", "--kernel",
                   "scale.toml")
    out = run.json()
    assert (run.code, out["valid"], out["exit_code"]) == (1, False, 1)
    assert out["out_of_bounds"].startswith("public signal 2 (s[])")


def test_verify_with_the_kernel_accepts_an_honest_proof(zkcx_cmd, tmp_path):
    f = forged("scale")
    k = f.kernel
    proof, public = groth16.prove(f.pk, k.witness(X=np.array([3, -4]), s=np.int64(-32768)),
                                  k.circuit())
    _write(tmp_path, public, proof)
    run = zkcx_cmd("verify", "vk.json", "public.json", "proof.json", "--kernel", "scale.toml")
    assert (run.code, run.stdout.strip()) == (0, "OK: the proof is valid")


def test_verify_with_another_kernel_or_no_spec_is_a_usage_error(zkcx_cmd, tmp_path):
    f = forged("scale")
    _write(tmp_path, f.public, f.proof)
    run = zkcx_cmd("verify", "vk.json", "public.json", "proof.json", "--kernel", "other.toml")
    assert run.code == 2 and "is not this kernel's" in run.stderr
    run = zkcx_cmd("verify", "vk.json", "public.json", "proof.json", "--kernel", "none.toml")
    assert run.code == 2 and "does not exist" in run.stderr
    assert "Traceback" not in run.stderr
