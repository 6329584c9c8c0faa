# SPDX-License-Identifier: MIT
"""Building a block from pending claims and operations: check, batch-verify, apply
through the market, seal.

The chain state is a ``zkcx.market.Market`` (the ledger, the tasks, the registered
nodes). Only requested work is paid: a claim answers a task (its ``task_id`` is the
task's number in decimal, "0", "1", …) assigned by the market's scheduler to the node that
signs it, proving the task's kernel on the task's inputs.

Every transaction is signed by the account that acts (``zkcx.rollup.signing``): a
claim by its node, an operation by its actor. The chain id the signatures are checked
in comes from the builder's chain (``BlockBuilder(kernels, chain_id)``; ``Chain`` and
``verify_chain`` take it from the store's genesis).

**Nonces.** Each account's ledger entry counts its included transactions
(``Account.nonce``); a transaction must carry exactly that count as its nonce. A
transaction whose signature recovers its acting account and whose nonce is the account's
next one consumes the nonce, whatever its later verdict (as in Ethereum: a claim whose
proof then fails still used its nonce). Unsigned, a signature of anyone else (or of no
key), or any other nonce: rejected (``unsigned``, ``bad-signature``, ``bad-nonce``)
without any effect — no nonce consumed, no penalty, nothing charged to the account
named. So a signed transaction is included at most once, on one chain: a replay in a
later block, or a copy in the same block, finds its nonce used. Within a block, an
account's transactions are taken in this order: the block's operations in the order
received, then its claims in the order received (a node that stakes and claims in one
block numbers the stake first).

**The block's steps**, in this order (``zkcx.market.draft``):

1. Operations are decoded and authenticated (malformed, unsigned, bad signature, bad
   nonce); claims likewise, then each claim meets the checks that need no state, the
   first failing one rejecting it with its reason (``RejectReason``): malformed bytes
   (bytes longer than ``MAX_CLAIM_BYTES``, more than any claim, are rejected as
   malformed and recorded as empty, so a block never stores them); unsigned; bad
   signature; bad nonce; replayed (an earlier block accepted its statement — kernel id
   and public inputs, see ``zkcx.rollup.claim``); unknown kernel; a kind other than the
   kernel's one kind (kind-not-allowed); the wrong number of public inputs; public
   inputs outside the kernel's registered public bounds (public-input-out-of-bounds,
   without penalty: the proof may well be valid — a circuit does not range-check its
   public inputs — but its statement says nothing about the kernel's integers); a
   binding input that is not ``claim_binding(node_id, task_id)`` (kernels that declare
   one); a training claim without model id and version.
2. The remaining claims are verified with ``groth16.batch_verify``, one batch per
   verifying key, with weights derived from the block's content: the seed of a key's
   batch is SHA-256("zkcx-batch-seed-v1" || 0x00 || parent hash || u64 height || kernel
   id || the batch's claim hashes in order), so anyone re-verifying the block draws the
   same weights, and nobody can choose them without changing the block. The batches
   go to the builder's ``verifier`` (``BlockBuilder(kernels, chain_id, verifier=)``):
   by default ``batch_verifier``, in this process; ``zkcx.cluster`` gives one that
   splits each batch across Dask workers and finds the same failing claims. Failing
   proofs are rejected (invalid-proof); each is a penalty for its node (only a claim the node
   itself signed can get that far, so a forged claim in another's name costs that other
   nothing).
3. The market's block draft: penalties for the invalid proofs first (so the rest of the
   block weighs the offender as it will stand), matured unbonding released, missed
   deadlines taken back (reassigned or expired), then the operations one by one, each
   judged against the state the valid ones before it left (a refused one is recorded as
   invalid-operation with the market's or ledger's reason and has no effect beyond its
   nonce), then the consumed nonces.
4. Each verified claim, in the order received: a duplicate of a statement an earlier
   claim of this block took (a statement is taken by the first claim that passes every
   check, the proof included: a copy or a forgery placed ahead cannot crowd the real
   claim out); then the task (``MarketDraft.check_claim``): no-such-task (a task id that
   is not a posted task's number), task-closed (done, cancelled, expired, past its
   deadline, or paid by an earlier claim of this block: a task is paid once),
   not-assignee (the task is assigned to another node, or to none yet: copying a proof
   or racing the assignee pays nothing), task-kernel-mismatch (not the task's kernel),
   task-input-mismatch (a public input at one of the task's input positions differs from
   the task's value: a proof on other data), ineligible (the node's tier may no longer
   earn the kind); then model work (``_model_problem``). A claim answering a training
   job's task makes no model step of its own: the job's logic extends the market's
   version chain when the step's aggregation is accepted (``zkcx.market.job_draft``);
   the claim must name the job's model at its current version (model-mismatch
   otherwise: a claim says which model it trains, and that is its job's; a job whose
   model governance froze or retired meanwhile is halted by the job's own logic). A
   gradient kernel's claim (training, no model positions) on any other task is
   model-mismatch. On an ordinary task, a training claim extends its model's version
   chain in the market (``MarketDraft.extend_model``, from the model's current version
   and commitment): a model the market does not hold is unknown-model, a frozen one
   model-frozen (it takes no new version), a retired one model-retired, a step not from
   the current version and commitment model-mismatch; other model work (inference)
   must name an existing version of a registered model (unknown-model, or
   model-mismatch for a version that does not exist or a commitment that is not that
   version's). The market's version chains (``zkcx.market.billing``) are the only ones.
5. The accepted claims are paid by the market (``MarketDraft.accept``: the escrowed fee
   minus the pool fee to the node, its bond back, the ledger's emission on the tasks'
   work units, capped by the fees), the scheduler assigns the unassigned tasks, and the
   draft commits; the header is sealed over the new state (``Market.state_root``, and
   ``Market.models_root`` for the models root).

The kernel terms the market needs (kind, work units, input positions, binding) come from
the kernel registry (``KernelRegistry.terms``). Nothing given to the builder is
modified: it returns a new market object.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from zkcx._bindings import get_threads
from zkcx.errors import (
    ArgumentTypeError,
    InternalError,
    InvalidOperationError,
    SignatureError,
)
from zkcx.groth16 import AggregationSRS, Proof, VerifyingKey, batch_verify
from zkcx.market import (
    Market,
    MarketDraft,
    MarketOutcome,
    ModelError,
    ModelStatus,
    TaskClaim,
)
from zkcx.rewards.accountant import Accountant
from zkcx.rewards.merkle import merkle_root
from zkcx.rewards.params import ClaimKind
from zkcx.rollup._codec import tagged_hash
from zkcx.rollup.aggregation import block_aggregates
from zkcx.rollup.block import (
    BLOCK_VERSION,
    Aggregates,
    Block,
    BlockHeader,
    RejectedClaim,
    RejectedOperation,
    RejectReason,
    body_hash,
    encode_body,
    raw_claim_hash,
    statements_root,
)
from zkcx.rollup.claim import MAX_CLAIM_BYTES, Claim, claim_binding
from zkcx.rollup.errors import MalformedClaimError, MalformedOperationError
from zkcx.rollup.kernel_registry import KernelEntry, KernelRegistry
from zkcx.rollup.signing import chain_domain
from zkcx.rollup.transactions import MAX_OPERATION_BYTES, SignedOperation

_SEED_TAG = b"zkcx-batch-seed-v1"

#: Fewest claims whose signatures are recovered on several threads (starting a pool costs
#: more than recovering a few signatures).
_PARALLEL_RECOVERY_MIN = 64


@dataclass(frozen=True)
class BuiltBlock:
    """A sealed block with the state after it (the inputs are left untouched)."""

    block: Block
    market: Market
    outcome: MarketOutcome

    @property
    def ledger(self) -> Accountant:
        """The market's ledger after the block."""
        return self.market.ledger


