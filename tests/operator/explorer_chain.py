# SPDX-License-Identifier: MIT
"""A small chain with real blocks for the explorer's tests, and what its builder saw.

Built with the rollup tests' kit (``tests.rollup.conftest``: small kernels, test keys,
tasks planned for the nodes that answer them) on a SQLite file, with the kernel registry
kept in it. Its blocks hold what the explorer must show: accepted claims and claims
rejected for several reasons (not-assignee, invalid-proof with a stake slashed,
replayed, malformed), operations applied and rejected (invalid-operation, bad-nonce,
malformed), task payments
and emission, a model's version chain extended by a training claim, and text a visitor
should see escaped (a model id and a data URI with markup).

``ExplorerChain.outcomes`` keeps the ``MarketOutcome`` of each block as the chain's
builder made it, and ``pools`` the pool after each block: the explorer replays the
blocks itself, so these are an independent account of what each block did."""

from __future__ import annotations

import dataclasses
import pathlib

from tests.rollup.conftest import (
    DATA_HASH,
    REQUESTER,
    Kernels,
    Kit,
    SigningChain,
    addr,
    fee_of,
    new_market,
    signer,
)
from zkcx.market import MarketOutcome, PostTask, RegisterModel
from zkcx.rewards import TOKEN, Stake, Transfer
from zkcx.rollup import SignedOperation, SQLiteChainStore

#: Text a page must escape, put on the chain by a requester.
EVIL_MODEL = '<i>m"&</i>'
EVIL_URI = 'ipfs://x"><script>alert(1)</script>'
START = 1_790_000_000  # the first block's timestamp; a minute between blocks


@dataclasses.dataclass
class ExplorerChain:
    path: pathlib.Path
    kit: Kit
    pools: list[int]  # the pool after each block, by height
    outcomes: dict[int, MarketOutcome]  # the builder's outcome of each block but block 0
    genesis_pool: int


def build_chain(path: pathlib.Path, kernels: Kernels) -> ExplorerChain:
    kit = Kit(kernels)
    n1, n2 = addr("n1"), addr("n2")
    store = SQLiteChainStore.create(path, new_market(grants={n2: 50 * TOKEN}))
    store.save_kernel_registry(kit.kernels)
    chain = SigningChain(store, kit.kernels, kit=kit)
    genesis_pool = chain.market.ledger.pool
    pools: list[int] = []
    outcomes: dict[int, MarketOutcome] = {}

    def produce(claims=(), operations=()):
        built = chain.build(claims, operations, START + 60 * (chain.height + 1))
        block = chain.commit(built)
        outcomes[block.height] = built.outcome
        pools.append(built.market.ledger.pool)
        return block

    t1 = kit.claim("cube", "n1", "t1", 3, 4)
    t2 = kit.claim("cube", "n2", "t2", 5, 6)
    step = kit.claim("train", "n1", "t3", 5, 3, 2, model=("m1", 0))
    chain.setup(START)  # block 0: models, nodes, transfers and the planned tasks
    pools.append(chain.market.ledger.pool)
    cube = kit.kernels.get(kit.ids["cube"])
    evil_task = PostTask(REQUESTER, cube.kernel_id, cube.kind, cube.work_units,
                         ((1, 9), (2, 9)), DATA_HASH, EVIL_URI, fee_of(cube.work_units), 0,
                         0, chain.height + 50)
    # block 1: n1 paid for t1; n2 claims n1's task; n2 stakes; n1 transfers what it lacks
    stolen = kit.unplanned_claim("cube", "n2", "0", 3, 4)
    produce([stolen, t1], [Stake(n2, 10 * TOKEN), Transfer(n1, REQUESTER, 10**9 * TOKEN),
                           RegisterModel(REQUESTER, EVIL_MODEL, TOKEN // 3,
                                         ((kit.ids["infer"], 1),), 77), evil_task])
    # block 2: n2's proof of t2 swapped for another (invalid: slashed), n1's training
    # step extends model m1, t1's statement again (replayed), an operation whose nonce
    # was used (bad-nonce)
    forged = dataclasses.replace(t2, proof=t1.proof)
    reused = SignedOperation.sign(Stake(n2, TOKEN), 0, signer("n2"), chain.domain)
    produce([forged, step, dataclasses.replace(t1, nonce=0, signature=None)], [reused])
    produce([t2, b"not a claim"], [b"junk"])  # block 3: n2's honest claim is paid
    produce()  # blocks 4 and 5: nothing to do, the pool keeps its tokens
    produce()
    store.close()
    return ExplorerChain(path, kit, pools, outcomes, genesis_pool)

