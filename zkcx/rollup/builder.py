# SPDX-License-Identifier: MIT
"""Building a block from pending claims: check, batch-verify, account, seal.

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

**Operations**, in order: malformed bytes, unsigned, bad signature, bad nonce; the rest
are screened by ``Accountant.screen_operations`` (each judged against the state the
previous valid ones left) and the refused ones recorded as ``invalid-operation`` with the
accountant's reason. An invalid operation no longer fails the block: it is recorded,
rejected, and has no effect beyond its nonce.

**Claims**: for each claim, in the order received, the first failing check rejects it
with its reason (``RejectReason``): malformed bytes (bytes longer than
``MAX_CLAIM_BYTES``, more than any claim, are rejected as malformed and recorded as
empty, so a block never stores them); unsigned; bad signature; bad nonce; replayed (an
earlier block accepted its statement — kernel id and public inputs, see
``zkcx.rollup.claim``); unknown kernel; a kind the kernel does not allow; the wrong
number of public inputs; a binding input that is not
``claim_binding(node_id, task_id)`` (kernels that declare one); a training
claim without model id and version; a node whose tier may not earn the kind, judged as
the accountant judges it (``BlockDraft.eligible`` on the block's draft: stake as it stood
before the block's operations, reputation as of this block).

Right after the count, public inputs outside the kernel's registered public bounds
(``KernelEntry.public_bounds``) are rejected (public-input-out-of-bounds), without
penalty: the proof may well be valid (a circuit does not range-check its public inputs),
the node proved what it claimed, but the statement says nothing about the kernel's
integers, and the chain does not pay for it.

The remaining claims are verified with ``groth16.batch_verify``, one batch per verifying
key, with weights derived from the block's content: the seed of a key's batch is
SHA-256("zkcx-batch-seed-v1" || 0x00 || parent hash || u64 height || kernel id || the
batch's claim hashes in order), so anyone re-verifying the block draws the same weights,
and nobody can choose them without changing the block. Failing proofs are rejected
(invalid-proof) and each one reported to the accountant in ``invalid_nodes`` (reputation
penalty, slashing): only a claim the node itself signed can get that far, so a forged
claim in another's name costs that other nothing. The accountant applies penalties first
in a block, so when there are any, the operations are screened again after them (an
offender's unstake may now overdraw: ``invalid-operation``) and each verified claim's
eligibility is judged again (its node's tier may have fallen: ``ineligible``). A
statement is taken by the first claim that passes every check, the proof included; a
later valid claim of the same statement is a duplicate. (Deciding duplicates before
verification would let a forged or copied claim placed first crowd the real one out of
the block.) Then, in order, each verified training claim must start from its model's
current version (commitment before at the kernel's position) and extends it; model work
naming a model version that does not exist is rejected too (model-mismatch).

The accepted claims go to the accountant as ``VerifiedClaim``s with the kernel's work
units, with the consumed nonces; the header is sealed over the new state. Nothing given
to the builder is modified: it returns new accountant and registry objects.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from zkcx._lib import get_threads
from zkcx.errors import SignatureError
from zkcx.groth16 import batch_verify
from zkcx.rewards.accountant import Accountant, BlockDraft, BlockOutcome
from zkcx.rewards.claims import VerifiedClaim
from zkcx.rewards.params import ClaimKind
from zkcx.rollup._codec import tagged_hash
from zkcx.rollup.block import (
    BLOCK_VERSION,
    Block,
    BlockHeader,
    RejectedClaim,
    RejectedOperation,
    RejectReason,
    body_hash,
    encode_body,
    raw_claim_hash,
)
from zkcx.rollup.claim import MAX_CLAIM_BYTES, Claim, claim_binding
from zkcx.rollup.errors import MalformedClaimError, MalformedOperationError, ModelRegistryError
from zkcx.rollup.kernel_registry import KernelEntry, KernelRegistry
from zkcx.rollup.merkle import merkle_root
from zkcx.rollup.models import ModelRegistry
from zkcx.rollup.signing import chain_domain
from zkcx.rollup.transactions import MAX_OPERATION_BYTES, SignedOperation

_SEED_TAG = b"zkcx-batch-seed-v1"
#: Fewest claims whose signatures are recovered on several threads (a pool costs ~0.1 ms).
_PARALLEL_RECOVERY_MIN = 64


@dataclass(frozen=True)
class BuiltBlock:
    """A sealed block with the states after it (the inputs are left untouched)."""

    block: Block
    accountant: Accountant
    models: ModelRegistry
    outcome: BlockOutcome


def batch_seed(parent_hash: bytes, height: int, kernel_id: str,
               claim_hashes: Sequence[bytes]) -> bytes:
    """The seed of one verifying key's batch (module docstring)."""
    return tagged_hash(_SEED_TAG, parent_hash, height.to_bytes(8, "big"),
                       bytes.fromhex(kernel_id), *claim_hashes)


