# SPDX-License-Identifier: MIT
"""``zkcx demo``: the main job end to end on an embedded default.

Four catalogue kernels (dot_256 and matmul_16x16x16 as compute, mlp_64_32_10_infer as
inference, mlp_16_16_1_train as training) are compiled and set up; six simulated nodes
prove work over six blocks of a SQLite chain:

- block 0: alice stakes 1,000 tokens of her genesis grant and bob 1,500 of his (a
  stake counts from the next block; bob's margin keeps him in the tier after block 2's
  slash); alice, bob, dave prove compute kernels, carol an MLP inference; eve
  submits a tampered proof (rejected, reputation lost); mallory a valid training step
  while in the open tier (ineligible: training needs the "staked" tier);
- block 1: alice proves a training step of the registered model (version 0 -> 1); eve
  copies carol's pending proof into a
  claim of her own (rejected: every kernel is bound, ``with_binding``, so the proof names
  carol's node and task) and replays bob's block-0 claim (rejected: replayed); mallory
  forges a transfer of carol's tokens to herself, signed with her own key (rejected:
  bad-signature, carol's account untouched);
- block 2: bob continues the model (version 1 -> 2) and also submits a tampered proof
  (rejected, and 10 % of his stake is slashed back to the pool);
- blocks 3-5, a governance round: alice (staked) proposes to double the inference kind
  weight (block 3); alice and bob vote yes (block 4, the vote's last block: the tally
  weighs their stakes, it passes); from block 5 the new weight applies (carol's
  inference claim there earns under it).

Every node has its own key (an account: the node id is its address) and signs its
claims and operations; the keys are written, encrypted under the password
``DEMO_PASSWORD`` with a fast KDF (demo keys, not for value), to ``keystore/`` of the
folder, and ``nodes.json`` maps each name to its address, so the chain can be continued
by hand (``zkcx block build --keystore DIR``). The chain is then reopened and re-verified
from genesis. The accountant runs the default parameters except a faster emission
(``DEMO_EMISSION_PPB``), short governance periods (``DEMO_GOVERNANCE``: a vote of two
blocks, one block of delay, a stake of 1,000 tokens to propose) and ``DEMO_REPUTATION``:
the claims carry no task fee yet (the market of issue 14 adds fees), so a minimum fee of
0 makes them paid work (they weigh, release emission and gain reputation, a point per 50
work units, enough for the staked tier in one block) while the fee cap pays them
nothing; alice and bob stake from genesis grants (``DEMO_GRANTS``; carol holds a small
one, which mallory tries to steal). Parameters are data,
as in production.

With ``--dir D`` everything needed to continue the chain by hand is kept: ``D/chain.db``
(with its kernel registry), ``D/kernels/NAME.toml`` (the spec, ``binding = true``),
``D/kernels/NAME.zkey`` and ``D/kernels/NAME.vk.json`` (its keys) and the claim files
``D/claims/blockH_I_NODE.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from zkcx import groth16, kernels
from zkcx.accounts import Keystore, Signer
from zkcx.cli._output import Reporter, UsageError
from zkcx.cli.chain_commands import rewards_table, tokens
from zkcx.rewards import (
    DEFAULT_PARAMS,
    SUPPLY,
    TOKEN,
    Accountant,
    ParamSchedule,
    Propose,
    Stake,
    Transfer,
    Vote,
)
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import (
    Claim,
    KernelRegistry,
    ModelRegistry,
    SignedOperation,
    SQLiteChainStore,
    claim_binding,
    verify_chain,
)
from zkcx.rollup.chain import Chain

#: at most 10^-4 of the pool per block (the default is 55 ppb); the work bounds it below
DEMO_EMISSION_PPB = 100_000
MODEL_ID = "mlp-16-16-1"
STAKE = 1_000 * TOKEN
#: the demo chain's governance rules: short votes, so that a change passes in the demo
DEMO_GOVERNANCE = {"voting_period": 2, "emergency_voting_period": 1,
                   "min_activation_delay": 1, "proposal_min_stake": STAKE}
#: fee-less claims count as paid work; reputation enough for the staked tier in a block
DEMO_REPUTATION = {"min_fee_per_unit": 0, "reputation_units_per_point": 50,
                   "reputation_gain_max": 500}
#: genesis balances (every other token starts in the pool)
DEMO_GRANTS = {"alice": 2 * STAKE, "bob": 2 * STAKE, "carol": 100 * TOKEN}
NODES = ("alice", "bob", "carol", "dave", "eve", "mallory")
#: The password of the demo's keystore (its keys guard nothing of value).
DEMO_PASSWORD = "zkcx-demo"

#: (name, kind, parameters, claim kind): the same instances as circuits/<name>.toml
DEMO_KERNELS = [
    ("dot_256", "dot", {"n": 256, "frac_bits": 8, "bound_bits": 16}, "compute"),
    ("matmul_16x16x16", "matmul",
     {"m": 16, "k": 16, "n": 16, "frac_bits": 8, "bound_bits": 16}, "compute"),
    ("mlp_64_32_10_infer", "mlp_infer",
     {"sizes": [64, 32, 10], "batch": 1, "frac_bits": 8, "bound_bits": 16}, "inference"),
    ("mlp_16_16_1_train", "mlp_train",
     {"sizes": [16, 16, 1], "batch": 8, "lr": 0.0625, "frac_bits": 8, "bound_bits": 16},
     "training"),
]


@dataclass
class DemoKernel:
    name: str
    kernel: kernels.Kernel
    pk: groth16.ProvingKey
    kernel_id: str
    claim_kind: str


def spec_toml(kind: str, params: dict) -> str:
    """A catalogue TOML file for kernel ``kind`` with ``params``, bound to its claims."""
    lines = [f"kernel = {json.dumps(kind)}"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in params.items()]
    return "\n".join([*lines, "binding = true", ""])


class Demo:
    """The state of one demo run: kernels, keys, the chain and a log of claims; with
    ``keep``, the keys and specs are written beside the chain (module docstring)."""

    def __init__(self, directory: pathlib.Path, out: Reporter, seed: int,
                 keep: bool = False) -> None:
        self.dir = directory
        self.keep = keep
        self.out = out
        self.rng = np.random.default_rng(seed)
        self.kernels: dict[str, DemoKernel] = {}
        self.registry = KernelRegistry()
        self.log: list[dict] = []
        self.tasks = 0
        self.keys = {name: Signer.generate() for name in NODES}
        self.address = {name: str(key.address) for name, key in self.keys.items()}
        self.name_of = {address: name for name, address in self.address.items()}

    def write_keys(self) -> None:
        """keystore/ (pbkdf2, few iterations: demo keys) and nodes.json."""
        keystore = Keystore(self.dir / "keystore")
        for key in self.keys.values():
            if keystore.find(key.address) is None:
                keystore.new(DEMO_PASSWORD, key, kdf="pbkdf2", iterations=1000)
        (self.dir / "nodes.json").write_text(json.dumps(self.address, indent=1))

    # -- set-up -------------------------------------------------------------------------
    def setup_kernels(self) -> None:
        rows = []
        for name, kind, params, claim_kind in DEMO_KERNELS:
            # bound: a proof names its node and task (a copied proof fails)
            kernel = kernels.get(kind, name=name, **params).with_binding()
            start = time.perf_counter()
            with self.out.step(f"compile {name}"):
                r1cs = kernel.circuit()
            compiled = time.perf_counter() - start
            start = time.perf_counter()
            with self.out.step(f"setup {name}") as progress:
                pk = groth16.setup(r1cs, progress=progress)
            positions = (kernel.model_commitment_positions if claim_kind == "training"
                         else None)
            kid = self.registry.register(pk.verifying_key, r1cs.n_constraints, [claim_kind],
                                         model_positions=positions,
                                         public_bounds=kernel.public_bounds(),
                                         binding_position=kernel.binding_position)
            if self.keep:
                folder = self.dir / "kernels"
                folder.mkdir(exist_ok=True)
                (folder / f"{name}.toml").write_text(spec_toml(kind, params))
                groth16.write_zkey(pk, folder / f"{name}.zkey")
                groth16.write_verifying_key(pk.verifying_key, folder / f"{name}.vk.json")
            self.kernels[name] = DemoKernel(name, kernel, pk, kid, claim_kind)
            rows.append([name, claim_kind, r1cs.n_constraints, r1cs.n_public,
                         f"{compiled:.2f}", f"{time.perf_counter() - start:.2f}", kid[:16]])
        self.out.line("Kernels (compiled from the catalogue, set up with fresh randomness):")
        self.out.table(["kernel", "kind", "constraints", "public", "compile s", "setup s",
                        "kernel id"], rows)
        self.out.line()

    # -- work -------------------------------------------------------------------------
    def _inputs(self, dk: DemoKernel) -> dict[str, np.ndarray]:
        """Random real inputs small enough for every bound (floats; the kernel quantizes)."""
        return {t.name: self.rng.uniform(-0.5, 0.5, t.shape) for t in dk.kernel.spec.inputs}

    def prove(self, node: str, name: str, inputs: dict | None = None, *,
              model_version: int | None = None) -> tuple[Claim, object]:
        """Node ``node`` (a name) runs kernel ``name`` and proves it; returns (an unsigned
        claim, the witness)."""
        dk = self.kernels[name]
        node_name, node = node, self.address[node]
        self.tasks += 1
        task = f"task-{self.tasks:03d}"
        values = dict(inputs if inputs is not None else self._inputs(dk))
        witness = dk.kernel.witness(**values, claim_binding=claim_binding(node, task))
        with self.out.step(f"{node_name} proves {name}") as progress:
            proof, public = groth16.prove(dk.pk, witness, dk.kernel.circuit(),
                                          progress=progress)
        claim = Claim(node, task, dk.kernel_id, tuple(public), proof,
                      dk.claim_kind, MODEL_ID if model_version is not None else None,
                      model_version)
        return claim, witness

    def training_step(self, node: str, weights: np.ndarray, version: int):
        """One SGD step of the registered model on a fresh batch from ``weights``
        (quantized ints); returns (claim, the next weights)."""
        dk = self.kernels["mlp_16_16_1_train"]
        k = dk.kernel
        x = self.rng.uniform(-1, 1, (k.batch, k.sizes[0]))
        t = np.tanh(x[:, :1] - x[:, 1:2])  # a target the model can learn
        data = np.round(k.pack_data(x, t) * 2**k.spec.frac_bits).astype(np.int64)
        claim, witness = self.prove(node, dk.name, {"weights": weights, "data": data},
                                    model_version=version)
        return claim, k.read(witness, "weights_next")

    @staticmethod
    def tampered(claim: Claim) -> Claim:
        """The same claim with pi_a negated: a proof that no longer verifies."""
        proof = groth16.Proof(-claim.proof.a, claim.proof.b, claim.proof.c)
        return Claim(claim.node_id, claim.task_id, claim.kernel_id, claim.public_inputs,
                     proof, claim.kind, claim.model_id, claim.model_version)

    # -- blocks -----------------------------------------------------------------------
    def seal(self, chain: Chain, claims: list[Claim], operations=(), forged=()) -> None:
        """Sign ``operations`` then ``claims`` with their nodes' keys (nonces in that
        order), add ``forged`` (already signed, by someone else) and build the block."""
        names = {dk.kernel_id: dk.name for dk in self.kernels.values()}
        state = chain.accountant
        nonces: dict[str, int] = {}

        def nonce(address: str) -> int:
            n = nonces.get(address, state.account(address).nonce)
            nonces[address] = n + 1
            return n

        operations = [SignedOperation.sign(op, nonce(op.actor),
                                           self.keys[self.name_of[op.actor]], chain.domain)
                      for op in operations] + list(forged)
        claims = [c.signed(self.keys[self.name_of[c.node_id]], chain.domain, nonce(c.node_id))
                  for c in claims]
        with self.out.step(f"block {chain.height + 1}: verify {len(claims)} claims and seal"):
            built = chain.build(claims, operations)
            block = chain.commit(built)
        rejected = {r.index: r for r in block.rejected}
        claims_dir = self.dir / "claims"
        claims_dir.mkdir(exist_ok=True)
        for i, claim in enumerate(claims):
            name = self.name_of[claim.node_id]
            (claims_dir / f"block{block.header.height}_{i}_{name}.json").write_text(
                json.dumps(claim.to_json(), indent=1))
        paid_once = set()
        for i, claim in enumerate(claims):
            reason = rejected.get(i)
            verdict = "accepted" if reason is None else f"rejected: {reason.reason.value}"
            paid = ""
            if reason is None and claim.node_id not in paid_once:
                paid_once.add(claim.node_id)
                paid = tokens(built.outcome.paid.get(claim.node_id, 0))
            slashed = built.outcome.slashed.get(claim.node_id, 0) if reason else 0
            self.log.append({
                "block": block.header.height, "node": self.name_of[claim.node_id],
                "address": claim.node_id,
                "kernel": names.get(claim.kernel_id, "?"), "kind": claim.kind.value,
                "verdict": verdict, "detail": "" if reason is None else reason.detail,
                "paid": paid, "slashed": tokens(slashed) if slashed else "",
            })
        rejected_ops = {r.index: r for r in block.rejected_operations}
        for i, op in enumerate(operations):
            why = rejected_ops.get(i)
            self.log.append({"block": block.header.height,
                             "node": self.name_of[op.actor]
                             + (" (forged)" if i >= len(operations) - len(forged) else ""),
                             "address": op.actor,
                             "kernel": "-", "kind": type(op.operation).__name__.lower(),
                             "verdict": "applied" if why is None
                             else f"rejected: {why.reason.value}",
                             "detail": "" if why is None else why.detail,
                             "paid": "", "slashed": "",
                             "amount": self._what(op.operation)})

    def _what(self, op) -> str:
        """An operation's amount, or what a proposal or vote says."""
        if isinstance(op, Propose):
            return f"(proposal, from height {op.activation_height})"
        if isinstance(op, Vote):
            return f"({'yes' if op.support else 'no'} on proposal {op.proposal_id})"
        return tokens(op.amount)

    def run(self) -> dict:
        self.setup_kernels()
        train = self.kernels["mlp_16_16_1_train"].kernel
        w0 = np.round(self.rng.uniform(-0.3, 0.3, train.spec["weights"].shape)
                      * 2**train.spec.frac_bits).astype(np.int64)
        models = ModelRegistry()
        models.register(MODEL_ID, kernels.commit(w0, train.spec["weights"]))
        params = DEFAULT_PARAMS.replace(emission_ppb=DEMO_EMISSION_PPB, **DEMO_GOVERNANCE,
                                        **DEMO_REPUTATION)
        accountant = Accountant.genesis(
            {self.address[name]: amount for name, amount in DEMO_GRANTS.items()},
            ParamSchedule([(0, params)]))
        path = self.dir / "chain.db"
        store = SQLiteChainStore.create(path, accountant, models)
        store.save_kernel_registry(self.registry)
        chain = Chain(store, self.registry)
        self.write_keys()
        pool_genesis = chain.accountant.pool

        # block 0: stakes; open-tier work, a tampered proof, an ineligible training claim
        c_alice, _ = self.prove("alice", "dot_256")
        c_alice2, _ = self.prove("alice", "matmul_16x16x16")
        c_bob, _ = self.prove("bob", "matmul_16x16x16")
        c_carol, _ = self.prove("carol", "mlp_64_32_10_infer")
        c_dave, _ = self.prove("dave", "dot_256")
        c_eve, _ = self.prove("eve", "matmul_16x16x16")
        c_mallory, _ = self.training_step("mallory", w0, 0)
        self.seal(chain, [c_alice, c_alice2, c_bob, c_carol, c_dave, self.tampered(c_eve),
                          c_mallory],
                  [Stake(self.address["alice"], STAKE),
                   Stake(self.address["bob"], STAKE + STAKE // 2)])

        # block 1: the first training step; a copied proof; a replay; a forged transfer
        c_train1, w1 = self.training_step("alice", w0, 0)
        c_carol2, _ = self.prove("carol", "mlp_64_32_10_infer")
        c_dave2, _ = self.prove("dave", "matmul_16x16x16")
        eve, carol = self.address["eve"], self.address["carol"]
        replay = Claim(eve, c_bob.task_id, c_bob.kernel_id, c_bob.public_inputs,
                       c_bob.proof, c_bob.kind)
        stolen = Claim(eve, "task-999", c_carol2.kernel_id, c_carol2.public_inputs,
                       c_carol2.proof, c_carol2.kind)  # carol's pending proof, copied
        theft = Transfer(carol, self.address["mallory"], 10 * TOKEN)
        draft = SignedOperation(theft, chain.accountant.account(carol).nonce)
        forged = SignedOperation(theft, draft.nonce,  # signed with mallory's own key
                                 self.keys["mallory"].sign(draft.digest(chain.domain)))
        self.seal(chain, [c_train1, stolen, c_carol2, c_dave2, replay], forged=[forged])

        # block 2: the model's next version; a staked node's invalid proof is slashed
        c_train2, _ = self.training_step("bob", w1, 1)
        c_bob_bad, _ = self.prove("bob", "dot_256")
        c_carol3, _ = self.prove("carol", "dot_256")
        c_alice3, _ = self.prove("alice", "matmul_16x16x16")
        self.seal(chain, [c_train2, self.tampered(c_bob_bad), c_carol3, c_alice3])

        self.governance_round(chain)
        store.close()

        with SQLiteChainStore.open(path) as reopened:
            with self.out.step("re-verify the chain from genesis") as progress:
                report = verify_chain(reopened, reopened.kernel_registry(),
                                      progress=progress)
            accountant, models = reopened.load_state()
        return self.report(report, accountant, models, pool_genesis)

    def governance_round(self, chain: Chain) -> None:
        """Blocks 3-5: alice proposes to double the inference weight, the stakers vote
        yes, it passes at the vote's end and applies from its activation height."""
        current = chain.accountant.params()
        inference = ClaimKind.INFERENCE
        weights = dict(current.kind_weights)
        weights[inference] *= 2
        proposed = current.replace(kind_weights=weights)
        height = chain.height + 1
        activation = height + current.voting_period - 1 + current.min_activation_delay
        alice, bob = self.address["alice"], self.address["bob"]
        self.seal(chain, [], [Propose(alice, proposed, activation)])
        pid = len(chain.accountant.proposals) - 1
        self.seal(chain, [], [Vote(alice, pid, True), Vote(bob, pid, True)])
        while chain.height + 1 < activation:
            self.seal(chain, [])
        c_carol4, _ = self.prove("carol", "mlp_64_32_10_infer")
        self.seal(chain, [c_carol4])
        self.governance = {"proposal": chain.accountant.proposals[pid].to_dict(),
                           "weight": [current.kind_weight(inference),
                                      chain.accountant.params(activation)
                                      .kind_weight(inference)],
                           "activation_height": activation}

    # -- output -----------------------------------------------------------------------
    def report(self, report, accountant, models, pool_genesis: int) -> dict:
        out = self.out
        out.line("Claims, verdicts and rewards (rewards are per node and block):")
        out.table(["block", "node", "kernel", "kind", "verdict", "paid", "slashed"],
                  [[e["block"], e["node"], e["kernel"], e["kind"],
                    e["verdict"] + (f" {e['amount']}" if "amount" in e else ""),
                    e["paid"], e["slashed"]] for e in self.log])
        for e in self.log:
            if e["detail"]:
                out.line(f"  block {e['block']} {e['node']}: {e['detail']}")
        out.line()
        gov = self.governance
        proposal = gov["proposal"]
        votes = ", ".join(f"{self.name_of[v]} {'yes' if s else 'no'}"
                          for v, s in proposal["votes"].items())
        out.line(f"Governance: proposal {proposal['id']} by "
                 f"{self.name_of[proposal['proposer']]} (block {proposal['proposed_height']}): "
                 f"inference kind weight {gov['weight'][0]} -> {gov['weight'][1]}")
        out.line(f"  votes {votes}; yes {tokens(int(proposal['yes_stake']))} of "
                 f"{tokens(int(proposal['total_stake']))} staked at the tally (block "
                 f"{proposal['voting_end']}): {proposal['status']}; in force from block "
                 f"{gov['activation_height']}")
        out.line()
        out.line(f"Accounts after block {report.blocks - 1}:")
        rewards_table(accountant, out, self.name_of)
        pool = accountant.pool
        supply = pool + sum(accountant.totals())
        out.line(f"pool at genesis {tokens(pool_genesis)} tokens (after the grants), now "
                 f"{tokens(pool)}: paid out, less slashed back")
        out.line()
        out.line(f"Model {MODEL_ID!r} version chain:")
        versions = models.versions(MODEL_ID)
        out.table(["version", "commitment", "height", "claim"],
                  [[i, f"{v.commitment:064x}"[:20] + "…", v.height,
                    v.claim_hash.hex()[:16] if any(v.claim_hash) else "genesis"]
                   for i, v in enumerate(versions)])
        out.line()
        out.line(f"Chain re-verified from genesis: {report.blocks} blocks, "
                 f"{report.accepted_claims} accepted and {report.rejected_claims} rejected "
                 f"claims; state root {report.state_root.hex()[:32]}…")
        result = {
            "dir": str(self.dir), "claims": self.log, "blocks": report.blocks,
            "accepted": report.accepted_claims, "rejected": report.rejected_claims,
            "state_root": report.state_root.hex(), "pool": str(pool),
            "supply_conserved": supply == SUPPLY, "nodes": self.address,
            "model_versions": [f"{v.commitment:064x}" for v in versions],
            "governance": self.governance,
        }
        out.set(demo=result)
        return result


def cmd_demo(args: argparse.Namespace, out: Reporter) -> int:
    """Run the demo in ``--dir`` (kept) or a temporary folder (removed)."""
    start = time.perf_counter()
    if args.dir:
        directory = pathlib.Path(args.dir)
        if directory.exists() and not directory.is_dir():
            raise UsageError(f"--dir {args.dir!r} is not a directory")
        clashes = [directory / n for n in ("chain.db", "kernels", "claims")
                   if os.path.lexists(directory / n)]
        if clashes:
            raise UsageError(f"--dir {args.dir!r} already holds {clashes[0].name}: give a new "
                             "or empty folder (the demo never overwrites a chain)")
        directory.mkdir(parents=True, exist_ok=True)
        Demo(directory, out, args.seed, keep=True).run()
        chain, kept = directory / "chain.db", directory / "kernels"
        out.line(f"Kept in {directory}: {chain} (the kernels are registered in it), "
                 f"{kept}{os.sep} (specs and keys), {directory / 'claims'}{os.sep} "
                 "(the claim files)")
        out.line(f"Continue by hand, e.g.: zkcx block verify --chain {chain}")
        out.line(f"  or look at its governance: zkcx gov show --chain {chain}; sign a "
                 f"node's transactions: zkcx tx stake 10 --chain {chain} --keystore "
                 f"{directory / 'keystore'} --account ADDRESS -o tx.json, then zkcx block "
                 f"build --tx tx.json --chain {chain}")
        out.line(f"  or prove new work: zkcx input template {kept / 'dot_256.toml'} && "
                 f"zkcx prove {kept / 'dot_256.zkey'} --kernel {kept / 'dot_256.toml'} "
                 "--input in.json --node ADDRESS --task task-100, then zkcx claim make "
                 f"... --keystore {directory / 'keystore'} --account ADDRESS (each node's "
                 f"address: {directory / 'nodes.json'} ; key password: {DEMO_PASSWORD})")
    else:
        with tempfile.TemporaryDirectory(prefix="zkcx-demo-") as tmp:
            Demo(pathlib.Path(tmp), out, args.seed).run()
        out.line("(the chain was kept in a temporary folder, removed now: run `zkcx demo "
                 "--dir DIR` to keep the chain, keys and claims and continue by hand)")
    out.line(f"demo finished in {time.perf_counter() - start:.1f} s")
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register demo."""
    p = sub.add_parser("demo", help="the main job end to end: kernels, proofs, blocks, rewards")
    p.add_argument("--dir", help="a new or empty folder to keep the chain, kernel specs, keys "
                                 "and claims in (default: a temporary folder, removed)")
    p.add_argument("--seed", type=int, default=2026, help="seed of the simulated inputs")
    p.set_defaults(run=cmd_demo)
