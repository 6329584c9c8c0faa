# SPDX-License-Identifier: MIT
"""Re-verifying a chain from genesis.

For each block, in height order: the version, height, parent hash (block 0: the genesis
hash) and a non-decreasing timestamp; the body hash, the claims root and the statements
root against the body (a header that does not match its body fails here); then the
block is rebuilt by ``BlockBuilder`` from the claims it received and its operations, on the replayed
market — which re-runs every check and the batch verification of
every proof with the same content-derived weights, re-checks every signature and nonce
in the chain's domain, re-derives every rejection of a claim or an operation (an
invalid-proof rejection must really fail: it slashes), and recomputes the state root,
the models root (``Market.models_root``: the market's version chains, share tables,
prices and bills) and the emission. The rebuilt header must equal the stored one. The
first mismatch raises ``ChainVerificationError(height, reason)``.

Aggregates (``zkcx.rollup.aggregation``): on a chain that keeps an aggregation key, each
block's aggregates are checked with ``verify_aggregate`` against its accepted claims'
public inputs (one per kernel key, none missing or extra), and the rebuilt block takes
the stored ones (its header must then match); a chain without the key must carry none.
``verify_chain_light`` checks a chain from its headers, the accepted claims' statements
(``LightBlock``: node, task, kernel, kind, public inputs, model; checked against each
header's statements root) and the aggregates alone: never an individual proof nor the
body, and no replay (so no state root).

For a store, everything is read in one snapshot (a writer may append meanwhile: the
verification covers the chain as it was when it started, and never mixes two states of
the file), after ``check_integrity`` has checked every stored record; then the store's
head must be the last block replayed, its claims index must hold exactly the accepted
claims of the blocks (statement hash, claim hash, height; a deleted, added or altered
row is reported: the index is what stops a statement from being paid twice), its
transactions index must hold exactly the verdicts the blocks give each claim and
operation they received (``zkcx.rollup.store.tx_outcomes``), and the market it keeps
after the head must equal the replayed one. Damage in
the store is reported as a ``ChainVerificationError`` too (height None when it is not a
block's).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from zkcx.errors import ArgumentTypeError, ZkcxError
from zkcx.groth16 import AggregationVerifierKey
from zkcx.market import Market
from zkcx.rewards.merkle import merkle_root
from zkcx.rollup.aggregation import aggregates_problem
from zkcx.rollup.block import (
    BLOCK_VERSION,
    Block,
    LightBlock,
    body_hash,
    genesis_hash,
    statements_root,
)
from zkcx.rollup.builder import BlockBuilder, Verifier
from zkcx.rollup.claim import claim_binding
from zkcx.rollup.errors import ChainStoreError, ChainVerificationError, UnknownKernelError
from zkcx.rollup.kernel_registry import KernelRegistry
from zkcx.rollup.sql_store import merge_outcome, tx_outcomes


@dataclass(frozen=True)
class ChainReport:
    """What a successful verification saw, and the states it reached."""

    blocks: int
    accepted_claims: int
    rejected_claims: int
    head_hash: bytes
    state_root: bytes
    models_root: bytes
    market: Market


def verify_chain(source, kernels: KernelRegistry,
                 genesis: bytes | None = None, *,
                 chain_id: int | None = None,
                 progress: Callable[[int, int, str], None] | None = None,
                 observe: Callable[[Block, Market], None] | None = None,
                 verifier: Verifier | None = None,
                 aggregation_key: AggregationVerifierKey | None = None) -> ChainReport:
    """Re-verify a chain: ``source`` is a ``ChainStore`` (its genesis state and chain id
    are used) or an iterable of ``Block`` with ``genesis`` = the genesis market's bytes
    (``Market.to_bytes``) and its ``chain_id`` (the genesis hash covers it, so a wrong one fails at
    block 0). Every signature and nonce is re-checked in the chain's domain.
    ``progress(done, total, what)`` is called before each block (total = 0 when the
    number of blocks is not known in advance); ``observe(block, market)`` after each
    block that verified, with the market after it (the operator's pool history).
    ``verifier`` verifies each block's proofs (``BlockBuilder``'s; in process when None,
    e.g. ``zkcx.cluster.Cluster().verifier()``). ``aggregation_key``: the chain's
    aggregation verifier key (a store's own ``aggregation_key()`` when None).

    A store is read inside one ``snapshot()`` (a writer appending meanwhile changes
    nothing that is read), its ``check_integrity`` runs first, and after the blocks its
    claims index and its state after the head are compared with the replay (module
    docstring). Damage found in the store raises ``ChainVerificationError`` too."""
    snapshot = getattr(source, "snapshot", None)
    with snapshot() if snapshot is not None else contextlib.nullcontext():
        return _verify(source, kernels, genesis, chain_id, progress, observe, verifier,
                       aggregation_key)


@dataclass(frozen=True)
class LightReport:
    """What a successful light verification saw (``verify_chain_light``)."""

    blocks: int
    accepted_claims: int
    aggregates: int
    head_hash: bytes


#: what ``verify_chain_light`` does not check (for reports to users)
LIGHT_LIMITS = ("light verification checked the headers, parent links and timestamps, "
                "each block's accepted claim statements against its statements root, "
                "their kernels' kinds and claim bindings, and its aggregates against those "
                "statements' public inputs; it did not read the bodies or check the "
                "individual proofs, body hashes, claims roots, rejected claims, "
                "operations, signatures, nonces, task rules, state roots, models roots or "
                "emissions (those need a full replay: `zkcx block verify` without --light)")


def verify_chain_light(source, kernels: KernelRegistry,
                       genesis: bytes | None = None, *, chain_id: int | None = None,
                       aggregation_key: AggregationVerifierKey | None = None,
                       progress: Callable[[int, int, str], None] | None = None
                       ) -> LightReport:
    """Check a chain from its light views alone (``LightBlock``: headers, accepted claims'
    statements, aggregates; ``LIGHT_LIMITS``): version, height, parent link and timestamp
    of each header, its statements root against the statements, and its aggregates
    against the statements' public inputs with ``verify_aggregate`` — no proof, no body,
    nothing replayed. ``source`` is a ``ChainStore`` (its blocks' light views are read)
    or an iterable of ``LightBlock``, of their ``to_json`` (``Block.light_view``, the
    operator's ``GET /v1/blocks/{height}/light``) or of ``Block`` (its ``light()``), with
    ``genesis``/``chain_id`` as in ``verify_chain``; the chain must keep an aggregation
    key (``aggregation_key`` or the store's). A block that fails, or a view that does
    not decode, raises ``ChainVerificationError``."""
    snapshot = getattr(source, "snapshot", None)
    with snapshot() if snapshot is not None else contextlib.nullcontext():
        report = progress or (lambda done, total, what: None)
        is_store = hasattr(source, "genesis") and hasattr(source, "blocks")
        genesis, chain_id, aggregation_key, blocks = _chain_source(
            source, is_store, genesis, chain_id, aggregation_key)
        if aggregation_key is None:
            raise ChainVerificationError(None, "the chain keeps no aggregation key: its "
                                         "blocks carry no aggregates, so only a full "
                                         "verification can check them")
        head = source.head() if hasattr(source, "head") else None
        total = head.height + 1 if head is not None else 0
        parent, last_time = genesis_hash(genesis, chain_id), 0
        n = n_acc = n_agg = 0
        for expected, item in _stored(blocks):
            report(expected, total, f"block {expected}")
            light = _light(item, expected)
            h = _check_link(light.header, expected, parent, last_time)
            _check(h.statements_root == statements_root(light.statements), expected,
                   "the light view does not match its header: statements root differs")
            problem = _bindings_problem(kernels, light.statements) or aggregates_problem(
                aggregation_key, kernels, chain_id, parent, expected, light.statements,
                light.aggregates)
            _check(problem is None, expected, problem or "")
            parent, last_time = h.hash, h.timestamp
            n, n_acc = n + 1, n_acc + len(light.statements)
            n_agg += len(light.aggregates)
        if head is not None:
            _check(head.hash == parent, head.height, "the store's head is not its last block")
        return LightReport(n, n_acc, n_agg, parent)


def _bindings_problem(kernels: KernelRegistry, statements) -> str | None:
    """Why a light view's statements are not all of registered kernels, of their
    kernel's kind, with the claim binding of their node and task where the kernel takes
    one (None when they are): the aggregates prove public inputs, the binding ties them
    to the node and task."""
    for i, s in enumerate(statements):
        try:
            entry = kernels.get(s.kernel_id)
        except UnknownKernelError:
            return f"statement {i} names kernel {s.kernel_id[:16]}…, which is not registered"
        if s.kind is not entry.kind:
            return f"statement {i} is a {s.kind.value} claim of a {entry.kind.value} kernel"
        pos = entry.binding_position
        if pos is not None and (pos >= len(s.public_inputs) or s.public_inputs[pos]
                                != claim_binding(s.node_id, s.task_id)):
            return (f"statement {i}'s public input {pos} is not the claim binding of its "
                    "node and task")
    return None


def _light(item, height: int) -> LightBlock:
    """A light view from what ``verify_chain_light`` was given (its docstring)."""
    if isinstance(item, LightBlock):
        return item
    if isinstance(item, Block):
        return item.light()
    if isinstance(item, dict):
        try:
            return LightBlock.from_json(item)
        except ZkcxError as exc:
            raise ChainVerificationError(height, f"the light view does not decode: {exc}") \
                from exc
    raise ArgumentTypeError(f"light verification reads LightBlock, its JSON or Block, got "
                            f"{type(item).__name__}")


def _check_link(h, expected: int, parent: bytes, last_time: int):
    """The checks of a header against its parent (both modes)."""
    _check(h.version == BLOCK_VERSION, expected,
           f"block version {h.version}, this zkcx verifies version {BLOCK_VERSION}")
    _check(h.height == expected, expected, f"height {h.height} where {expected} follows")
    _check(h.parent_hash == parent, expected, "parent hash is not the previous block's")
    _check(h.timestamp >= last_time, expected,
           f"timestamp {h.timestamp} is before the parent's {last_time}")
    return h


def _check_header(block: Block, expected: int, parent: bytes, last_time: int):
    """The checks of a block's header against its parent and its body (full mode)."""
    h = _check_link(block.header, expected, parent, last_time)
    _check(h.body_hash == body_hash(block.body_bytes()), expected,
           "header does not match its body: body hash differs")
    _check(h.claims_root == merkle_root([c.claim_hash for c in block.accepted]),
           expected, "header does not match its body: claims root differs")
    _check(h.statements_root == statements_root([c.statement for c in block.accepted]),
           expected, "header does not match its body: statements root differs")
    return h


def _verify(source, kernels, genesis, chain_id, progress, observe=None,
            verifier=None, aggregation_key=None) -> ChainReport:
    report = progress or (lambda done, total, what: None)
    is_store = hasattr(source, "genesis") and hasattr(source, "blocks")
    if is_store and hasattr(source, "check_integrity"):
        try:
            source.check_integrity()
        except ChainStoreError as exc:
            raise ChainVerificationError(None, f"the store is damaged: {exc.reason}") from exc
    head = source.head() if hasattr(source, "head") else None
    total = head.height + 1 if head is not None else 0
    genesis, chain_id, aggregation_key, blocks = _chain_source(
        source, is_store, genesis, chain_id, aggregation_key)
    market = Market.from_bytes(genesis)
    builder = BlockBuilder(kernels, chain_id, verifier)
    parent = genesis_hash(genesis, chain_id)
    index: dict[bytes, tuple[bytes, int]] = {}  # statement -> (claim hash, height)
    txs: dict[bytes, tuple[int, str, str, str]] = {}  # hash -> (height, verdict, ...)
    last_time = 0
    n = n_acc = n_rej = 0
    for expected, block in _stored(blocks):
        report(expected, total, f"block {expected}")
        h = _check_header(block, expected, parent, last_time)
        try:
            built = builder.build(parent, market, block.received(),
                                  block.received_operations(), h.timestamp,
                                  index.__contains__, block.aggregates)
        except ZkcxError as exc:
            raise ChainVerificationError(expected, f"the block does not rebuild: {exc}") from exc
        r = built.block
        _check([c.claim_hash for c in r.accepted] == [c.claim_hash for c in block.accepted],
               expected, "the accepted claims differ from a re-verification")
        problem = aggregates_problem(aggregation_key, kernels, chain_id, parent, expected,
                                     block.accepted, block.aggregates)
        _check(problem is None, expected, problem or "")
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
        market = built.market
        if observe is not None:
            observe(block, market)
        index.update((c.statement_hash, (c.claim_hash, expected)) for c in block.accepted)
        for tx_hash, outcome in tx_outcomes(block).items():
            if merge_outcome(txs.get(tx_hash, (None, None))[1], outcome[0]):
                txs[tx_hash] = (expected, *outcome)
        parent, last_time = h.hash, h.timestamp
        n, n_acc, n_rej = n + 1, n_acc + len(block.accepted), n_rej + len(block.rejected)
    if head is not None:
        _check(head.hash == parent, head.height, "the store's head is not its last block")
    if hasattr(source, "claim_index"):
        _check_index(source, index, n - 1)
    if hasattr(source, "tx_index"):
        _check_txs(source, txs, n - 1)
    if hasattr(source, "load_state"):
        try:
            stored = source.load_state()
        except ZkcxError as exc:
            reason = getattr(exc, "reason", exc)  # a store's reason does not name its file
            raise ChainVerificationError(n - 1, f"the stored state does not load: {reason}") \
                from exc
        _check(stored == market, n - 1,
               "the store's state after the head differs from the replayed state")
    return ChainReport(n, n_acc, n_rej, parent, market.state_root(), market.models_root(),
                       market)


def _stored(blocks: Iterable[Block]) -> Iterator[tuple[int, Block]]:
    """(height, block) pairs; damage the store finds in a block's row is reported at it."""
    it = iter(blocks)
    height = 0
    while True:
        try:
            block = next(it)
        except StopIteration:
            return
        except ChainStoreError as exc:
            raise ChainVerificationError(height, f"the store is damaged: {exc.reason}") from exc
        yield height, block
        height += 1


def _check_index(source, index: dict[bytes, tuple[bytes, int]], head: int) -> None:
    """The store's claims index must be exactly the accepted claims of the blocks: the
    index is derived data (each row is a statement hash, claim hash and height that the
    blocks' bodies determine), so it is rebuilt here rather than committed in headers
    (which would change the block format for no gain: the claims roots already commit
    the claims). A missing row would let the statement be replayed and paid again."""
    expected = dict(index)
    try:
        for statement, claim, height in source.claim_index():
            want = expected.pop(statement, None)
            if want is None:
                raise ChainVerificationError(
                    height if 0 <= height <= head else head,
                    f"the claims index has a row for statement {statement.hex()[:16]}… that "
                    "no block accepted")
            if want != (claim, height):
                raise ChainVerificationError(
                    want[1], f"the claims index row of statement {statement.hex()[:16]}… "
                    f"differs from the block's claim (claim {claim.hex()[:16]}… at height "
                    f"{height})")
    except ChainStoreError as exc:
        raise ChainVerificationError(None, f"the store is damaged: {exc.reason}") from exc
    if expected:
        statement, (_claim, height) = min(expected.items(), key=lambda kv: kv[1][1])
        raise ChainVerificationError(
            height, f"the claims index lacks statement {statement.hex()[:16]}… that this "
            f"block accepted ({len(expected)} rows missing): it could be replayed")


def _check_txs(source, txs: dict[bytes, tuple[int, str, str, str]], head: int) -> None:
    """The store's transactions index must be exactly what the blocks' contents make
    (``zkcx.rollup.store.tx_outcomes``): derived data, rebuilt and compared like the
    claims index. A wrong row would tell a client that a transaction was accepted,
    rejected or applied when it was not."""
    expected = dict(txs)
    try:
        for tx_hash, height, verdict, reason, detail in source.tx_index():
            want = expected.pop(tx_hash, None)
            if want is None:
                raise ChainVerificationError(
                    height if 0 <= height <= head else head,
                    f"the transactions index has a row for {tx_hash.hex()[:16]}… that no "
                    "block received")
            if want != (height, verdict, reason, detail):
                raise ChainVerificationError(
                    want[0], f"the transactions index row of {tx_hash.hex()[:16]}… differs "
                    f"from the blocks ({verdict} at height {height}, the blocks say "
                    f"{want[1]} at height {want[0]})")
    except ChainStoreError as exc:
        raise ChainVerificationError(None, f"the store is damaged: {exc.reason}") from exc
    if expected:
        tx_hash, (height, *_rest) = min(expected.items(), key=lambda kv: kv[1][0])
        raise ChainVerificationError(
            height, f"the transactions index lacks {tx_hash.hex()[:16]}…, which this block "
            f"received ({len(expected)} rows missing)")


def _check(ok: bool, height: int, reason: str) -> None:
    if not ok:
        raise ChainVerificationError(height, reason)


def _chain_source(source, is_store: bool, genesis, chain_id, aggregation_key):
    """(genesis, chain id, aggregation key, blocks) of a chain store (each given value
    kept) or of an iterable of blocks, which needs ``genesis`` and ``chain_id``."""
    if not is_store:
        if genesis is None or chain_id is None:
            raise ArgumentTypeError("verifying a list of blocks needs genesis=market state "
                                    "bytes and chain_id; a ChainStore gives both itself")
        return genesis, chain_id, aggregation_key, source
    genesis = source.genesis() if genesis is None else genesis
    chain_id = source.chain_id() if chain_id is None else chain_id
    if aggregation_key is None and hasattr(source, "aggregation_key"):
        try:
            aggregation_key = source.aggregation_key()
        except ChainStoreError as exc:
            raise ChainVerificationError(None, f"the store is damaged: {exc.reason}") from exc
    return genesis, chain_id, aggregation_key, source.blocks()
