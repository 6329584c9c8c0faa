# SPDX-License-Identifier: MIT
"""Child process of the crash test: appends blocks to a chain store until killed, and
after each commit returns appends the block's height to a report file.
``main(store, kit_pickle, report)``, or from a shell:

    python -m tests.rollup._crash_child STORE KIT_PICKLE REPORT
"""

from __future__ import annotations

import os
import pickle
import sys

from tests.rollup.conftest import SigningChain, addr
from zkcx.rewards import Transfer
from zkcx.rollup import Claim, SQLiteChainStore


def main(store_path: str, kit_path: str, report_path: str) -> None:
    with open(kit_path, "rb") as fh:
        kernels, claim_bytes = pickle.load(fh)
    claims = [Claim.from_bytes(b) for b in claim_bytes]
    store = SQLiteChainStore.open(store_path)
    chain = SigningChain(store, kernels)
    pending = [c for c in claims if not store.has_statement(c.statement_hash)]
    with open(report_path, "a") as report:
        report.write("start\n")
        report.flush()
        while True:
            batch, pending = pending[:2], pending[2:]
            ops = []
            balances = chain.ledger.accounts
            if addr("n1") in balances and balances[addr("n1")].balance > 0:
                ops.append(Transfer(addr("n1"), addr(f"r{chain.height % 7}"), 1))
            block = chain.produce([*batch, claims[0]], ops)  # claims[0]: a replay, later
            report.write(f"{block.height}\n")
            report.flush()
            os.fsync(report.fileno())


if __name__ == "__main__":
    main(*sys.argv[1:4])
