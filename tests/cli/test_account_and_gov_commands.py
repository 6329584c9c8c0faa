# SPDX-License-Identifier: MIT
"""Accounts, signed transaction files and governance through the command line: keys in
a keystore (``account new|list|show``), stakes and transfers signed by the node that acts
(``tx``) and included by an operator who holds no key (``block build --tx``), forgeries
and replays refused without effect, and parameter changes and a pause voted through
(``gov propose|vote|show``), re-verified from genesis."""

from __future__ import annotations

import itertools
import json
import shutil

import numpy as np
import pytest

from tests.cli.conftest import market, new_keystore, ok, run_main
from zkcx import groth16, kernels
from zkcx.accounts import Address, Keystore, Signer
from zkcx.cli._txfile import tx_document
from zkcx.rewards import TOKEN, Transfer
from zkcx.rollup import SignedOperation, SQLiteChainStore, chain_domain

#: a task-ready dot kernel: inputs committed, proofs bound to their node and task
SPEC = ('kernel = "dot"\nn = 4\nfrac_bits = 8\nbound_bits = 16\nbinding = true\n\n'
        '[visibility]\nx = "committed"\ny = "committed"\n')
PASSWORD = "gov-password"
#: the nodes (fixed test keys) and an outsider whose key is in nobody's keystore
KEYS = {name: Signer(bytes(31) + bytes([i + 1]))
        for i, name in enumerate(("alice", "bob", "carol"))}
MALLORY_KEY = Signer(bytes(31) + bytes([66]))
ADDR = {name: str(k.address) for name, k in KEYS.items()}
MALLORY = str(MALLORY_KEY.address)
#: the requester who posts the nodes' tasks
REQUESTER_KEY = Signer(bytes(31) + bytes([77]))
REQUESTER = str(REQUESTER_KEY.address)
#: tasks posted for each node at the start (the claims the tests make answer them)
TASKS_PER_NODE = 3
#: a `zkcx --json bench` record: the nodes' measured capacity
BENCH = {"machine": {"cores": 2}, "cases": [
    {"name": "chain 2^10", "constraints": 1022, "results": {"zkcx": {"prove": 0.05}}}]}
#: short governance periods: a vote of 3 blocks, a pause vote of 2, then 1 block of delay
GENESIS = ["--emission-ppb", "1000000", "--voting-period", "3", "--emergency-voting-period",
           "2", "--min-activation-delay", "1", "--proposal-min-stake", "10"]


def load(path) -> dict:
    with open(path) as fh:
        return json.load(fh)


def state(chain):
    """The chain's ledger (the accountant), read as the library reads it."""
    return market(chain).ledger


def signed_by(name: str) -> list[str]:
    return ["--keystore", "keys", "--account", ADDR[name]]


