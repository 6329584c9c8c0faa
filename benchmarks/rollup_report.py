# SPDX-License-Identifier: MIT
"""Rollup figures (issues 6 and 13): building and verifying blocks of 10, 100 and 1000
signed claims over four kernels, against verifying the same proofs one by one, and what
the signatures cost.

The workload is ``market_report.py``'s (since the market, every claim delivers a task):
four small task-ready kernels made with ConstraintSystem (verification cost does not
depend on circuit size, only on the number of public inputs), N tasks posted in block 0
where 50 nodes (each with its own key) register, and block 1 of the N signed claims of
their assignees; the proofs and block 0 are cached in a temp directory (``--cache``).

Timed, best of ``--repeat`` runs each:

- build: ``BlockBuilder.build`` of block 1 from claim bytes (decoding and point
  validation, the checks, batch verification per key with content-derived weights, the
  market, sealing);
- verify block: ``verify_chain`` of blocks 0 and 1 from genesis, less that of block 0
  alone — what any node does to check a block it receives: decode it (every point
  validated), check body and roots, then rebuild it (every proof re-verified in batches);
- batch proofs only: ``groth16.batch_verify`` over the block's proofs, one call per key;
- one by one: ``groth16.verify`` for each proof;
- unsigned path: build and verify again with the signature check replaced by the nonce
  bookkeeping alone (the builder as it was before signed transactions, on the same
  bytes), and the ratio signed / unsigned-path, measured side by side in one run;
- signature recovery: ``accounts.recover`` over the block's digests (per second, one
  core), and ``Claim.signer`` (the EIP-712 digest plus the recovery).

    python benchmarks/rollup_report.py [--sizes 10,100,1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from market_report import CHAIN_ID, best, setup  # noqa: E402

from zkcx import groth16  # noqa: E402
from zkcx.accounts import recover  # noqa: E402
from zkcx.rollup import Block, BlockBuilder, Claim, chain_domain, verify_chain  # noqa: E402
from zkcx.rollup.block import RejectReason  # noqa: E402
from zkcx.rollup.builder import BlockBuilder as _Builder  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cache", default=str(pathlib.Path(tempfile.gettempdir())
                                           / "zkcx-market-bench"))
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cache = pathlib.Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    from machine import describe

    print(describe())
    print("\n| claims | build (s) | build per claim (ms) | verify block (s) | verify per claim "
          "(ms) | batch proofs only (s) | one by one (s) | one by one / verify block "
          "| build, unsigned path (s) | verify, unsigned path (s) | signed / unsigned path "
          "(build, verify) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    claims: list[bytes] = []
    for n in sizes:
        row, claims = measure(n, args.repeat, cache)
        print(row, flush=True)
    recovery_rates(claims, args.repeat)


def measure(n: int, repeat: int, cache: pathlib.Path) -> tuple[str, list[bytes]]:
    """(one table row for a block of ``n`` claims, the block's claim bytes)."""
    kernels, genesis, block0, market, claims = setup(n, cache)
    builder = BlockBuilder(kernels, CHAIN_ID)
    state, data0 = genesis.to_bytes(), block0.to_bytes()

    def build():
        return builder.build(block0.hash, market, claims, timestamp=2)

    def verify(*blocks: bytes):
        return verify_chain([Block.from_bytes(b) for b in blocks], kernels, genesis=state,
                            chain_id=CHAIN_ID)

    t_build, built = best(build, repeat)
    block = built.block
    assert len(block.accepted) == n, [r.detail for r in block.rejected][:3]
    data = block.to_bytes()
    t_setup, _ = best(lambda: verify(data0), repeat)
    t_both, report = best(lambda: verify(data0, data), repeat)
    assert report.head_hash == block.hash
    t_verify = t_both - t_setup
    decoded = list(block.accepted)
    groups: dict[str, list] = {}
    for c in decoded:
        groups.setdefault(c.kernel_id, []).append(
            (kernels.get(c.kernel_id).vk, c.public_inputs, c.proof))

    def batch_only():
        return all(groth16.batch_verify(items, seed=b"bench").ok for items in groups.values())

    t_batch, ok = best(batch_only, repeat)
    assert ok

    def one_by_one():
        return all(groth16.verify(kernels.get(c.kernel_id).vk, c.public_inputs, c.proof)
                   for c in decoded)

    t_single, ok = best(one_by_one, 1 if n >= 1000 else repeat)
    assert ok
    with unsigned_path():
        t_build0, _ = best(build, repeat)
        t_both0, _ = best(lambda: verify(data0, data), repeat)
    t_verify0 = t_both0 - t_setup
    return (f"| {n} | {t_build:.3f} | {1e3 * t_build / n:.2f} | {t_verify:.3f} | "
            f"{1e3 * t_verify / n:.2f} | {t_batch:.3f} | {t_single:.3f} | "
            f"{t_single / t_verify:.1f}x | {t_build0:.3f} | {t_verify0:.3f} | "
            f"{t_build / t_build0:.2f}x, {t_verify / t_verify0:.2f}x |"), claims


class unsigned_path:
    """Within: the builder checks nonces but recovers no signature (the cost the
    signatures add is what is left out)."""

    def __enter__(self):
        self._saved = _Builder._authenticate
        self._saved_recovery = _Builder._recover_signers
        _Builder._recover_signers = lambda builder, claims: None

        def nonce_only(builder, tx, actor, market, nonces):
            expected = nonces.get(actor)
            if expected is None:
                expected = market.account(actor).nonce
            if tx.nonce != expected:
                return RejectReason.BAD_NONCE, ""
            nonces[actor] = expected + 1
            return None, ""

        _Builder._authenticate = nonce_only
        return self

    def __exit__(self, *exc):
        _Builder._authenticate = self._saved
        _Builder._recover_signers = self._saved_recovery


def recovery_rates(claim_bytes: list[bytes], repeat: int) -> None:
    """Signature recoveries per second: bare (digest known) and Claim.signer (digest
    and recovery; a fresh claim object each time, so nothing is cached)."""
    domain = chain_domain(CHAIN_ID)
    claims = [Claim.from_bytes(b) for b in claim_bytes]
    pairs = [(c.digest(domain), c.signature) for c in claims]
    t_recover, _ = best(lambda: [recover(d, s) for d, s in pairs], repeat)
    fresh = [[Claim.from_bytes(b) for b in claim_bytes] for _ in range(repeat)]
    it = iter(fresh)
    t_signer, _ = best(lambda: [c.signer(domain) for c in next(it)], repeat)
    n = len(claims)
    print(f"\nsignature recovery: {n / t_recover:,.0f}/s (accounts.recover, one core); "
          f"Claim.signer (EIP-712 digest + recovery): {n / t_signer:,.0f}/s; "
          f"target 10,000/s")


if __name__ == "__main__":
    main()
