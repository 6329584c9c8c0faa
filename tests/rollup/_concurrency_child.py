# SPDX-License-Identifier: MIT
"""The writer and the readers of the concurrency tests, as functions that threads and
processes run alike. A reader returns (load_state calls, verify_chain runs, failures);
a failure is the text of any exception, so zero means no false INVALID verdict."""

from __future__ import annotations

import os
import pickle
import time

from tests.rollup.conftest import SigningChain, addr
from zkcx.rewards import Transfer
from zkcx.rollup import Claim, SQLiteChainStore, verify_chain


def load(kit_path: str):
    """(kernel registry, claims) pickled by the test."""
    with open(kit_path, "rb") as fh:
        kernels, claim_bytes = pickle.load(fh)
    return kernels, [Claim.from_bytes(b) for b in claim_bytes]


def write(store: SQLiteChainStore, kernels, claims, blocks: int, done_path: str) -> int:
    """Append ``blocks`` blocks (a claim each while they last, a transfer each), then
    create ``done_path``. Returns the head's height."""
    chain = SigningChain(store, kernels)
    start = chain.height + 1
    try:
        for k in range(blocks):
            batch = claims[k:k + 1]
            ops = []
            n1 = chain.ledger.accounts.get(addr("n1"))
            if n1 and n1.balance:
                ops.append(Transfer(addr("n1"), addr(f"r{k % 5}"), 1))
            chain.produce(batch, ops, timestamp=start + k)
    finally:
        with open(done_path, "w") as fh:
            fh.write("done")
    return chain.height


def read(store: SQLiteChainStore, kernels, done_path: str, verify_every: int,
         deadline: float) -> tuple[int, int, list[str]]:
    """load_state again and again, verify_chain every ``verify_every`` calls, until the
    writer is done (and once more after) or the deadline passes."""
    loads = verifies = 0
    failures: list[str] = []
    last_height = -1
    finished = False
    while not finished and time.monotonic() < deadline:
        finished = os.path.exists(done_path)  # read once more after the writer's last
        try:
            accountant = store.load_state()
            loads += 1
            if accountant.height < last_height:
                failures.append(f"state went back from {last_height} to {accountant.height}")
            last_height = accountant.height
            if loads % verify_every == 0 or finished:
                report = verify_chain(store, kernels)
                verifies += 1
                if report.blocks - 1 < last_height:
                    failures.append(f"verified {report.blocks} blocks after state "
                                    f"{last_height}")
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none allowed
            failures.append(f"{type(exc).__name__}: {exc}")
    return loads, verifies, failures


def writer_process(path: str, kit_path: str, blocks: int, done_path: str) -> None:
    kernels, claims = load(kit_path)
    with SQLiteChainStore.open(path) as store:
        write(store, kernels, claims, blocks, done_path)


def reader_process(path: str, kit_path: str, done_path: str, out_path: str,
                   deadline_s: float) -> None:
    kernels, _claims = load(kit_path)
    with SQLiteChainStore.open(path, read_only=True) as store:
        result = read(store, kernels, done_path, 5, time.monotonic() + deadline_s)
    with open(out_path, "wb") as fh:
        pickle.dump(result, fh)
