# SPDX-License-Identifier: MIT
"""``zkcx demo``: the compute market end to end on an embedded default.

Three catalogue kernels, their inputs committed so that a task can fix them (dot_256 and
matmul_16x16x16 as compute, mlp_64_32_10_infer as inference; every proof bound to its
node and task), are compiled, set up and registered (as an unsafe local setup: a demo
has no trusted-setup ceremony, and says so); a requester, rita, granted tokens
at genesis, pays for work; six nodes with their own keys take it:

- block 0: five nodes register the capacity profile measured on this machine (a
  benchmark chain proved and timed, as ``zkcx node register --measure`` does); rita
  posts compute and inference tasks with fees (escrowed from her balance); at the end
  of the block the scheduler assigns every task;
- block 1: each node proves the task it was assigned and is paid its fee (minus the
  pool fee) and a share of the emission; eve, the unreliable node, delivers nothing;
  mallory copies another node's pending proof into a claim of her own (rejected: the
  proof is bound to that node and its task), proves a task assigned to someone else
  (rejected: not the assignee) and signs a transfer of carol's tokens with her own key
  (rejected: bad-signature, carol's account untouched). Mallory, who also controls a
  second account (mallory's wallet), registers her node and posts a task from the
  wallet with a bond only her node can lock, so that the scheduler gives it to her:
  she pays herself;
- block 2: mallory delivers her own task; block 3: nothing;
- block 4: eve's deadline (block 3) has passed: she loses reputation, her task goes
  back to the scheduler, which assigns it to another node;
- block 5: that node delivers it.

Then (``zkcx.cli.demo_models``) the chain goes on with registered models and a sharded
training job, in blocks of signed transactions like the others: olga registers a
classifier and a regressor, rita posts an inference task on the classifier (its price to
the model's share holders) and a training job of 4 shards x 3 steps on the regressor
(the gradient kernel mlp_4_4_1_grad, the aggregation mlp_4_4_1_aggregate_4), whose final
weights are checked against the data-parallel NumPy reference; governance (olga's
stake, a short vote) accepts rita's last version into the regressor's share table, and
ivan's inference call on it (mlp_4_4_1_infer: the predictions of that version's packed
weights on his inputs) pays both olga and rita. The chain is reopened and
re-verified from genesis, every block included.

Every payment is traced (each poster's escrow to the node, the pool and the model's
share holders, the pool's emission to the nodes; what left rita's escrow against her
grant and balance; the pool from genesis), the supply is checked (pool + balances +
stakes + unbonding + held = 200,000,000 tokens), and mallory's two accounts are shown
to have lost tokens by paying herself.

Every account has its own key (its node id is its address) and signs its own
transactions; the keys are written, encrypted under the password ``DEMO_PASSWORD``
with a fast KDF (demo keys, not for value), to ``keystore/`` of the folder, and
``nodes.json`` maps each name to its address. With ``--dir D`` everything needed to
continue by hand is kept: ``D/chain.db`` (with its kernel registry),
``D/kernels/NAME.toml`` (the spec, inputs committed, ``binding = true``),
``D/kernels/NAME.zkey`` and ``D/kernels/NAME.vk.json``, the tasks' input files
``D/inputs/task-ID.json`` and the claim files ``D/claims/blockH_I_NODE.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import pathlib
import tempfile
import time
from dataclasses import dataclass

import numpy as np

from zkcx import groth16, kernels
from zkcx.accounts import Keystore, Signer
from zkcx.cli._output import Reporter
from zkcx.cli.chain_commands import rewards_table, tokens
from zkcx.cli.demo_models import CALLER, OWNER, OWNER_STAKE, SERVE, ModelPhase
from zkcx.cli.errors import UsageError
from zkcx.cli.market_commands import measure_profile
from zkcx.market import Market, PostInference, PostJob, PostTask, RegisterModel, RegisterNode
from zkcx.rewards import (
    DEFAULT_PARAMS,
    SUPPLY,
    TOKEN,
    ClaimKind,
    ParamSchedule,
    Propose,
    Stake,
    Transfer,
    Vote,
)
from zkcx.rollup import (
    Claim,
    KernelRegistry,
    SignedOperation,
    SQLiteChainStore,
    claim_binding,
    verify_chain,
)
from zkcx.rollup.chain import Chain

#: the six nodes, the requester and mallory's second account
NODES = ("alice", "bob", "carol", "dave", "eve", "mallory")
REQUESTER = "rita"
WALLET = "mallory's wallet"
#: genesis grants: the requester's budget, mallory's second account's, the models' owner's
#: (her stake makes her a voter) and the regressor's caller's
GRANTS = {REQUESTER: 10_000 * TOKEN, WALLET: 1_000 * TOKEN, OWNER: 1_000 * TOKEN,
          CALLER: 100 * TOKEN}
#: a task's fee per work unit in the demo (far above the chain's minimum)
FEE_PER_UNIT = TOKEN // 1000
#: the bond of mallory's self-dealt task: more than any other node holds at block 0
SELF_BOND = 100 * TOKEN
#: blocks a task may take after the block that posts it
WINDOW = 3
#: The password of the demo's keystore (its keys guard nothing of value).
DEMO_PASSWORD = "zkcx-demo"

#: (name, kind, parameters, claim kind, inputs made committed): the catalogue's
#: circuits/<name>.toml instances with their private inputs committed (a task fixes
#: every input)
DEMO_KERNELS = [
    ("dot_256", "dot", {"n": 256, "frac_bits": 8, "bound_bits": 16}, "compute",
     ("x", "y")),
    ("matmul_16x16x16", "matmul",
     {"m": 16, "k": 16, "n": 16, "frac_bits": 8, "bound_bits": 16}, "compute",
     ("X", "W")),
    ("mlp_64_32_10_infer", "mlp_infer",
     {"sizes": [64, 32, 10], "batch": 1, "frac_bits": 8, "bound_bits": 16}, "inference",
     ("X",)),
    ("mlp_4_4_1_grad", "mlp_grad", {"sizes": [4, 4, 1], "batch": 4, "frac_bits": 8,
                                    "bound_bits": 16}, "training", ()),
    ("mlp_4_4_1_aggregate_4", "grad_aggregate",
     {"sizes": [4, 4, 1], "shards": 4, "lr": 0.125, "frac_bits": 8, "bound_bits": 16},
     "training", ()),
    # the regressor's serving kernel: its predictions on the training kernels' packed weights
    ("mlp_4_4_1_infer", "mlp_infer_packed",
     {"sizes": [4, 4, 1], "batch": 4, "frac_bits": 8, "bound_bits": 16}, "inference",
     ("X",)),
]
#: the demo chain's parameters: the defaults, training open to every tier (the demo's
#: nodes are new: none has the stake or the reputation of the tiers above), and
#: governance in a few blocks (votes open 2 blocks, a change applies 1 block after;
#: olga's stake may propose)
DEMO_PARAMS = DEFAULT_PARAMS.replace(tiers=(
    dataclasses.replace(DEFAULT_PARAMS.tiers[0],
                        kinds=DEFAULT_PARAMS.tiers[0].kinds | {ClaimKind.TRAINING}),
    *DEFAULT_PARAMS.tiers[1:]), voting_period=2, emergency_voting_period=1,
    min_activation_delay=1, proposal_min_stake=OWNER_STAKE)
#: rita's tasks, by kernel name, in posting order
RITA_TASKS = ("dot_256", "matmul_16x16x16", "mlp_64_32_10_infer", "dot_256",
              "matmul_16x16x16", "mlp_64_32_10_infer")


@dataclass
class DemoKernel:
    name: str
    kernel: kernels.Kernel
    pk: groth16.ProvingKey
    kernel_id: str
    claim_kind: str
    spec: str


def demo_kernel(kind: str, name: str, params: dict, committed: tuple[str, ...]):
    """The demo's instance of a catalogue kernel: its inputs ``committed``, bound."""
    return kernels.get(kind, name=name, visibility=dict.fromkeys(committed, "committed"),
                       **params).with_binding()


