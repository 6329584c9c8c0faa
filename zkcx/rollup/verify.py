# SPDX-License-Identifier: MIT
"""Re-verifying a chain from genesis.

For each block, in height order: the version, height, parent hash (block 0: the genesis
hash) and a non-decreasing timestamp; the body hash and the claims root against the body
(a header that does not match its body fails here); then the block is rebuilt by
``BlockBuilder`` from the claims it received and its operations, on the replayed
accountant and model registry — which re-runs every check and the batch verification of
every proof with the same content-derived weights, re-checks every signature and nonce
in the chain's domain, re-derives every rejection of a claim or an operation (an
invalid-proof rejection must really fail: it slashes), and recomputes the state root,
the models root and the emission. The rebuilt header must equal the stored one. The
first mismatch raises ``ChainVerificationError(height, reason)``. For a store, the
accountant and registry it keeps after the head must equal the replayed ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from zkcx.errors import ZkcxError
from zkcx.rewards.accountant import Accountant
from zkcx.rollup.block import BLOCK_VERSION, Block, body_hash, genesis_hash
from zkcx.rollup.builder import BlockBuilder
from zkcx.rollup.errors import ChainVerificationError
from zkcx.rollup.kernel_registry import KernelRegistry
from zkcx.rollup.merkle import merkle_root
from zkcx.rollup.models import ModelRegistry


@dataclass(frozen=True)
class ChainReport:
    """What a successful verification saw, and the states it reached."""

    blocks: int
    accepted_claims: int
    rejected_claims: int
    head_hash: bytes
    state_root: bytes
    models_root: bytes
    accountant: Accountant
    models: ModelRegistry


def verify_chain(source, kernels: KernelRegistry,
                 genesis: tuple[bytes, bytes] | None = None, *,
                 chain_id: int | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> ChainReport:
    """Re-verify a chain: ``source`` is a ``ChainStore`` (its genesis state and chain id
    are used) or an iterable of ``Block`` with ``genesis`` = (accountant bytes, registry
    bytes) and its ``chain_id`` (the genesis hash covers it, so a wrong one fails at
    block 0). Every signature and nonce is re-checked in the chain's domain.
    ``progress(done, total, what)`` is called before each block (total = 0 when the
    number of blocks is not known in advance)."""
    report = progress or (lambda done, total, what: None)
    head = source.head() if hasattr(source, "head") else None
    total = head.height + 1 if head is not None else 0
    if hasattr(source, "genesis") and hasattr(source, "blocks"):
        genesis = source.genesis() if genesis is None else genesis
        chain_id = source.chain_id() if chain_id is None else chain_id
        blocks: Iterable[Block] = source.blocks()
    else:
        if genesis is None or chain_id is None:
            raise TypeError("verifying a list of blocks needs genesis=(accountant bytes, "
                            "registry bytes) and chain_id")
        blocks = source
    acc_bytes, model_bytes = genesis
    accountant = Accountant.from_bytes(acc_bytes)
    models = ModelRegistry.from_bytes(model_bytes)
    builder = BlockBuilder(kernels, chain_id)
    parent = genesis_hash(acc_bytes, model_bytes, chain_id)
    seen: set[bytes] = set()
    last_time = 0
    n = n_acc = n_rej = 0
    for expected, block in enumerate(blocks):
        report(expected, total, f"block {expected}")
        h = block.header
        _check(h.version == BLOCK_VERSION, expected, f"unknown block version {h.version}")
        _check(h.height == expected, expected, f"height {h.height} where {expected} follows")
        _check(h.parent_hash == parent, expected, "parent hash is not the previous block's")
        _check(h.timestamp >= last_time, expected,
               f"timestamp {h.timestamp} is before the parent's {last_time}")
        _check(h.body_hash == body_hash(block.body_bytes()), expected,
               "header does not match its body: body hash differs")
        _check(h.claims_root == merkle_root([c.claim_hash for c in block.accepted]),
               expected, "header does not match its body: claims root differs")
        try:
            built = builder.build(parent, accountant, models, block.received(),
                                  block.received_operations(), h.timestamp,
                                  seen.__contains__)
        except ZkcxError as exc:
            raise ChainVerificationError(expected, f"the block does not rebuild: {exc}") from exc
        r = built.block
        _check([c.claim_hash for c in r.accepted] == [c.claim_hash for c in block.accepted],
               expected, "the accepted claims differ from a re-verification")
        _check([(x.index, x.reason) for x in r.rejected]
               == [(x.index, x.reason) for x in block.rejected],
               expected, "the rejected claims or their reasons differ from a re-verification")
        _check([op.hash for op in r.operations] == [op.hash for op in block.operations],
               expected, "the applied operations differ from a re-verification")
        _check([(x.index, x.reason) for x in r.rejected_operations]
               == [(x.index, x.reason) for x in block.rejected_operations],
               expected, "the rejected operations or their reasons differ from a "
               "re-verification")
        _check(r.header.state_root == h.state_root, expected, "state root mismatch")
        _check(r.header.models_root == h.models_root, expected, "models root mismatch")
        _check(r.header.emission == h.emission, expected, "emission mismatch")
        _check(r.header == h, expected, "the rebuilt header differs")
        accountant, models = built.accountant, built.models
        seen.update(c.statement_hash for c in block.accepted)
        parent, last_time = h.hash, h.timestamp
        n, n_acc, n_rej = n + 1, n_acc + len(block.accepted), n_rej + len(block.rejected)
    if hasattr(source, "load_state"):
        try:
            stored_acc, stored_models = source.load_state()
        except ZkcxError as exc:
            raise ChainVerificationError(n - 1, f"the stored state does not load: {exc}") \
                from exc
        _check(stored_acc == accountant and stored_models == models, n - 1,
               "the store's state after the head differs from the replayed state")
    return ChainReport(n, n_acc, n_rej, parent, accountant.state_root(), models.root(),
                       accountant, models)


def _check(ok: bool, height: int, reason: str) -> None:
    if not ok:
        raise ChainVerificationError(height, reason)
