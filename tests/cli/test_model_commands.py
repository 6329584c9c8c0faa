# SPDX-License-Identifier: MIT
"""Registered models through the command line: ``model register|show|price`` by the
owner, ``model freeze|retire`` as governance action proposals (kind 12), and the
refusals of each (exit 2 with a message, nothing written)."""

from __future__ import annotations

import json
import pathlib

import pytest

from tests.cli.conftest import COMMITTED, DOT_SPEC, chain_folder, keys, market, ok, run_main
from zkcx.accounts import Signer
from zkcx.market import FreezeModel, RetireModel
from zkcx.rewards import TOKEN
from zkcx.rollup.transactions import SignedOperation

OWNER_KEY, OTHER_KEY = Signer(bytes(31) + bytes([31])), Signer(bytes(31) + bytes([32]))
OWNER, OTHER = str(OWNER_KEY.address), str(OTHER_KEY.address)
PASSWORD = "model-password"


def refused(*args, word: str):
    run = run_main(*args)
    assert run.code == 2 and word in run.stderr and "Traceback" not in run.stderr, \
        (args, run.code, run.stderr)
    return run


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A chain granting the owner 20,000 tokens, an inference kernel and a compute one."""
    chain_folder(tmp_path, monkeypatch, {"infer": DOT_SPEC + COMMITTED, "plain": DOT_SPEC},
                 f"{OWNER}=20000", PASSWORD, (OWNER_KEY, OTHER_KEY))
    ids = {}
    for name, kind in (("infer", "inference"), ("plain", "compute")):
        run = ok("--json", "kernel", "register", f"{name}.vk.json", "--chain", "chain.db",
                 "--kernel", f"{name}.toml", "--kind", kind, "--unsafe-local-setup")
        ids[name] = run.json()["kernel_id"]
    (tmp_path / "ids.json").write_text(json.dumps(ids))
    return tmp_path


def _ids(work) -> dict:
    return json.loads((work / "ids.json").read_text())


def register(work, *extra, serve=None) -> list[str]:
    serve = serve or f"{_ids(work)['infer']}:1"
    return ["model", "register", "mlp", "--price", "2", "--serve", serve, "--commitment",
            "12345", "--chain", "chain.db", *keys(OWNER), "-o", "reg.json", *extra]


def _tx(path: str) -> SignedOperation:
    data = json.loads(pathlib.Path(path).read_text())
    return SignedOperation.from_bytes(bytes.fromhex(data["operation"][2:]))


def test_a_model_is_registered_shown_priced_and_proposed_for_freeze_and_retire(work):
    kid = _ids(work)["infer"]
    ok(*register(work))
    ok("block", "build", "--tx", "reg.json", "--chain", "chain.db")
    model = market().model("mlp")
    assert (model.owner, model.price, model.versions[0].commitment) == (OWNER, 2 * TOKEN,
                                                                         12345)
    assert [(k.kernel_id, k.weights_position) for k in model.kernels] == [(kid, 1)]
    shown = ok("--json", "model", "show", "mlp", "--chain", "chain.db").json()["model"]
    assert shown == model.to_dict()
    ok("model", "price", "mlp", "--price", "3", "--chain", "chain.db", *keys(OWNER), "-o",
       "price.json")
    ok("block", "build", "--tx", "price.json", "--chain", "chain.db")
    assert market().model("mlp").price == 3 * TOKEN
    ok("tx", "stake", "10000", "--chain", "chain.db", *keys(OWNER), "-o", "stake.json")
    ok("block", "build", "--tx", "stake.json", "--chain", "chain.db")  # a proposer's stake
    for verb, action in (("freeze", FreezeModel("mlp")), ("retire", RetireModel("mlp"))):
        run = ok("--json", "model", verb, "mlp", "--chain", "chain.db", *keys(OWNER), "-o",
                 f"{verb}.json")
        tx = _tx(f"{verb}.json")
        assert tx.to_bytes()[0] == 12 and tx.operation.action == action.action()
        assert run.json()["activation_height"] == tx.operation.activation_height
    ok("block", "build", "--tx", "freeze.json", "--chain", "chain.db")
    assert market().ledger.proposals[-1].params == FreezeModel("mlp").action()
    ok("block", "verify", "--chain", "chain.db")


def test_bad_model_commands_exit_2_with_a_message_writing_nothing(work):
    ids = _ids(work)
    refused(*register(work, serve=f"{ids['plain']}:0"), word="not an inference kernel")
    refused(*register(work, serve=f"{'ab' * 32}:0"), word="not a kernel of")
    refused(*register(work, serve=f"{ids['infer']}:99"), word="input positions")
    refused(*register(work, serve=ids["infer"]), word="KERNEL_ID:POSITION")
    refused(*register(work, "--commitment", str(1 << 254)), word="commitment")
    refused(*register(work, "--commitment", "x"), word="commitment")
    refused("model", "register", "bad\nid", "--price", "1", "--serve", f"{ids['infer']}:1",
            "--commitment", "1", "--chain", "chain.db", *keys(OWNER), "-o", "reg.json",
            word="model id")
    refused("model", "show", "mlp", "--chain", "chain.db", word="no model 'mlp'")
    refused("model", "price", "mlp", "--price", "1", "--chain", "chain.db", *keys(OWNER),
            "-o", "p.json", word="no model")
    refused("model", "freeze", "mlp", "--chain", "chain.db", *keys(OWNER), "-o", "f.json",
            word="no model")
    assert not any((work / n).exists() for n in ("reg.json", "p.json", "f.json"))
    ok(*register(work))
    ok("block", "build", "--tx", "reg.json", "--chain", "chain.db")
    refused(*register(work, "-o", "again.json"), word="already registered")
    refused("model", "price", "mlp", "--price", "1", "--chain", "chain.db", *keys(OTHER),
            "-o", "p.json", word="only its owner")
    refused("model", "freeze", "mlp", "--activation-height", "1", "--chain", "chain.db",
            *keys(OWNER), "-o", "f.json", word="too early")
    assert not any((work / n).exists() for n in ("again.json", "p.json", "f.json"))