#: RejectReason of each ``TaskClaimProblem.code`` of ``MarketDraft.check_claim``
_TASK_REASONS = {
    "no-such-task": RejectReason.NO_SUCH_TASK,
    "task-closed": RejectReason.TASK_CLOSED,
    "not-assignee": RejectReason.NOT_ASSIGNEE,
    "task-kernel-mismatch": RejectReason.TASK_KERNEL_MISMATCH,
    "task-input-mismatch": RejectReason.TASK_INPUT_MISMATCH,
    "ineligible": RejectReason.INELIGIBLE,
}


def task_number(task_id: str) -> int | None:
    """The task a claim's ``task_id`` names: its decimal number ("0", "17"; no sign, no
    leading zero), or None when the text is not one."""
    if task_id.isascii() and task_id.isdigit() and (task_id == "0" or task_id[0] != "0") \
            and len(task_id) <= 19:
        return int(task_id)
    return None


def batch_seed(parent_hash: bytes, height: int, kernel_id: str,
               claim_hashes: Sequence[bytes]) -> bytes:
    """The seed of one verifying key's batch (module docstring)."""
    return tagged_hash(_SEED_TAG, parent_hash, height.to_bytes(8, "big"),
                       bytes.fromhex(kernel_id), *claim_hashes)


#: One verifying key's batch of a block: (vk, seed, [(claim index, public inputs, proof)]),
#: the claims in received order, the seed ``batch_seed``'s.
VerifyGroup = tuple[VerifyingKey, bytes, list[tuple[int, Sequence[int], Proof]]]
#: A block's proof verifier: the batches of its keys (sorted by kernel id) -> the indices
#: of the claims whose proofs fail.
Verifier = Callable[[list[VerifyGroup]], "set[int]"]