class Prover:
    """The task-ready dot kernel, the inputs of the tasks posted for the nodes, and
    proofs of them."""

    def __init__(self, folder):
        self.folder = folder
        self.kernel = kernels.load(folder / "plain.toml")
        self.r1cs = self.kernel.circuit()
        self.pk = groth16.setup(self.r1cs)
        self.vk = folder / "vk.json"
        groth16.write_verifying_key(self.pk.verifying_key, self.vk)
        self.inputs: dict[int, dict] = {}

    def input_file(self, k: int) -> str:
        """Write task ``k``'s inputs (fresh: each task a new statement)."""
        x, y = np.array([k, 1, 2, 3], float) / 8, np.array([1, -1, k % 5, 2], float) / 4
        self.inputs[k] = {"x": x, "y": y}
        path = self.folder / f"in{k}.json"
        path.write_text(json.dumps({"x": x.tolist(), "y": y.tolist()}))
        return str(path)

    def claim(self, name: str, chain) -> str:
        """A claim file of ``name``'s for the next task assigned to it on ``chain``,
        signed with its next nonce."""
        from zkcx.rollup import claim_binding

        (task, *_) = [t for t in market(chain).tasks if t.assignee == ADDR[name]
                      and t.status.value == "assigned"]
        k = task.task_id
        witness = self.kernel.witness(**self.inputs[k],
                                      claim_binding=claim_binding(ADDR[name], str(k)))
        proof, public = groth16.prove(self.pk, witness, self.r1cs)
        p, s, c = (self.folder / f"{kind}{k}.json" for kind in ("proof", "public", "claim"))
        groth16.write_proof(proof, p)
        groth16.write_public(public, s)
        ok("claim", "make", p, s, "--vk", self.vk, "--task", str(k),
           "--kind", "compute", "--chain", chain, *signed_by(name), "-o", c)
        return str(c)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A chain whose block 0 registered alice, bob and carol (granted 5,000 tokens each
    at genesis) and posted TASKS_PER_NODE tasks for each (by a requester, assigned by the
    scheduler), and whose block 1 paid each for one; their keystore."""
    folder = tmp_path_factory.mktemp("gov")
    (folder / "plain.toml").write_text(SPEC)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        mp.setenv("ZKCX_PASSWORD", PASSWORD)
        new_keystore(folder, PASSWORD, (*KEYS.values(), REQUESTER_KEY))
        prover = Prover(folder)
        grants = [a for address in (REQUESTER, *ADDR.values())
                  for a in ("--grant", f"{address}=5000")]
        ok("chain", "init", "base.db", *GENESIS, *grants)
        ok("--json", "kernel", "register", "vk.json", "--chain", "base.db", "--kernel",
           "plain.toml", "--kind", "compute", "--unsafe-local-setup")
        (kernel,) = ok("--json", "kernel", "list", "--chain", "base.db").json()["kernels"]
        (folder / "bench.json").write_text(json.dumps(BENCH))
        files = [tx("node", "register", "--bench", "bench.json", "--chain", "base.db",
                    *signed_by(name)) for name in KEYS]
        for k in range(TASKS_PER_NODE * len(KEYS)):
            files.append(tx("task", "post", kernel["kernel_id"], "--kernel", "plain.toml",
                            "--input", prover.input_file(k), "--fee", "1", "--window", "200",
                            "--nonce", str(k), "--chain", "base.db", "--keystore", "keys",
                            "--account", REQUESTER))
        ok("block", "build", "--chain", "base.db", *[a for f in files for a in ("--tx", f)])
        tasks = market("base.db").tasks
        assert sorted(t.assignee for t in tasks) == sorted([*ADDR.values()] * TASKS_PER_NODE)
        claims = [prover.claim(name, "base.db") for name in KEYS]
        ok("block", "build", *claims, "--chain", "base.db")
    return folder, prover


@pytest.fixture
def work(base, tmp_path, monkeypatch):
    """This test's copy of the base chain (chain.db) and the keystore, in the cwd."""
    folder, prover = base
    shutil.copy(folder / "base.db", tmp_path / "chain.db")
    shutil.copytree(folder / "keys", tmp_path / "keys")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ZKCX_PASSWORD", PASSWORD)
    prover.folder = tmp_path
    return prover