def spec_toml(kind: str, params: dict, committed: tuple[str, ...]) -> str:
    """A catalogue TOML file for kernel ``kind`` with ``params``, its ``committed``
    inputs, bound to its claims."""
    lines = [f"kernel = {json.dumps(kind)}"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in params.items()]
    lines += ["binding = true", "", "[visibility]"]
    lines += [f"{name} = \"committed\"" for name in committed]
    return "\n".join([*lines, ""])


def demo_key(seed: int, name: str) -> Signer:
    """The demo's key of ``name`` (derived from the seed: a run is reproducible)."""
    return Signer(hashlib.sha256(f"zkcx-demo:{seed}:{name}".encode()).digest())


class Demo:
    """The state of one demo run: kernels, keys, the chain and a log of what happened;
    with ``keep``, the keys, specs and inputs are written beside the chain."""

    def __init__(self, directory: pathlib.Path, out: Reporter, seed: int,
                 keep: bool = False) -> None:
        self.dir = directory
        self.keep = keep
        self.out = out
        self.rng = np.random.default_rng(seed)
        self.kernels: dict[str, DemoKernel] = {}
        self.registry = KernelRegistry()
        self.log: list[dict] = []
        self.inputs: dict[int, dict] = {}  # task id -> the input tensors
        names = (*NODES, REQUESTER, WALLET, OWNER, CALLER)
        self.fee_per_unit, self.window = FEE_PER_UNIT, WINDOW
        self.keys = {name: demo_key(seed, name) for name in names}
        self.address = {name: str(key.address) for name, key in self.keys.items()}
        self.name_of = {address: name for name, address in self.address.items()}
        self.payments: list[dict] = []
        self.emission: dict[str, int] = {}
        self.slashed = 0  # late nodes' bonds to the pool

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
        for name, kind, params, claim_kind, committed in DEMO_KERNELS:
            kernel = demo_kernel(kind, name, params, committed)
            start = time.perf_counter()
            with self.out.step(f"compile {name}"):
                r1cs = kernel.circuit()
            compiled = time.perf_counter() - start
            start = time.perf_counter()
            with self.out.step(f"setup {name}") as progress:
                pk = groth16.setup(r1cs, progress=progress)
            kid = self.registry.register_kernel(kernel, pk.verifying_key, claim_kind,
                                                unsafe_local_setup=True)
            spec = spec_toml(kind, params, committed)
            if self.keep:
                folder = self.dir / "kernels"
                folder.mkdir(exist_ok=True)
                (folder / f"{name}.toml").write_text(spec)
                groth16.write_zkey(pk, folder / f"{name}.zkey")
                groth16.write_verifying_key(pk.verifying_key, folder / f"{name}.vk.json")
            self.kernels[name] = DemoKernel(name, kernel, pk, kid, claim_kind, spec)
            rows.append([name, claim_kind, r1cs.n_constraints, r1cs.n_public,
                         f"{compiled:.2f}", f"{time.perf_counter() - start:.2f}", kid[:16]])
        self.out.line("Kernels (compiled from the catalogue, inputs committed, set up with "
                      "fresh randomness):")
        self.out.table(["kernel", "kind", "constraints", "public", "compile s", "setup s",
                        "kernel id"], rows)
        self.out.line("Registered as an UNSAFE LOCAL SETUP (kernel register "
                      "--unsafe-local-setup): a demo has no ceremony, so whoever ran it could "
                      "forge these kernels' proofs; a network registers keys from a verified "
                      "ceremony (zkcx ptau, zkcx zkey, then kernel register --zkey --ptau).")

    def _inputs(self, dk: DemoKernel) -> dict:
        """Random real inputs small enough for every bound (the kernel quantizes)."""
        return {t.name: self.rng.uniform(-0.5, 0.5, t.shape) for t in dk.kernel.spec.inputs}

    def post(self, chain: Chain, poster: str, name: str, task_id: int,
             bond: int = 0) -> PostTask:
        """A PostTask of ``poster`` for kernel ``name`` on fresh inputs, which will be
        task ``task_id`` (its inputs are kept by id: the data travels off chain)."""
        dk = self.kernels[name]
        values = self._inputs(dk)
        data = json.dumps({k: v.tolist() for k, v in values.items()}).encode()
        self.inputs[task_id] = values
        if self.keep:
            folder = self.dir / "inputs"
            folder.mkdir(exist_ok=True)
            (folder / f"task-{task_id}.json").write_text(data.decode())
        entry = self.registry.get(dk.kernel_id)
        return PostTask(self.address[poster], dk.kernel_id, entry.kind, entry.work_units,
                        dk.kernel.task_inputs(**values), hashlib.sha256(data).digest(),
                        f"demo://inputs/task-{task_id}.json", entry.work_units * FEE_PER_UNIT,
                        bond, 0, chain.height + 1 + WINDOW)

    def prove(self, chain: Chain, node: str, task_id: int) -> Claim:
        """Node ``node`` (a name) proves task ``task_id`` on its posted inputs."""
        task = chain.market.task(task_id)
        dk = next(k for k in self.kernels.values() if k.kernel_id == task.kernel_id)
        address = self.address[node]
        witness = dk.kernel.witness(**self.inputs[task_id],
                                    claim_binding=claim_binding(address, str(task_id)))
        with self.out.step(f"{node} proves task {task_id} ({dk.name})") as progress:
            proof, public = groth16.prove(dk.pk, witness, dk.kernel.circuit(),
                                          progress=progress)
        return Claim(address, str(task_id), dk.kernel_id, tuple(public), proof,
                     dk.claim_kind)

    # -- blocks -----------------------------------------------------------------------
    def seal(self, chain: Chain, claims: list[Claim], operations=(), forged=()):
        """Sign ``operations`` then ``claims`` with their accounts' keys (nonces in that
        order), add ``forged`` (already signed, by someone else), build the block and
        log what happened."""
        state = chain.market
        nonces: dict[str, int] = {}

        def nonce(address: str) -> int:
            n = nonces.get(address, state.account(address).nonce)
            nonces[address] = n + 1
            return n

        operations = [SignedOperation.sign(op, nonce(op.actor),
                                           self.keys[self.name_of[op.actor]], chain.domain)
                      for op in operations] + list(forged)
        claims = [c if c.signature is not None else
                  c.signed(self.keys[self.name_of[c.node_id]], chain.domain, nonce(c.node_id))
                  for c in claims]
        with self.out.step(f"block {chain.height + 1}: verify {len(claims)} claims and seal"):
            built = chain.build(claims, operations)
            block = chain.commit(built)
        height = block.header.height
        if self.keep:
            folder = self.dir / "claims"
            folder.mkdir(exist_ok=True)
            for i, claim in enumerate(claims):
                (folder / f"block{height}_{i}_{self.name_of[claim.node_id]}.json"
                 ).write_text(json.dumps(claim.to_json(), indent=1))
        rejected = {r.index: r for r in block.rejected}
        names = {dk.kernel_id: dk.name for dk in self.kernels.values()}
        for i, claim in enumerate(claims):
            why = rejected.get(i)
            self.log.append({"block": height, "node": self.name_of[claim.node_id],
                             "what": f"claim of task {claim.task_id} "
                                     f"({names.get(claim.kernel_id, '?')})",
                             "verdict": "accepted" if why is None
                             else f"rejected: {why.reason.value}",
                             "detail": "" if why is None else why.detail})
        rejected_ops = {r.index: r for r in block.rejected_operations}
        for i, op in enumerate(operations):
            why = rejected_ops.get(i)
            forgery = i >= len(operations) - len(forged)
            self.log.append({"block": height,
                             "node": self.name_of[op.actor] + (" (forged)" if forgery else ""),
                             "what": self._what(op.operation),
                             "verdict": "applied" if why is None
                             else f"rejected: {why.reason.value}",
                             "detail": "" if why is None else why.detail})
        self.record(built.outcome)
        return built

    def record(self, outcome) -> None:
        """Log a block's governance actions, payments, emission, late deliveries and
        assignments."""
        height = outcome.height
        for action in outcome.governance:
            self.log.append({"block": height, "node": "governance",
                             "what": f"proposal {action.proposal_id}: {action.kind} of "
                                     f"{action.model_id}",
                             "verdict": "applied" if action.applied else "not applied",
                             "detail": action.detail})
        for p in outcome.paid:
            self.payments.append({
                "block": height, "task": p.task_id, "poster": self.name_of[p.poster],
                "node": self.name_of[p.node_id], "fee": str(p.fee),
                "to_node": str(p.node_share), "to_pool": str(p.pool_fee),
                "bond_returned": str(p.bond), "price": str(p.price),
                "revenue": {self.name_of.get(h, h): str(a) for h, a in p.revenue}})
        for node, amount in outcome.ledger.paid.items():
            self.emission[node] = self.emission.get(node, 0) + amount
        for late in outcome.late:
            self.slashed += late.bond_slashed
            self.log.append({"block": height, "node": self.name_of[late.node_id],
                             "what": f"task {late.task_id} past its deadline",
                             "verdict": "late: " + ("expired" if late.expired
                                                    else "taken back for reassignment"),
                             "detail": f"-{late.reputation_lost} reputation, "
                                       f"{tokens(late.bond_slashed)} of its bond to the pool"})
        for a in outcome.assigned:
            self.log.append({"block": height, "node": self.name_of[a.node_id],
                             "what": f"task {a.task_id} assigned", "verdict": "assigned",
                             "detail": ""})

    def _what(self, op) -> str:
        if isinstance(op, PostTask):
            return (f"post task ({tokens(op.fee)} tokens"
                    + (f", bond {tokens(op.bond)}" if op.bond else "") + ")")
        if isinstance(op, RegisterModel):
            return f"register model {op.model_id} ({tokens(op.price)} tokens a call)"
        if isinstance(op, PostInference):
            return (f"post inference on {op.model_id} v{op.version} ({tokens(op.fee)} "
                    f"tokens + price {tokens(op.price)})")
        if isinstance(op, Propose):
            what = op.action.kind if op.action is not None else "parameters"
            return f"propose {what} (activation block {op.activation_height})"
        if isinstance(op, Vote):
            return f"vote {'yes' if op.support else 'no'} on proposal {op.proposal_id}"
        if isinstance(op, Stake):
            return f"stake {tokens(op.amount)} tokens"
        if isinstance(op, PostJob):
            return (f"post training job on {op.model_id}: {len(op.data_commitments)} shards"
                    f" x {op.steps} steps ({tokens(op.escrow)} tokens)")
        if isinstance(op, RegisterNode):
            return f"register node ({op.profile.units_per_second:,} units/s)"
        if isinstance(op, Transfer):
            return f"transfer {tokens(op.amount)} tokens to {self.name_of.get(op.dst, op.dst)}"
        return type(op).__name__.lower()

    def assignee(self, chain: Chain, task_id: int) -> str:
        return self.name_of[chain.market.task(task_id).assignee]

    def run(self) -> dict:
        self.setup_kernels()
        with self.out.step("measure this machine's proving capacity"):
            profile = measure_profile(11)
        market = Market.genesis({self.address[n]: v for n, v in GRANTS.items()},
                                ParamSchedule([(0, DEMO_PARAMS)]))
        path = self.dir / "chain.db"
        self.pool_start = market.ledger.pool
        store = SQLiteChainStore.create(path, market)
        store.save_kernel_registry(self.registry)
        chain = Chain(store, self.registry)
        self.write_keys()
        start = self.holdings(chain)

        # block 0: five nodes register; rita posts her tasks; the scheduler assigns them
        honest = [n for n in NODES if n != "mallory"]
        ops: list = [RegisterNode(self.address[n], profile) for n in honest]
        ops += [self.post(chain, REQUESTER, name, k) for k, name in enumerate(RITA_TASKS)]
        self.seal(chain, [], ops)

        # block 1: every node but eve delivers; mallory forges; mallory registers and
        # posts a task from her wallet with a bond only her node can lock
        claims, late = [], None
        for task in chain.market.tasks:
            node = self.assignee(chain, task.task_id)
            if node == "eve" and late is None:
                late = task.task_id  # eve, the unreliable node, never delivers it
                continue
            claims.append(self.prove(chain, node, task.task_id))
        victim, other = claims[0], claims[1]
        copied = Claim(self.address["mallory"], victim.task_id, victim.kernel_id,
                       victim.public_inputs, victim.proof, victim.kind)
        dk = next(k for k in self.kernels.values() if k.kernel_id == other.kernel_id)
        witness = dk.kernel.witness(**self.inputs[int(other.task_id)],
                                    claim_binding=claim_binding(self.address["mallory"],
                                                                other.task_id))
        with self.out.step("mallory proves a task assigned to another node"):
            proof, public = groth16.prove(dk.pk, witness, dk.kernel.circuit())
        poached = Claim(self.address["mallory"], other.task_id, other.kernel_id,
                        tuple(public), proof, other.kind)
        carol = self.address["carol"]
        theft = Transfer(carol, self.address["mallory"], TOKEN)
        draft = SignedOperation(theft, chain.market.account(carol).nonce)
        forged = SignedOperation(theft, draft.nonce,  # signed with mallory's own key
                                 self.keys["mallory"].sign(draft.digest(chain.domain)))
        self.forgeries = {"copied_from": self.name_of[victim.node_id],
                          "poached_from": self.name_of[other.node_id]}
        self_task = len(chain.market.tasks)
        ops = [RegisterNode(self.address["mallory"], profile),
               Transfer(self.address[WALLET], self.address["mallory"], SELF_BOND),
               self.post(chain, WALLET, "dot_256", self_task, bond=SELF_BOND)]
        self.seal(chain, [copied, poached, *claims], ops, forged=[forged])

        # block 2: mallory delivers the task she paid for
        self.seal(chain, [self.prove(chain, self.assignee(chain, self_task), self_task)])
        paid_herself = self.holdings(chain)  # mallory's only income so far: her own fee
        # block 3: nothing; block 4: eve's deadline (block 3) has passed: her task is taken
        # back and reassigned
        while chain.height < WINDOW + 1:
            self.seal(chain, [])
        self.late_task = late
        # block 5: the new assignee delivers it
        if late is not None:
            node = self.assignee(chain, late)
            self.seal(chain, [self.prove(chain, node, late)])
        self.market_blocks = chain.height + 1
        models = ModelPhase(self, chain).run()
        store.close()

        with SQLiteChainStore.open(path) as reopened:
            with self.out.step("re-verify the chain from genesis") as progress:
                report = verify_chain(reopened, reopened.kernel_registry(),
                                      progress=progress)
            market = reopened.load_state()
        return self.report(report, market, start, paid_herself, self_task, models)

    def holdings(self, chain: Chain) -> dict[str, int]:
        """Every named account's tokens (balance + stake + unbonding + held)."""
        out = {}
        for name, address in self.address.items():
            acc = chain.market.account(address)
            out[name] = acc.balance + acc.stake + acc.unbonding_total + acc.held
        return out

    # -- output -----------------------------------------------------------------------
    def trace(self) -> list[list]:
        """Every payment, summed by (source, destination, what): the posters' escrows
        to the nodes, the pool and the models' share holders; the pool to the nodes."""
        flows: dict[tuple[str, str, str], int] = {}

        def add(source: str, to: str, what: str, amount: int) -> None:
            if amount:
                flows[source, to, what] = flows.get((source, to, what), 0) + amount

        for p in self.payments:
            source = f"{p['poster']}'s escrow"
            add(source, p["node"], "fee less the pool fee", int(p["to_node"]))
            add(source, "pool", "pool fee", int(p["to_pool"]))
            for holder, amount in p["revenue"].items():
                add(source, holder, "model price (share holder)", int(amount))
        for node, amount in sorted(self.emission.items()):
            add("pool", self.name_of.get(node, node), "emission", amount)
        return [[source, to, what, amount] for (source, to, what), amount in flows.items()]

    def report(self, report, market, start: dict[str, int], paid_herself: dict[str, int],
               self_task: int, models: dict) -> dict:
        out = self.out
        out.line("What each account did, block by block:")
        out.table(["block", "account", "what", "verdict"],
                  [[e["block"], e["node"], e["what"], e["verdict"]] for e in self.log])
        for e in self.log:
            if e["detail"] and e["verdict"].startswith(("rejected", "late")):
                out.line(f"  block {e['block']} {e['node']}: {e['detail']}")
        out.line()
        out.line("Fees, from each poster's escrow (the pool fee goes to the pool, never "
                 "burned):")
        out.table(["block", "task", "poster", "node", "fee", "to the node", "to the pool",
                   "bond back"],
                  [[p["block"], p["task"], p["poster"], p["node"], tokens(int(p["fee"])),
                    tokens(int(p["to_node"])), tokens(int(p["to_pool"])),
                    tokens(int(p["bond_returned"]))] for p in self.payments])
        out.line("Emission, from the pool (tied to the tasks' work, capped by the fees):")
        out.table(["node", "emission"], [[self.name_of.get(n, n), tokens(v)]
                                         for n, v in sorted(self.emission.items())])
        ledger = market.ledger
        out.line()
        out.line(f"Inference on a registered model (task {models['inference_task']}): the "
                 "price went to the model's share holders, "
                 + ", ".join(f"{h} {s / 10_000:g} %" for h, s in
                             models["classifier_shares"].items())
                 + "; the execution fee to the node, less the pool fee")
        out.line(f"Training job {models['job']}: {models['shards']} shards x "
                 f"{models['steps']} steps, {len(models['job_tasks'])} tasks, "
                 f"{models['job_status']}; the regressor's versions:")
        takers: dict[str, int] = {}
        for p in self.payments:
            if p["block"] >= models["first_block"]:
                takers[p["node"]] = takers.get(p["node"], 0) + 1
        taken = ", ".join(f"{n} {k}" for n, k in sorted(takers.items()))
        out.table(["version", "weights commitment", "contributor", "accepted", "reference",
                   "equal"],
                  [[v["version"], v["commitment"][:20] + "…", v["contributor"],
                    "yes" if v["accepted"] else "pending", ref[:20] + "…",
                    "yes" if ref == v["commitment"] else "NO"]
                   for v, ref in zip(models["versions"], models["reference_commitments"])])
        out.line("Final weights " + ("equal to" if models["final_equals_reference"] else
                                     "DIFFERENT FROM")
                 + " the data-parallel NumPy reference (zkcx.kernels.sharded)")
        out.line(f"Governance (proposal {models['proposal']}, olga's stake) accepted rita's "
                 f"version {models['accepted_version']} into the regressor's share table: "
                 + ", ".join(f"{h} {s / 10_000:g} %" for h, s in
                             models["regressor_shares"].items())
                 + f"; ivan's inference call on it (task {models['regressor_task']}) paid "
                 "its price to both by that table")
        scale = 1 << self.kernels[SERVE].kernel.spec.frac_bits
        out.line("  its proof's outputs are the predictions of that version's weights on "
                 f"ivan's {len(models['regressor_inputs'])} inputs: "
                 + ", ".join(f"{v / scale:+.3f}" for (v,) in models["regressor_predictions"])
                 + (", equal to" if models["predictions_equal_reference"] else
                    ", DIFFERENT FROM")
                 + " the NumPy forward pass of the reference weights")
        out.line(f"Tasks of the models' blocks by node: {taken} (the scheduler gives each "
                 "task to the least loaded node that fits; reputation breaks ties)")
        out.line()
        trace = self.trace()
        out.line("Every payment, from its source (the posters' escrows and the pool):")
        out.table(["from", "to", "what", "tokens"],
                  [[f, t, w, tokens(a)] for f, t, w, a in trace])
        left: dict[str, int] = {}
        for source, _, _, amount in trace:
            left[source] = left.get(source, 0) + amount
        rita = ledger.account(self.address[REQUESTER])
        rita_income = sum(amount for _, to, _, amount in trace if to == REQUESTER)
        rita_left = GRANTS[REQUESTER] - rita.balance - rita.held + rita_income
        out.line(f"  left rita's escrow: {tokens(left.get('rita' + chr(39) + 's escrow', 0))}"
                 f" = her grant {tokens(GRANTS[REQUESTER])} - balance {tokens(rita.balance)}"
                 f" - still escrowed {tokens(rita.held)} + her share of the regressor's "
                 f"revenue {tokens(rita_income)} = {tokens(rita_left)}")
        pool_in = sum(int(p["to_pool"]) for p in self.payments) + self.slashed
        out.line(f"  the pool: {tokens(self.pool_start)} at genesis + {tokens(pool_in)} "
                 f"(pool fees, slashed bonds) - {tokens(left.get('pool', 0))} emission = "
                 f"{tokens(self.pool_start + pool_in - left.get('pool', 0))}; it holds "
                 f"{tokens(ledger.pool)}")
        mallory = sum(start[n] for n in ("mallory", WALLET))
        mallory_end = sum(paid_herself[n] for n in ("mallory", WALLET))
        out.line()
        out.line(f"Self-dealing: mallory's wallet paid her own node task {self_task}'s fee; "
                 f"her two accounts held {tokens(mallory)} tokens at genesis and "
                 f"{tokens(mallory_end)} once it was paid (block 2): she lost "
                 f"{tokens(mallory - mallory_end)} (the pool fee exceeds the emission a fee "
                 "can earn)")
        out.line()
        out.line(f"Accounts after block {market.height}:")
        names = {address: name for name, address in self.address.items()}
        rewards_table(ledger, out, names)
        parts = (ledger.pool, *ledger.totals())
        supply = sum(parts)
        traced = (sum(int(p["to_node"]) for p in self.payments), sum(self.emission.values()))
        out.line()
        out.line(f"Chain re-verified from genesis: {report.blocks} blocks (the market's "
                 f"{self.market_blocks}, then {report.blocks - self.market_blocks} of models, "
                 f"training and governance), {report.accepted_claims} accepted and "
                 f"{report.rejected_claims} rejected claims; state root "
                 f"{report.state_root.hex()[:32]}…")
        out.line("Supply: pool + balances + stakes + unbonding + held = "
                 + " + ".join(tokens(v) for v in parts) + f" = {tokens(supply)} tokens: "
                 + ("conserved" if supply == SUPPLY else "NOT conserved"))
        result = {
            "dir": str(self.dir), "log": self.log, "payments": self.payments,
            "emission": {names.get(n, n): str(v) for n, v in self.emission.items()},
            "blocks": report.blocks, "market_blocks": self.market_blocks,
            "accepted": report.accepted_claims,
            "rejected": report.rejected_claims, "state_root": report.state_root.hex(),
            "pool": str(ledger.pool), "supply_conserved": supply == SUPPLY,
            "nodes": self.address, "late_task": self.late_task,
            "self_dealing": {"task": self_task, "before": str(mallory),
                             "after": str(mallory_end)},
            "forgeries": self.forgeries,
            "unsafe_local_setup": True,  # the demo's keys: no ceremony (setup_kernels says)
            "fees_to_nodes": str(traced[0]), "emission_to_nodes": str(traced[1]),
            "tasks": [t.to_dict() for t in market.tasks],
            "models": models, "trace": [[f, t, w, str(a)] for f, t, w, a in trace],
            "rita_paid": str(rita_left), "market_height": market.height,
            "accounts": {names.get(n, n): {"balance": str(a.balance), "held": str(a.held),
                                           "stake": str(a.stake),
                                           "unbonding": str(a.unbonding_total)}
                         for n, a in ledger.accounts.items()},
            "supply": {"pool": str(ledger.pool), "balances": str(parts[1]),
                       "stakes": str(parts[2]), "unbonding": str(parts[3]),
                       "held": str(parts[4])},
        }
        out.set(demo=result)
        return result