def batch_verifier(groups: list[VerifyGroup]) -> set[int]:
    """The default verifier: each key's batch verified in this process by
    ``groth16.batch_verify`` with the batch's seed (bisection finds the failing proofs)."""
    bad: set[int] = set()
    for vk, seed, items in groups:
        result = batch_verify([(vk, public, proof) for _index, public, proof in items],
                              seed=seed)
        bad.update(items[k][0] for k in result.failed)
    return bad


class BlockBuilder:
    """Builds blocks under one kernel registry and one chain id (the chain's rules).
    ``verifier`` verifies the proofs of a block's batches (``batch_verifier`` when None,
    in this process; a ``zkcx.cluster.Cluster().verifier()`` on Dask workers): it may
    change where the work runs, never a verdict. With ``aggregation_srs`` (the prover's
    ``groth16.AggregationSRS`` of a chain that keeps its verifier key) each block carries
    the aggregates of its accepted claims (``zkcx.rollup.aggregation``)."""

    def __init__(self, kernels: KernelRegistry, chain_id: int,
                 verifier: Verifier | None = None,
                 aggregation_srs: AggregationSRS | None = None) -> None:
        if not isinstance(kernels, KernelRegistry):
            raise ArgumentTypeError(f"a BlockBuilder needs the chain's zkcx.rollup.KernelRegistry, "
                                    f"got {type(kernels).__name__}")
        if verifier is not None and not callable(verifier):
            raise ArgumentTypeError(f"a BlockBuilder's verifier is a callable (groups -> "
                                    f"failing indices), got {type(verifier).__name__}")
        self.kernels = kernels
        self.chain_id = chain_id
        self.domain = chain_domain(chain_id)
        self.verifier: Verifier = batch_verifier if verifier is None else verifier
        if aggregation_srs is not None and not isinstance(aggregation_srs, AggregationSRS):
            raise ArgumentTypeError(f"a BlockBuilder's aggregation_srs is a "
                                    f"groth16.AggregationSRS, got "
                                    f"{type(aggregation_srs).__name__}")
        self.aggregation_srs = aggregation_srs

    def build(
        self,
        parent_hash: bytes,
        market: Market,
        claims: Sequence[Claim | bytes],
        operations: Sequence[SignedOperation | bytes] = (),
        timestamp: int | None = None,
        is_replay: Callable[[bytes], bool] = lambda statement_hash: False,
        aggregates: Aggregates | None = None,
    ) -> BuiltBlock:
        """The block at height ``market.height + 1`` on ``parent_hash`` (invalid claims
        and operations are recorded as rejected, never raised; module docstring). Its
        aggregates are ``aggregates`` when given (a re-verification takes the stored
        block's, which it checks apart), else made with the builder's
        ``aggregation_srs``, else none."""
        if not isinstance(market, Market):
            raise ArgumentTypeError(f"blocks apply to a zkcx.market.Market, got "
                            f"{type(market).__name__}")
        height = market.height + 1
        if timestamp is None:
            timestamp = int(time.time())
        nonces: dict[str, int] = {}  # account -> its nonce after this block's transactions
        signed_ops, rejected_ops = self._authenticate_operations(market, operations, nonces)

        rejected: list[RejectedClaim] = []
        candidates: list[tuple[int, Claim, bytes, KernelEntry]] = []  # index, claim, hash
        raws: list[bytes] = []
        decoded = [_decode_pending(item, Claim, MAX_CLAIM_BYTES, MalformedClaimError,
                                   _NOT_KEPT) for item in claims]
        self._recover_signers([claim for claim, _, _ in decoded if claim is not None])
        for index, (claim, data, why) in enumerate(decoded):
            raws.append(data)
            h = raw_claim_hash(data)
            if claim is None:
                reason, detail = RejectReason.MALFORMED, why
            else:
                reason, detail = self._authenticate(claim, claim.node_id, market, nonces)
            if reason is None:
                reason, detail = self._precheck(claim, is_replay)
            if reason is not None:
                rejected.append(RejectedClaim(index, reason, detail, data))
            else:
                candidates.append((index, claim, h, self.kernels.get(claim.kernel_id)))

        verified, invalid = self._verify(candidates, parent_hash, height)
        invalid_nodes = []
        for index, claim, _h, _e in invalid:
            rejected.append(RejectedClaim(index, RejectReason.INVALID_PROOF,
                                          "the Groth16 proof does not verify", raws[index]))
            invalid_nodes.append(claim.node_id)

        new_market = market.copy()  # the draft commits into it; the input stays as it was
        draft = new_market.begin_block(height, self.kernels.terms())
        draft.penalize(invalid_nodes)
        draft.release_unbonding()
        draft.expire_deadlines()
        applied = []
        for index, op in signed_ops:
            try:
                draft.operate(op.operation, index)
            except InvalidOperationError as exc:
                rejected_ops.append(RejectedOperation(index, RejectReason.INVALID_OPERATION,
                                                      str(exc), op.to_bytes()))
            else:
                applied.append(op)
        draft.set_nonces(nonces)

        accepted = self._take_claims(draft, verified, raws, rejected)
        draft.accept([TaskClaim(c.node_id, t, c.kernel_id, c.public_inputs, h)
                      for _i, c, h, t in accepted])
        draft.schedule()
        outcome = draft.commit()
        accepted_claims = tuple(c for _i, c, _h, _t in accepted)
        rejected.sort(key=lambda r: r.index)
        rejected_ops.sort(key=lambda r: r.index)
        if aggregates is None:
            aggregates = () if self.aggregation_srs is None or not accepted_claims else \
                block_aggregates(self.aggregation_srs, self.kernels, self.chain_id,
                                 parent_hash, height, accepted_claims)
        aggregates = tuple(aggregates)
        body = encode_body(accepted_claims, rejected, tuple(applied), tuple(rejected_ops),
                           aggregates)
        header = BlockHeader(
            version=BLOCK_VERSION, height=height, parent_hash=bytes(parent_hash),
            timestamp=timestamp,
            claims_root=merkle_root([h for _i, _c, h, _t in accepted]),
            statements_root=statements_root([c.statement for c in accepted_claims]),
            state_root=outcome.state_root, models_root=new_market.models_root(),
            emission=outcome.ledger.emission, body_hash=body_hash(body))
        block = Block(header, accepted_claims, tuple(rejected), tuple(applied),
                      tuple(rejected_ops), aggregates)
        return BuiltBlock(block, new_market, outcome)

    def _take_claims(self, draft: MarketDraft, verified, raws: list[bytes],
                     rejected: list[RejectedClaim]) -> list[tuple[int, Claim, bytes, int]]:
        """Step 4 of the module docstring: the verified claims that stand, in order
        (index, claim, claim hash, task id)."""
        seen: set[bytes] = set()
        taken: set[int] = set()
        out: list[tuple[int, Claim, bytes, int]] = []
        for index, claim, h, entry in verified:
            if claim.statement_hash in seen:
                rejected.append(RejectedClaim(index, RejectReason.DUPLICATE,
                                              "an earlier claim in this block proves the same "
                                              "statement", raws[index]))
                continue
            seen.add(claim.statement_hash)
            task_id = task_number(claim.task_id)
            if task_id is None:
                reason, detail = (RejectReason.NO_SUCH_TASK,
                                  f"task id {claim.task_id[:40]!r} is not a task number")
            elif task_id in taken:
                reason, detail = (RejectReason.TASK_CLOSED,
                                  f"task {task_id} is paid by an earlier claim of this block")
            else:
                problem = draft.check_claim(claim.node_id, task_id, claim.kernel_id,
                                            claim.public_inputs)
                reason, detail = ((None, "") if problem is None
                                  else (_TASK_REASONS[problem.code], problem.detail))
            if reason is None:
                reason, detail = _model_problem(draft, claim, task_id,  # type: ignore[arg-type]
                                                entry, h)
            if reason is not None:
                rejected.append(RejectedClaim(index, reason, detail, raws[index]))
            else:
                taken.add(task_id)  # type: ignore[arg-type]
                out.append((index, claim, h, task_id))
        return out

    # -- steps ----------------------------------------------------------------------------
    def _recover_signers(self, claims: Sequence[Claim]) -> None:
        """Recover every claim's signer ahead of the in-order checks, on all native threads:
        libsecp256k1 releases the GIL, and the result is cached on each claim, so the
        checks that follow read it (the verdicts do not depend on this step)."""
        threads = get_threads()
        if threads < 2 or len(claims) < _PARALLEL_RECOVERY_MIN:
            return
        domain = self.domain

        def recover_part(part: Sequence[Claim]) -> None:
            for claim in part:
                if claim.signature is not None:
                    with contextlib.suppress(SignatureError):  # cached; judged later
                        claim.signer(domain)

        step = -(-len(claims) // threads)
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(recover_part, [claims[i:i + step]
                                         for i in range(0, len(claims), step)]))

    def _authenticate(self, tx: Claim | SignedOperation, actor: str, market: Market,
                      nonces: dict[str, int]) -> tuple[RejectReason | None, str]:
        """Signature and nonce of one transaction (module docstring); consumes the nonce
        when both are right."""
        if tx.signature is None:
            return RejectReason.UNSIGNED, f"not signed by {actor}"
        try:
            who = tx.signer(self.domain)
        except SignatureError as exc:
            return RejectReason.BAD_SIGNATURE, str(exc)
        if bytes(who) != bytes.fromhex(actor[2:]):  # actor: a checked EIP-55 address
            return (RejectReason.BAD_SIGNATURE,
                    f"signed by {who}, not by {actor} (or for another chain)")
        expected = nonces.get(actor)
        if expected is None:
            expected = market.account(actor).nonce
        if tx.nonce != expected:
            return (RejectReason.BAD_NONCE,
                    f"nonce {tx.nonce}, the next nonce of {actor} is {expected}")
        nonces[actor] = expected + 1
        return None, ""

    def _authenticate_operations(self, market: Market,
                                 operations: Sequence[SignedOperation | bytes],
                                 nonces: dict[str, int]
                                 ) -> tuple[list[tuple[int, SignedOperation]],
                                            list[RejectedOperation]]:
        """(signed operations with their index, rejected ones): decode, authenticate."""
        rejected: list[RejectedOperation] = []
        signed: list[tuple[int, SignedOperation]] = []
        for index, item in enumerate(operations):
            op, data, why = _decode_pending(item, SignedOperation, MAX_OPERATION_BYTES,
                                            MalformedOperationError, _OP_NOT_KEPT)
            if op is None:
                rejected.append(RejectedOperation(index, RejectReason.MALFORMED, why, data))
                continue
            reason, detail = self._authenticate(op, op.actor, market, nonces)
            if reason is not None:
                rejected.append(RejectedOperation(index, reason, detail, data))
            else:
                signed.append((index, op))
        return signed, rejected

    def _precheck(self, claim, is_replay):
        if is_replay(claim.statement_hash):
            return RejectReason.REPLAYED, "the chain has already accepted this statement"
        if claim.kernel_id not in self.kernels:
            return RejectReason.UNKNOWN_KERNEL, f"kernel {claim.kernel_id} is not registered"
        entry = self.kernels.get(claim.kernel_id)
        if claim.kind is not entry.kind:
            return (RejectReason.KIND_NOT_ALLOWED,
                    f"kernel is claimed as {entry.kind.value}, not {claim.kind.value}")
        if len(claim.public_inputs) != entry.n_public:
            return (RejectReason.PUBLIC_INPUT_COUNT,
                    f"{len(claim.public_inputs)} public inputs, the kernel has "
                    f"{entry.n_public}")
        problem = entry.public_bounds.problem(claim.public_inputs)
        if problem:  # valid or not, the proof proves nothing: rejected without penalty
            return RejectReason.PUBLIC_INPUT_BOUNDS, problem
        pos = entry.binding_position
        if pos is not None and claim.public_inputs[pos] != claim_binding(claim.node_id,
                                                                          claim.task_id):
            return (RejectReason.BINDING_MISMATCH,
                    f"public input {pos} is not the claim binding of this node and task")
        if claim.kind is ClaimKind.TRAINING and claim.model_id is None:
            return RejectReason.MODEL_MISMATCH, "a training claim names its model and version"
        return None, ""

    def _verify(self, candidates, parent_hash: bytes, height: int):
        """(verified, invalid) candidates, each list in received order."""
        groups: dict[str, list[tuple[int, Claim, bytes, KernelEntry]]] = {}
        for cand in candidates:
            groups.setdefault(cand[1].kernel_id, []).append(cand)
        batches: list[VerifyGroup] = []
        for kernel_id in sorted(groups):
            group = groups[kernel_id]
            seed = batch_seed(parent_hash, height, kernel_id, [c[2] for c in group])
            batches.append((group[0][3].vk, seed,
                            [(c[0], c[1].public_inputs, c[1].proof) for c in group]))
        bad = set(self.verifier(batches)) if batches else set()
        if not bad <= {c[0] for c in candidates}:
            raise InternalError("the block's verifier named claims it was not given")
        verified = [c for c in candidates if c[0] not in bad]
        invalid = [c for c in candidates if c[0] in bad]
        return verified, invalid