class BlockBuilder:
    """Builds blocks under one kernel registry and one chain id (the chain's rules)."""

    def __init__(self, kernels: KernelRegistry, chain_id: int) -> None:
        if not isinstance(kernels, KernelRegistry):
            raise TypeError(f"expected a KernelRegistry, got {type(kernels).__name__}")
        self.kernels = kernels
        self.chain_id = chain_id
        self.domain = chain_domain(chain_id)

    def build(
        self,
        parent_hash: bytes,
        accountant: Accountant,
        models: ModelRegistry,
        claims: Sequence[Claim | bytes],
        operations: Sequence[SignedOperation | bytes] = (),
        timestamp: int | None = None,
        is_replay: Callable[[bytes], bool] = lambda statement_hash: False,
    ) -> BuiltBlock:
        """The block at height ``accountant.height + 1`` on ``parent_hash`` (invalid
        claims and operations are recorded as rejected, never raised)."""
        height = accountant.height + 1
        if timestamp is None:
            timestamp = int(time.time())
        nonces: dict[str, int] = {}  # account -> its nonce after this block's transactions
        signed, refused_ops = self._authenticate_operations(accountant, operations, nonces)
        applied, rejected_ops = self._screen_operations(accountant, height, signed,
                                                        refused_ops, ())
        view = self._ledger_view(accountant, height, (), applied)

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
                reason, detail = self._authenticate(claim, claim.node_id, accountant, nonces)
            if reason is None:
                reason, detail = self._precheck(claim, is_replay, view, height)
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
        if invalid_nodes:
            # Penalties come first in a block: the operations and the tiers are judged again
            # after them (an offender's unstake may now overdraw, its tier may have fallen).
            applied, rejected_ops = self._screen_operations(accountant, height, signed,
                                                            refused_ops, invalid_nodes)
            view = self._ledger_view(accountant, height, invalid_nodes, applied)
            verified = self._still_eligible(verified, view, rejected, raws)

        # A statement is taken by its first claim that passes every check, the proof
        # included: a copy or a forgery placed ahead of it cannot crowd the real claim out.
        seen: set[bytes] = set()
        new_models = models.copy()
        accepted: list[tuple[int, Claim, bytes, KernelEntry]] = []
        for cand in verified:
            index, claim, h, entry = cand
            if claim.statement_hash in seen:
                rejected.append(RejectedClaim(index, RejectReason.DUPLICATE,
                                              "an earlier claim in this block proves the same "
                                              "statement", raws[index]))
                continue
            seen.add(claim.statement_hash)
            problem = _apply_model(new_models, claim, entry, height, h)
            if problem:
                rejected.append(RejectedClaim(index, RejectReason.MODEL_MISMATCH, problem,
                                              raws[index]))
            else:
                accepted.append(cand)

        new_accountant = accountant.copy()
        outcome = new_accountant.apply_block(
            height,
            [VerifiedClaim(c.node_id, c.kind, e.work_units, h) for _i, c, h, e in accepted],
            invalid_nodes, [op.operation for op in applied], nonces)
        accepted_claims = tuple(c for _i, c, _h, _e in accepted)
        rejected.sort(key=lambda r: r.index)
        body = encode_body(accepted_claims, rejected, applied, rejected_ops)
        header = BlockHeader(
            version=BLOCK_VERSION, height=height, parent_hash=bytes(parent_hash),
            timestamp=timestamp, claims_root=merkle_root([h for _i, _c, h, _e in accepted]),
            state_root=new_accountant.state_root(), models_root=new_models.root(),
            emission=outcome.emission, body_hash=body_hash(body))
        block = Block(header, accepted_claims, tuple(rejected), applied, rejected_ops)
        return BuiltBlock(block, new_accountant, new_models, outcome)

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

    def _authenticate(self, tx: Claim | SignedOperation, actor: str, accountant: Accountant,
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
            expected = accountant.account(actor).nonce
        if tx.nonce != expected:
            return (RejectReason.BAD_NONCE,
                    f"nonce {tx.nonce}, the next nonce of {actor} is {expected}")
        nonces[actor] = expected + 1
        return None, ""

    def _authenticate_operations(self, accountant: Accountant,
                                 operations: Sequence[SignedOperation | bytes],
                                 nonces: dict[str, int]
                                 ) -> tuple[list[tuple[int, SignedOperation]],
                                            list[RejectedOperation]]:
        """(index, operation) of each operation that decodes and is signed with the right
        nonce (consumed), and the rejections of the others."""
        rejected: list[RejectedOperation] = []
        signed: list[tuple[int, SignedOperation]] = []
        for index, item in enumerate(operations):
            op, data, why = _decode_pending(item, SignedOperation, MAX_OPERATION_BYTES,
                                            MalformedOperationError, _OP_NOT_KEPT)
            if op is None:
                rejected.append(RejectedOperation(index, RejectReason.MALFORMED, why, data))
                continue
            reason, detail = self._authenticate(op, op.actor, accountant, nonces)
            if reason is not None:
                rejected.append(RejectedOperation(index, reason, detail, data))
            else:
                signed.append((index, op))
        return signed, rejected

    @staticmethod
    def _screen_operations(accountant: Accountant, height: int,
                           signed: Sequence[tuple[int, SignedOperation]],
                           refused: Sequence[RejectedOperation], invalid_nodes: Sequence[str]
                           ) -> tuple[tuple[SignedOperation, ...], tuple[RejectedOperation, ...]]:
        """(applied, rejected) operations: the authenticated ones screened by the
        accountant (after the penalties of ``invalid_nodes``), with ``refused``."""
        verdicts = accountant.screen_operations(height, [op.operation for _i, op in signed],
                                                invalid_nodes)
        rejected = list(refused)
        applied = []
        for (index, op), verdict in zip(signed, verdicts):
            if verdict is None:
                applied.append(op)
            else:
                rejected.append(RejectedOperation(index, RejectReason.INVALID_OPERATION,
                                                  verdict, op.to_bytes()))
        rejected.sort(key=lambda r: r.index)
        return tuple(applied), tuple(rejected)

    @staticmethod
    def _ledger_view(accountant: Accountant, height: int, invalid_nodes: Sequence[str],
                     applied: Sequence[SignedOperation]) -> BlockDraft:
        """The block's ledger draft through its penalties and operations: eligibility as
        the accountant will judge it (stake as it stood before the operations)."""
        draft = accountant.begin_block(height)
        draft.penalize(invalid_nodes)
        draft.release_unbonding()
        for index, op in enumerate(applied):
            draft.operate(op.operation, index)
        return draft

    @staticmethod
    def _still_eligible(verified, view: BlockDraft, rejected: list[RejectedClaim],
                        raws: Sequence[bytes]):
        """The verified candidates whose node may still earn their kind after the block's
        penalties; the others rejected as ineligible."""
        kept = []
        for cand in verified:
            index, claim = cand[0], cand[1]
            ok, reason = view.eligible(claim.node_id, claim.kind)
            if ok:
                kept.append(cand)
            else:
                rejected.append(RejectedClaim(index, RejectReason.INELIGIBLE, reason,
                                              raws[index]))
        return kept

    def _precheck(self, claim, is_replay, view, height):
        if is_replay(claim.statement_hash):
            return RejectReason.REPLAYED, "the chain has already accepted this statement"
        if claim.kernel_id not in self.kernels:
            return RejectReason.UNKNOWN_KERNEL, f"kernel {claim.kernel_id} is not registered"
        entry = self.kernels.get(claim.kernel_id)
        if claim.kind not in entry.kinds:
            allowed = ", ".join(sorted(k.value for k in entry.kinds))
            return (RejectReason.KIND_NOT_ALLOWED,
                    f"kernel allows {allowed}, not {claim.kind.value}")
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
        ok, reason = view.eligible(claim.node_id, claim.kind)
        if not ok:
            return RejectReason.INELIGIBLE, reason
        return None, ""

    @staticmethod
    def _verify(candidates, parent_hash: bytes, height: int):
        """(verified, invalid) candidates, each list in received order."""
        groups: dict[str, list[tuple[int, Claim, bytes, KernelEntry]]] = {}
        for cand in candidates:
            groups.setdefault(cand[1].kernel_id, []).append(cand)
        bad: set[int] = set()
        for kernel_id in sorted(groups):
            group = groups[kernel_id]
            vk = group[0][3].vk
            seed = batch_seed(parent_hash, height, kernel_id, [c[2] for c in group])
            result = batch_verify([(vk, c[1].public_inputs, c[1].proof) for c in group],
                                  seed=seed)
            bad.update(group[k][0] for k in result.failed)
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
    raise TypeError(f"pending transactions are {kind.__name__} objects or their bytes, got "
                    f"{type(item).__name__}")


_OP_NOT_KEPT = (f"no operation bytes kept (empty, or more than {MAX_OPERATION_BYTES} "
                "bytes, longer than any operation)")
_NOT_KEPT = (f"no claim bytes kept (an empty claim, or more than {MAX_CLAIM_BYTES} bytes, "
             "longer than any claim)")


def _apply_model(models: ModelRegistry, claim: Claim, entry: KernelEntry, height: int,
                 h: bytes) -> str:
    """Extend the model chain for a training claim; check the named version of other model
    work. Returns the problem, or "" when the claim stands."""
    if claim.model_id is None:
        return ""
    if claim.kind is ClaimKind.TRAINING:
        before_pos, after_pos = entry.model_positions  # registry enforces them for training
        try:
            models.extend(claim.model_id, claim.model_version,
                          claim.public_inputs[before_pos], claim.public_inputs[after_pos],
                          height, h)
        except ModelRegistryError as exc:
            return str(exc)
        return ""
    versions = models.versions(claim.model_id)
    if claim.model_version >= len(versions):
        return (f"model {claim.model_id!r} has no version {claim.model_version} "
                f"({len(versions)} versions)")
    pos = entry.model_positions
    if pos is not None and claim.public_inputs[pos[0]] != versions[claim.model_version].commitment:
        return (f"the claim's model commitment does not match version "
                f"{claim.model_version} of model {claim.model_id!r}")
    return ""