def cmd_demo(args: argparse.Namespace, out: Reporter) -> int:
    """Run the demo in ``--dir`` (kept) or a temporary folder (removed); its parser
    and ``--network`` are ``zkcx.cli.demo_commands``'s."""
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
                 f"{kept}{os.sep} (specs and keys), {directory / 'inputs'}{os.sep} (the "
                 f"tasks' input files), {directory / 'claims'}{os.sep} (the claim files)")
        out.line(f"Continue by hand, e.g.: zkcx block verify --chain {chain}")
        out.line(f"  or list the tasks: zkcx task list --chain {chain}; post one as rita: "
                 f"zkcx task post KERNEL_ID --kernel {kept / 'dot_256.toml'} --input "
                 f"in.json --fee 20 --chain {chain} --keystore {directory / 'keystore'} "
                 "--account ADDRESS -o post.json, then zkcx block build --tx post.json "
                 f"--chain {chain}")
        out.line(f"  or prove an assigned task: zkcx prove {kept / 'dot_256.zkey'} --kernel "
                 f"{kept / 'dot_256.toml'} --input in.json --node ADDRESS --task ID, then "
                 f"zkcx claim make ... --keystore {directory / 'keystore'} --account ADDRESS "
                 f"(each account's address: {directory / 'nodes.json'} ; key password: "
                 f"{DEMO_PASSWORD})")
    else:
        with tempfile.TemporaryDirectory(prefix="zkcx-demo-") as tmp:
            Demo(pathlib.Path(tmp), out, args.seed).run()
        out.line("(the chain was kept in a temporary folder, removed now: run `zkcx demo "
                 "--dir DIR` to keep the chain, keys and claims and continue by hand)")
    out.line(f"demo finished in {time.perf_counter() - start:.1f} s")
    return 0