def _decode_pending(item, kind, max_bytes: int, error: type[Exception], not_kept: str):
    """(transaction or None, the bytes a block keeps, why it does not decode) of one
    pending claim or operation (``kind``): an object as it is, or its bytes decoded.
    Empty bytes and bytes longer than any transaction (``max_bytes``) are not stored: the
    block keeps b"" in their place, and re-verification, which sees b"", gives the same
    ``not_kept`` detail."""
    if isinstance(item, kind):
        return item, item.to_bytes(), ""
    if isinstance(item, (bytes, bytearray, memoryview)):
        if len(item) > max_bytes or len(item) == 0:
            return None, b"", not_kept
        data = bytes(item)
        try:
            return kind.from_bytes(data), data, ""
        except error as exc:
            return None, data, exc.reason
    raise ArgumentTypeError(f"pending transactions are {kind.__name__} objects or their bytes, got "
                    f"{type(item).__name__}")


_OP_NOT_KEPT = (f"no operation bytes kept (empty, or more than {MAX_OPERATION_BYTES} "
                "bytes, longer than any operation)")
_NOT_KEPT = (f"no claim bytes kept (an empty claim, or more than {MAX_CLAIM_BYTES} bytes, "
             "longer than any claim)")


#: the reject reason of a training step on a model of each status but active
_STATUS_REASONS = {ModelStatus.FROZEN: RejectReason.MODEL_FROZEN,
                   ModelStatus.RETIRED: RejectReason.MODEL_RETIRED}


