# SPDX-License-Identifier: MIT
"""The node's and the operator's commands beyond the README's happy path: inputs as
reals or --quantized integers, prove --node/--task for bound kernels, claim make's
checks (each refusal writes nothing), kernel register's refusals, and a chain continued
by hand from what `zkcx demo --dir` kept."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.cli.conftest import chain_folder, run_main
from zkcx import kernels
from zkcx.accounts import Signer, encrypt_key
from zkcx.rollup import claim_binding

SPEC = 'kernel = "dot"\nn = 4\nfrac_bits = 8\nbound_bits = 16\n'
#: the bound kernel's inputs are committed: it is task-ready (a task can fix them)
COMMITTED = '\n[visibility]\nx = "committed"\ny = "committed"\n'
#: the nodes' accounts (fixed test keys) and their keystore's password
ALICE_KEY, BOB_KEY = Signer(bytes(31) + bytes([1])), Signer(bytes(31) + bytes([2]))
ALICE, BOB = str(ALICE_KEY.address), str(BOB_KEY.address)
PASSWORD = "operator-password"


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder with a bound and an unbound dot kernel set up, and a chain."""
    # bob, granted tokens at genesis, is the requester of the tests' tasks
    chain_folder(tmp_path, monkeypatch, {"bound": SPEC + "binding = true\n" + COMMITTED,
                                         "plain": SPEC}, f"{BOB}=100", PASSWORD,
                 (ALICE_KEY, BOB_KEY))
    (tmp_path / "bob.key.json").write_text(json.dumps(
        encrypt_key(BOB_KEY, PASSWORD, "pbkdf2", 1000)))
    return tmp_path


def keys(address: str) -> list[str]:
    """The claim make arguments that sign with ``address``'s key of the keystore."""
    return ["--keystore", "keys", "--account", address]


def _public(path) -> list[int]:
    return [int(v) for v in json.loads(path.read_text())]


def test_numbers_are_reals_unless_quantized(work):
    kernel = kernels.load(work / "plain.toml")
    x, y = [1, 2, -1, 0], [3, 1, 2, 5]  # integers: reals 1.0, 2.0, ... by default
    (work / "ints.json").write_text(json.dumps({"x": x, "y": y}))
    assert run_main("prove", "plain.zkey", "--kernel", "plain.toml", "--input",
                    "ints.json").code == 0
    as_reals = kernel.reference(x=np.array(x, float), y=np.array(y, float))
    assert _public(work / "public.json") == kernel.public_values(**as_reals)
    run = run_main("prove", "plain.zkey", "--kernel", "plain.toml", "--input", "ints.json",
                   "--quantized", "--proof", "q.json", "--public", "qpub.json")
    assert run.code == 0, run.stderr
    as_fixed = kernel.reference(x=np.array(x), y=np.array(y))  # ints: already quantized
    assert _public(work / "qpub.json") == kernel.public_values(**as_fixed)
    assert as_fixed != as_reals
    (work / "floats.json").write_text(json.dumps({"x": [0.5] * 4, "y": x}))
    run = run_main("prove", "plain.zkey", "--kernel", "plain.toml", "--input", "floats.json",
                   "--quantized")
    assert run.code == 2 and "--quantized takes integers only" in run.stderr
    np.save(work / "x.npy", np.array(x))  # an int .npy array is reals too
    np.save(work / "y.npy", np.array(y, float))
    run = run_main("prove", "plain.zkey", "--kernel", "plain.toml", "--input", "x=x.npy",
                   "--input", "y=y.npy", "--public", "npub.json")
    assert run.code == 0 and _public(work / "npub.json") == _public(work / "public.json")
    for bad, word in (({"x": x, "y": y, "claim_binding": 5}, "--node NODE"),
                      ({"x": x}, "missing"), ({"x": x, "y": y, "z": [1]}, "no input")):
        (work / "bad.json").write_text(json.dumps(bad))
        run = run_main("prove", "plain.zkey", "--kernel", "plain.toml", "--input", "bad.json")
        assert run.code == 2 and word in run.stderr and "bad.json" in run.stderr, run.stderr