def include(*tx_files, claims=()):
    """The operator's block: no key argument, and no password in the environment."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("ZKCX_PASSWORD")
        return ok("--json", "block", "build", *claims, "--chain", "chain.db",
                  *[a for f in tx_files for a in ("--tx", f)]).json()["block"]


_SERIAL = itertools.count()


def tx(*args) -> str:
    """Sign a transaction file (named after its arguments) with the CLI."""
    out = f"tx{next(_SERIAL)}-{args[1]}.json"
    ok(*args, "-o", out)
    return out


# -- accounts ---------------------------------------------------------------------------
def test_account_new_list_show(work, tmp_path):
    first = ok("account", "new", "--keystore", "ks", "--light").stdout.strip()
    (tmp_path / "pw.txt").write_text("another password\nignored line\n")
    run = ok("--json", "account", "new", "--keystore", "ks", "--light", "--password-file",
             "pw.txt")
    second = run.json()["address"]
    assert ok("--json", "account", "list", "--keystore", "ks").json()["accounts"] == \
        [first, second]
    key_file = load(run.json()["key_file"])
    assert key_file["crypto"]["kdf"] == "pbkdf2"
    # the key decrypts with the password of the file, not the environment's
    assert str(Keystore("ks").load(Address.from_hex(second), "another password").address) \
        == second
    shown = ok("--json", "account", "show", first, "--keystore", "ks").json()
    assert shown["key_file"] and first[2:].lower() in shown["key_file"]
    assert run_main("account", "show", MALLORY, "--keystore", "ks").code == 1
    # on the chain: what the library's accountant says, and a stranger's fresh account
    acc = state("chain.db")
    for name in ("alice", MALLORY):
        address = ADDR.get(name, name)
        view = ok("--json", "account", "show", address, "--chain", "chain.db").json()
        expected = acc.account(address)
        assert (view["balance"], view["stake"], view["nonce"], view["reputation"]) == \
            (str(expected.balance), str(expected.stake), expected.nonce, expected.reputation)
    assert int(ok("--json", "account", "show", ADDR["alice"], "--chain",
                  "chain.db").json()["balance"]) > 0
    assert ok("--json", "account", "show", MALLORY, "--chain",
              "chain.db").json()["known"] is False


def test_account_new_scrypt_by_default(work):
    run = ok("--json", "account", "new", "--keystore", "slow")
    assert run.json()["kdf"] == "scrypt"
    assert load(run.json()["key_file"])["crypto"]["kdf"] == "scrypt"


def test_account_commands_refuse_bad_input_creating_nothing(work, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    for argv, word in ((["account", "list", "--keystore", "nowhere"], "nowhere"),
                       (["account", "list", "--keystore", "a-file"], "a-file"),
                       (["account", "new", "--keystore", "a-file"], "a-file"),
                       (["account", "new", "--keystore", "no/such/ks"], "no/such/ks"),
                       (["account", "show", "0x1234", "--chain", "chain.db"], "0x1234"),
                       (["account", "show", ADDR["bob"]], "--chain"),
                       (["account", "show", ADDR["bob"], "--chain", "none.db"], "none.db")):
        run = run_main(*argv)
        assert run.code == 2 and word in run.stderr and "Traceback" not in run.stderr, \
            (argv, run.stderr)
    monkeypatch.setenv("ZKCX_PASSWORD", "")
    run = run_main("account", "new", "--keystore", "ks")
    assert run.code == 2 and "empty" in run.stderr
    monkeypatch.delenv("ZKCX_PASSWORD")
    run = run_main("account", "new", "--keystore", "ks")
    assert run.code == 2 and "ZKCX_PASSWORD" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# -- signed transactions ---------------------------------------------------------------
def test_a_node_signs_its_stake_and_the_operator_includes_it(work):
    before = state("chain.db").account(ADDR["alice"])
    stake = tx("tx", "stake", "1000.5", "--chain", "chain.db", *signed_by("alice"))
    document = load(stake)
    assert document["chain_id"] == state_chain_id() and document["summary"]["nonce"] == \
        before.nonce
    block = include(stake)
    assert [op["op"] for op in block["operations"]] == ["stake"]
    after = state("chain.db").account(ADDR["alice"])
    amount = 1000 * TOKEN + TOKEN // 2
    assert after.stake == before.stake + amount
    assert after.balance == before.balance - amount  # a block without claims pays nobody
    assert after.nonce == before.nonce + 1
    ok("block", "verify", "--chain", "chain.db")


def state_chain_id() -> int:
    with SQLiteChainStore.open("chain.db", read_only=True) as store:
        return store.chain_id()


def test_a_transfer_signed_by_another_key_is_rejected_and_the_victim_unchanged(work):
    victim = state("chain.db").account(ADDR["carol"])
    domain = chain_domain(state_chain_id())
    theft = SignedOperation(Transfer(ADDR["carol"], MALLORY, victim.balance), victim.nonce)
    forged = SignedOperation(theft.operation, theft.nonce,
                             MALLORY_KEY.sign(theft.digest(domain)))
    with open("forged.json", "w") as fh:
        json.dump(tx_document(forged, state_chain_id()), fh)
    # the CLI signs only with the acting account's own key: mallory's key makes a
    # transfer from mallory, never from carol
    Keystore("keys").new(PASSWORD, MALLORY_KEY, kdf="pbkdf2", iterations=1000)
    own = tx("tx", "transfer", ADDR["carol"], "1", "--chain", "chain.db",
             *signed_by_address(MALLORY))
    assert load(own)["summary"]["src"] == MALLORY
    block = include("forged.json")
    assert [r["reason"] for r in block["rejected_operations"]] == ["bad-signature"]
    assert state("chain.db").account(ADDR["carol"]) == victim
    assert MALLORY not in state("chain.db").accounts
    # signed for another chain: refused before the block; with its chain id forged to
    # this chain's, it recovers another account and is rejected
    other = tx("tx", "transfer", MALLORY, "1", "--chain-id", "7", "--nonce",
               str(victim.nonce), *signed_by("carol"))
    run = run_main("block", "build", "--chain", "chain.db", "--tx", other)
    assert run.code == 2 and other in run.stderr and "chain id 7" in run.stderr
    document = load(other)
    document["chain_id"] = state_chain_id()
    with open("relabelled.json", "w") as fh:
        json.dump(document, fh)
    block = include("relabelled.json")
    assert [r["reason"] for r in block["rejected_operations"]] == ["bad-signature"]
    assert state("chain.db").account(ADDR["carol"]) == victim
    ok("block", "verify", "--chain", "chain.db")


def signed_by_address(address: str) -> list[str]:
    return ["--keystore", "keys", "--account", address]


def test_a_replayed_transaction_file_is_rejected_in_a_later_block(work):
    stake = tx("tx", "stake", "100", "--chain", "chain.db", *signed_by("bob"))
    include(stake)
    once = state("chain.db").account(ADDR["bob"])
    assert once.stake == 100 * TOKEN
    block = include(stake)
    assert [r["reason"] for r in block["rejected_operations"]] == ["bad-nonce"]
    assert state("chain.db").account(ADDR["bob"]) == once
    ok("block", "verify", "--chain", "chain.db")


def test_tx_commands_refuse_bad_input_writing_nothing(work, tmp_path):
    before = sorted(p.name for p in tmp_path.iterdir())
    for argv, word in ((["tx", "stake", "0"], "0"), (["tx", "stake", "-5"], "-5"),
                       (["tx", "stake", "1e-30"], "decimals"),
                       (["tx", "stake", "1", "--chain", "chain.db"], "--key-file"),
                       (["tx", "stake", "1", *signed_by("bob")], "--chain"),
                       (["tx", "stake", "1", "--chain", "chain.db", "--chain-id", "9",
                         *signed_by("bob")], "--chain-id 9"),
                       (["tx", "transfer", "bob", "1", "--chain", "chain.db",
                         *signed_by("bob")], "bob"),
                       (["tx", "transfer", ADDR["bob"], "1", "--chain", "chain.db",
                         *signed_by("bob")], "itself"),
                       (["tx", "stake", "1", "--chain", "chain.db", "--keystore", "keys",
                         "--account", MALLORY], "holds no key")):
        run = run_main(*argv, "-o", "out.json")
        assert run.code == 2 and word in run.stderr and "Traceback" not in run.stderr, \
            (argv, run.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# -- governance ------------------------------------------------------------------------
def stake_everyone(tokens: str = "1000") -> None:
    include(*[tx("tx", "stake", tokens, "--chain", "chain.db", *signed_by(name))
              for name in KEYS])


def vote(name: str, proposal: int, support: str) -> str:
    return tx("gov", "vote", str(proposal), support, "--chain", "chain.db",
              *signed_by(name))


def gov_show(*args) -> dict:
    return ok("--json", "gov", "show", "--chain", "chain.db", *args).json()


def test_a_parameter_change_voted_through_activates_and_verifies(work):
    stake_everyone()
    acc = state("chain.db")
    old_weight = acc.params().to_dict()["kind_weights"]["compute"]
    run = ok("--json", "gov", "propose", "--chain", "chain.db", "--set",
             f"kind_weights.compute={old_weight + 2}", *signed_by("alice"), "-o", "p.json")
    activation = run.json()["activation_height"]
    height = acc.height + 1  # the proposal's block
    assert run.json()["changes"] == {"kind_weights.compute": [old_weight, old_weight + 2]}
    assert activation == height + 3 - 1 + 1  # vote of 3 blocks, then 1 block of delay
    block = include("p.json")
    assert not block["rejected_operations"], block["rejected_operations"]
    view = gov_show("0")["proposals"][0]
    assert view["status"] == "open" and view["voting_end"] == height + 2
    include(vote("bob", 0, "yes"), vote("carol", 0, "yes"))
    view = gov_show("0")["proposals"][0]
    assert view["votes"] == {ADDR["bob"]: True, ADDR["carol"]: True}
    assert int(view["yes_stake"]) == 2000 * TOKEN
    # a second vote of bob's is refused by the block, not counted twice
    block = include(vote("bob", 0, "no"))
    assert [r["reason"] for r in block["rejected_operations"]] == ["invalid-operation"]
    shown = gov_show()
    assert shown["proposals"][0]["status"] == "passed"
    assert shown["proposals"][0]["yes_stake"] == str(2000 * TOKEN)
    assert shown["future_changes"] == [activation]
    # a vote after the end is refused up front
    run = run_main("gov", "vote", "0", "yes", "--chain", "chain.db", *signed_by("alice"),
                   "-o", "late.json")
    assert run.code == 2 and "closed" in run.stderr
    while state("chain.db").height < activation:
        include()
    acc = state("chain.db")
    assert acc.params(activation - 1).kind_weights != acc.params(activation).kind_weights
    assert acc.params(activation).to_dict()["kind_weights"]["compute"] == old_weight + 2
    assert gov_show()["future_changes"] == []
    ok("block", "verify", "--chain", "chain.db")


def test_a_pause_stops_payouts_but_records_claims_and_is_lifted_by_vote(work):
    stake_everyone()
    run = ok("--json", "gov", "propose", "--chain", "chain.db", "--pause",
             *signed_by("alice"), "-o", "pause.json")
    assert run.json()["emergency"] and run.json()["changes"] == {"paused": [False, True]}
    activation = run.json()["activation_height"]
    include("pause.json")
    include(*[vote(name, 0, "yes") for name in KEYS])
    while state("chain.db").height < activation - 1:
        include()
    assert gov_show()["proposals"][0]["status"] == "passed"
    before = state("chain.db")
    block = include(claims=[work.claim("bob", "chain.db")])  # the first paused block
    assert block["header"]["height"] == activation and len(block["accepted"]) == 1
    after = state("chain.db")
    assert gov_show()["paused"] is True
    # no emission: bob receives the requester's fee (escrowed) minus the pool fee only
    (fee,) = block["fees"]
    assert after.account(ADDR["bob"]).balance == before.account(ADDR["bob"]).balance + \
        int(fee["fee"]) - int(fee["pool_fee"])
    assert after.pool == before.pool + int(fee["pool_fee"]) and block["header"][
        "emission"] == "0"
    assert after.account(ADDR["bob"]).claims_accepted == \
        before.account(ADDR["bob"]).claims_accepted + 1
    # lifted by vote, under the pause (operations still run)
    run = ok("--json", "gov", "propose", "--chain", "chain.db", "--unpause",
             *signed_by("carol"), "-o", "unpause.json")
    lift = run.json()["activation_height"]
    include("unpause.json")
    include(*[vote(name, 1, "yes") for name in ("alice", "bob")])
    while state("chain.db").height < lift - 1:
        include()
    before = state("chain.db")
    include(claims=[work.claim("bob", "chain.db")])
    after = state("chain.db")
    assert gov_show()["paused"] is False
    assert after.account(ADDR["bob"]).balance > before.account(ADDR["bob"]).balance
    ok("block", "verify", "--chain", "chain.db")


def test_gov_commands_refuse_bad_proposals_writing_nothing(work, tmp_path):
    stake_everyone()
    before = sorted(p.name for p in tmp_path.iterdir())
    for argv, word in ((["--set", "no_such=1"], "no_such"),
                       (["--set", "kind_weights.nothing=1"], "kind_weights.nothing"),
                       (["--set", "emission_ppb"], "FIELD=VALUE"),
                       (["--set", "emission_ppb=-1"], "emission_ppb"),
                       (["--set", "tiers=5"], "tiers"),
                       ([], "changes nothing"),
                       (["--set", "emission_ppb=5", "--activation-height", "1"], "too early"),
                       (["--pause", "--unpause"], "--unpause")):
        run = run_main("gov", "propose", "--chain", "chain.db", *argv, *signed_by("alice"),
                       "-o", "p.json")
        assert run.code == 2 and word in run.stderr and "Traceback" not in run.stderr, \
            (argv, run.stderr)
    for argv, word in ((["gov", "vote", "0", "yes", "--chain", "chain.db"], "no proposal 0"),
                       (["gov", "vote", "0", "maybe", "--chain", "chain.db"], "maybe"),
                       (["gov", "show", "3", "--chain", "chain.db"], "no proposal 3")):
        run = run_main(*argv, *([] if argv[1] == "show" else [*signed_by("bob"), "-o",
                                                               "v.json"]))
        assert run.code == 2 and word in run.stderr, (argv, run.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_transfer_unstake_and_numbered_transactions_in_one_block(work):
    alice, bob = ADDR["alice"], ADDR["bob"]
    start = state("chain.db")
    nonce = start.account(alice).nonce
    # three of alice's transactions for one block, numbered by hand (--nonce)
    files = [tx("tx", "stake", "50", "--chain", "chain.db", *signed_by("alice")),
             tx("tx", "unstake", "20", "--chain", "chain.db", "--nonce", str(nonce + 1),
                *signed_by("alice")),
             tx("tx", "transfer", bob, "7.25", "--chain-id", str(state_chain_id()),
                "--nonce", str(nonce + 2), *signed_by("alice"))]
    block = include(*files)
    assert [op["op"] for op in block["operations"]] == ["stake", "unstake", "transfer"]
    after = state("chain.db")
    a0, a1 = start.account(alice), after.account(alice)
    assert a1.stake == a0.stake + 30 * TOKEN and a1.unbonding_total == 20 * TOKEN
    assert a1.balance == a0.balance - 50 * TOKEN - 7 * TOKEN - TOKEN // 4
    assert after.account(bob).balance == start.account(bob).balance + 7 * TOKEN + TOKEN // 4
    assert a1.nonce == nonce + 3
    # a non-staker's vote is refused by the block, and costs nothing but its nonce
    ok("gov", "propose", "--chain", "chain.db", "--set", "emission_ppb=7",
       *signed_by("alice"), "-o", "p.json")
    include("p.json")
    carol = state("chain.db").account(ADDR["carol"])
    block = include(vote("carol", 0, "yes"))
    assert [r["reason"] for r in block["rejected_operations"]] == ["invalid-operation"]
    assert "without stake" in block["rejected_operations"][0]["detail"]
    assert gov_show("0")["proposals"][0]["votes"] == {}
    assert state("chain.db").account(ADDR["carol"]).balance == carol.balance
    ok("block", "verify", "--chain", "chain.db")