def _model_problem(draft: MarketDraft, claim: Claim, task_id: int, entry: KernelEntry,
                   h: bytes) -> tuple[RejectReason | None, str]:
    """The model step of a claim that answers task ``task_id`` (module docstring, step 4):
    (None, "") when the claim stands, else the reason and its detail; nothing is staged
    on a problem."""
    if claim.model_id is None:
        return None, ""
    place = draft.jobs.place(task_id)
    if place is not None:  # a training job's task: the job makes the model step
        job = draft.jobs.job(place[0])
        assert job is not None  # a placed task's job exists
        job_model = draft.models.model(job.model_id)
        current = None if job_model is None else len(job_model.versions) - 1
        if claim.model_id != job.model_id or claim.model_version != current:
            return (RejectReason.MODEL_MISMATCH,
                    f"task {task_id} is training job {job.job_id}'s, on model "
                    f"{job.model_id!r} at version {current}; the claim names model "
                    f"{claim.model_id[:40]!r} version {claim.model_version}")
        return None, ""
    model = draft.models.model(claim.model_id)
    if model is None:
        return (RejectReason.UNKNOWN_MODEL,
                f"model {claim.model_id[:40]!r} is not registered in the market")
    if claim.kind is ClaimKind.TRAINING:
        if entry.model_positions is None:
            return (RejectReason.MODEL_MISMATCH,
                    f"kernel {claim.kernel_id} makes no model step (a training job's "
                    "gradient kernel): only a training job's tasks take its claims")
        if model.status in _STATUS_REASONS:
            return (_STATUS_REASONS[model.status],
                    f"model {claim.model_id!r} is {model.status.value}: governance closed "
                    "it to new versions")
        before_pos, after_pos = entry.model_positions
        before, after = claim.public_inputs[before_pos], claim.public_inputs[after_pos]
        try:
            draft.extend_model(claim.model_id, claim.model_version, before, after,
                               claim.node_id, h)
        except ModelError as exc:
            return RejectReason.MODEL_MISMATCH, str(exc)
        return None, ""
    versions = model.versions
    if claim.model_version >= len(versions):
        return (RejectReason.MODEL_MISMATCH,
                f"model {claim.model_id!r} has no version {claim.model_version} "
                f"({len(versions)} versions)")
    pos = entry.model_positions
    if pos is not None and claim.public_inputs[pos[0]] != versions[claim.model_version].commitment:
        return (RejectReason.MODEL_MISMATCH,
                f"the claim's model commitment does not match version "
                f"{claim.model_version} of model {claim.model_id!r}")
    return None, ""