def test_input_template_writes_inputs_that_prove_and_say_what_is_proved(work):
    run = run_main("--json", "input", "template", "bound.toml", "-o", "in.json", "--seed", "3")
    assert run.code == 0 and run.json()["tensors"] == {"x": [4], "y": [4]}
    values = json.loads((work / "in.json").read_text())
    kernel = kernels.load(work / "bound.toml")
    for v in values.values():  # on the fixed-point grid: exactly what is proved
        assert all(float(a * 256).is_integer() for a in v)
    run = run_main("prove", "bound.zkey", "--kernel", "bound.toml", "--input", "in.json",
                   "--node", "alice", "--task", "t1")
    assert run.code == 0, run.stderr
    tensors = {k: np.array(v) for k, v in values.items()}
    out = kernel.reference(**tensors)
    expected = kernel.public_values(**out, **tensors,
                                    claim_binding=claim_binding("alice", "t1"))
    assert _public(work / "public.json") == expected


def test_binding_needs_node_and_task_and_only_bound_kernels_take_them(work):
    (work / "in.json").write_text(json.dumps({"x": [1] * 4, "y": [1] * 4}))
    run = run_main("prove", "bound.zkey", "--kernel", "bound.toml", "--input", "in.json")
    assert run.code == 2 and "--node NODE --task TASK" in run.stderr
    assert not (work / "proof.json").exists()
    run = run_main("prove", "plain.zkey", "--kernel", "plain.toml", "--input", "in.json",
                   "--node", "alice", "--task", "t1")
    assert run.code == 2 and "no claim binding" in run.stderr
    run = run_main("prove", "bound.zkey", "--kernel", "plain.toml", "--input", "in.json")
    assert run.code == 2 and "not for kernel" in run.stderr


def post_task_for_alice(work) -> None:
    """alice registers her node, bob posts a task on in.json; the block assigns it to
    alice (task 0)."""
    (work / "bench.json").write_text(json.dumps({"cases": [{
        "name": "chain 2^10", "constraints": 1022, "results": {"zkcx": {"prove": 0.05}}}]}))
    kid = run_main("--json", "kernel", "list", "--chain", "chain.db").json()["kernels"][0][
        "kernel_id"]
    assert run_main("node", "register", "--bench", "bench.json", "--chain", "chain.db",
                    *keys(ALICE), "-o", "reg.json").code == 0
    run = run_main("task", "post", kid, "--kernel", "bound.toml", "--input", "in.json",
                   "--fee", "1", "--chain", "chain.db", *keys(BOB), "-o", "post.json")
    assert run.code == 0, run.stderr
    run = run_main("--json", "block", "build", "--chain", "chain.db", "--tx", "reg.json",
                   "--tx", "post.json")
    assert run.json()["block"]["assigned"] == [{"task_id": 0, "node_id": ALICE}], run.stdout


def test_claim_make_checks_what_the_block_builder_will(work):
    (work / "in.json").write_text(json.dumps({"x": [1] * 4, "y": [1] * 4}))
    run = run_main("kernel", "register", "bound.vk.json", "--chain", "chain.db", "--kernel",
                   "bound.toml", "--kind", "compute", "--unsafe-local-setup")
    assert run.code == 0, run.stderr
    post_task_for_alice(work)
    assert run_main("prove", "bound.zkey", "--kernel", "bound.toml", "--input", "in.json",
                    "--node", ALICE, "--task", "0").code == 0
    base = ["claim", "make", "proof.json", "public.json", "--chain", "chain.db", "--vk",
            "bound.vk.json", "--keystore", "keys"]
    refused = [
        (["--account", BOB, "--task", "0", "--kind", "compute"], "bound to another node"),
        (["--account", ALICE, "--task", "t2", "--kind", "compute"], "bound to another node"),
        (["--account", ALICE, "--task", "0", "--kind", "inference"], "is claimed as"),
    ]
    # a proof for a task nobody posted: the builder would not pay it either
    assert run_main("prove", "bound.zkey", "--kernel", "bound.toml", "--input", "in.json",
                    "--node", ALICE, "--task", "7", "--proof", "p7.json",
                    "--public", "s7.json").code == 0
    run = run_main("claim", "make", "p7.json", "s7.json", "--chain", "chain.db", "--vk",
                   "bound.vk.json", "--keystore", "keys", "--account", ALICE, "--task", "7",
                   "--kind", "compute", "-o", "c.json")
    assert run.code == 1 and "no-such-task" in run.stdout and not (work / "c.json").exists()
    for extra, word in refused:
        run = run_main(*base, *extra, "-o", "c.json")
        assert run.code == 1 and word in run.stdout, (extra, run.stdout, run.stderr)
        assert not (work / "c.json").exists()
    # a tampered proof: pi_a of another proof
    proof = json.loads((work / "proof.json").read_text())
    proof["pi_a"], proof["pi_c"] = proof["pi_c"], proof["pi_a"]
    (work / "bad_proof.json").write_text(json.dumps(proof))
    run = run_main("claim", "make", "bad_proof.json", "public.json", "--vk", "bound.vk.json",
                   *keys(ALICE), "--task", "0", "--kind", "compute", "-o", "c.json")
    assert run.code == 1 and "does not verify" in run.stdout
    assert not (work / "c.json").exists()
    run = run_main("claim", "make", "proof.json", "public.json", "--vk", "plain.vk.json",
                   "--chain", "chain.db", *keys(ALICE), "--task", "0", "--kind", "compute")
    assert run.code == 2 and "not registered" in run.stderr
    # a key file of another account cannot sign for alice; nor a wrong password
    run = run_main(*base[:-2], "--key-file", "bob.key.json", "--node", ALICE, "--task", "0",
                   "--kind", "compute")
    assert run.code == 2 and "not the key's account" in run.stderr
    run = run_main(*base, "--account", ALICE, "--task", "0", "--kind", "compute",
                   "--password-file", "bound.toml")
    assert run.code == 2 and "wrong password" in run.stderr
    run = run_main(*base, "--account", ALICE, "--task", "0", "--kind", "compute")
    assert run.code == 0, run.stderr
    run = run_main("--json", "block", "build", "claim.json", "--chain", "chain.db")
    assert run.code == 0 and [c["node_id"] for c in run.json()["block"]["accepted"]] == [ALICE]
    # the same signed claim again: its nonce is spent
    run = run_main("--json", "block", "build", "claim.json", "--chain", "chain.db")
    assert [r["reason"] for r in run.json()["block"]["rejected"]] == ["bad-nonce"]


def test_kernel_register_refusals(work):
    args = ["kernel", "register", "bound.vk.json", "--chain", "chain.db", "--kind", "compute",
            "--unsafe-local-setup"]
    run = run_main(*args)
    assert run.code == 2 and "--kernel SPEC.toml" in run.stderr
    run = run_main(*args, "--kernel", "plain.toml")
    assert run.code == 2 and "not this kernel's key" in run.stderr
    run = run_main(*args, "--kernel", "bound.toml", "--units", "5")
    assert run.code == 2 and "without --units" in run.stderr
    run = run_main(*args, "--units", "0")
    assert run.code == 2 and "work_units" in run.stderr
    assert run_main(*args, "--kernel", "bound.toml").code == 0
    run = run_main(*args, "--kernel", "bound.toml")
    assert run.code == 2 and "already registered" in run.stderr
    run = run_main("--json", "kernel", "list", "--chain", "chain.db")
    # public signals: z, commit(x), commit(y), the binding; x and y are its inputs
    (kernel,) = run.json()["kernels"]
    assert run.code == 0 and kernel["binding_position"] == 3
    assert kernel["input_positions"] == [1, 2] and kernel["task_ready"]


def test_a_kernel_rejected_as_unknown_cannot_be_registered_later(work):
    (work / "in.json").write_text(json.dumps({"x": [1] * 4, "y": [1] * 4}))
    assert run_main("prove", "plain.zkey", "--kernel", "plain.toml", "--input",
                    "in.json").code == 0
    assert run_main("kernel", "register", "bound.vk.json", "--chain", "chain.db", "--kernel",
                    "bound.toml", "--kind", "compute", "--unsafe-local-setup").code == 0
    assert run_main("claim", "make", "proof.json", "public.json", "--vk", "plain.vk.json",
                    *keys(BOB), "--task", "t9", "--kind", "compute").code == 0
    run = run_main("--json", "block", "build", "claim.json", "--chain", "chain.db")
    assert run.code == 0 and run.json()["block"]["rejected"][0]["reason"] == "unknown-kernel"
    run = run_main("kernel", "register", "plain.vk.json", "--chain", "chain.db", "--kernel",
                   "plain.toml", "--kind", "compute", "--unsafe-local-setup")
    assert run.code == 2 and "fail re-verification" in run.stderr
    assert run_main("block", "verify", "--chain", "chain.db").code == 0
