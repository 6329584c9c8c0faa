# SPDX-License-Identifier: MIT
"""``zkcx block build|verify|show`` and ``zkcx rewards show``: the rollup operator's
commands over a SQLite chain file and a kernel registry (``kernels.json``, the
configuration every verifier of the chain holds; ``zkcx demo`` writes both)."""

from __future__ import annotations

import argparse
import json
import pathlib

from zkcx.cli._output import Reporter, UsageError
from zkcx.rewards import SUPPLY, TOKEN, Stake, Transfer, Unstake
from zkcx.rollup import (
    ChainVerificationError,
    Claim,
    KernelRegistry,
    MalformedBlockError,
    SQLiteChainStore,
    verify_chain,
)
from zkcx.rollup.chain import Chain


def tokens(amount: int) -> str:
    """Base units as tokens with up to 6 decimals (display only; amounts stay integers)."""
    whole, frac = divmod(amount, TOKEN)
    text = f"{whole:,}"
    micro = frac * 10**6 // TOKEN
    return f"{text}.{micro:06d}".rstrip("0").rstrip(".") if micro else text


def open_store(path: str, read_only: bool = True) -> SQLiteChainStore:
    if not pathlib.Path(path).is_file():
        raise UsageError(f"chain file {path!r} does not exist (create one with `zkcx demo` or "
                         "zkcx.rollup.SQLiteChainStore.create)")
    return SQLiteChainStore.open(path, read_only=read_only)


def load_registry(path: str) -> KernelRegistry:
    p = pathlib.Path(path)
    if not p.is_file():
        raise UsageError(f"kernel registry {path!r} does not exist")
    try:
        return KernelRegistry.from_json(json.loads(p.read_text()))
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from exc
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}") from exc


def _operation(text: str):
    """stake:NODE:TOKENS, unstake:NODE:TOKENS or transfer:SRC:DST:TOKENS."""
    parts = text.split(":")
    try:
        if parts[0] in ("stake", "unstake") and len(parts) == 3:
            cls = Stake if parts[0] == "stake" else Unstake
            return cls(parts[1], int(parts[2]) * TOKEN)
        if parts[0] == "transfer" and len(parts) == 4:
            return Transfer(parts[1], parts[2], int(parts[3]) * TOKEN)
    except ValueError as exc:
        raise UsageError(f"bad operation {text!r}: {exc}") from exc
    raise UsageError(f"bad operation {text!r}: expected stake:NODE:TOKENS, "
                     "unstake:NODE:TOKENS or transfer:FROM:TO:TOKENS")


def cmd_block_build(args: argparse.Namespace, out: Reporter) -> int:
    """Verify pending claims (JSON files) and append the next block."""
    registry = load_registry(args.kernels)
    claims: list[Claim | bytes] = []
    for path in args.claims:
        p = pathlib.Path(path)
        if not p.is_file():
            raise UsageError(f"claim file {path!r} does not exist")
        try:
            claims.append(Claim.from_json(json.loads(p.read_text())))
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}: not valid JSON ({exc})") from exc
    operations = [_operation(op) for op in args.op]
    with open_store(args.chain, read_only=False) as store:
        chain = Chain(store, registry)
        with out.step(f"verifying {len(claims)} claims"):
            built = chain.build(claims, operations)
        block = chain.commit(built)
    show_block(block, out, built.outcome)
    return 0


def show_block(block, out: Reporter, outcome=None) -> None:
    """A block's header, claims and (when known) payouts."""
    s = block.summary()
    h = s["header"]
    out.line(f"block {h['height']}  {block.hash.hex()}")
    for key in ("parent_hash", "timestamp", "claims_root", "state_root", "models_root"):
        if key in h:
            out.line(f"  {key:<12} {h[key]}")
    if "emission" in h:
        out.line(f"  {'emission':<12} {tokens(int(h['emission']))} tokens")
    rows = [[c["node_id"], c["kind"], c["task_id"], "accepted", c["claim_hash"][:16]]
            for c in s["accepted"]]
    rows += [["?", "", "", f"rejected: {r['reason']}", r["claim_hash"][:16]]
             for r in s["rejected"]]
    if rows:
        out.table(["node", "kind", "task", "verdict", "claim"], rows)
    for r in s["rejected"]:
        out.line(f"  rejected #{r['index']}: {r['reason']}: {r['detail']}")
    result = {"hash": block.hash.hex(), **s}
    if outcome is not None:
        result["paid"] = {k: str(v) for k, v in outcome.paid.items()}
        result["slashed"] = {k: str(v) for k, v in outcome.slashed.items()}
    out.set(block=result)


def cmd_block_show(args: argparse.Namespace, out: Reporter) -> int:
    with open_store(args.chain) as store:
        head = store.head()
        if head is None:
            out.line("the chain has no blocks yet")
            out.set(block=None)
            return 0
        height = head.height if args.height is None else args.height
        try:
            block = store.block(height)
        except KeyError:
            raise UsageError(f"no block at height {height} (head is {head.height})") from None
        show_block(block, out)
    return 0


def cmd_block_verify(args: argparse.Namespace, out: Reporter) -> int:
    """Re-verify every block from genesis: proofs, roots, the accountant's replay."""
    registry = load_registry(args.kernels)
    with open_store(args.chain) as store:
        try:
            with out.step("re-verifying the chain from genesis") as progress:
                report = verify_chain(store, registry, progress=progress)
        except (ChainVerificationError, MalformedBlockError) as exc:
            out.line(f"INVALID: {exc}")
            out.set(valid=False, error=str(exc))
            return 1
    out.line(f"OK: {report.blocks} blocks, {report.accepted_claims} accepted and "
             f"{report.rejected_claims} rejected claims re-verified")
    out.line(f"  head        {report.head_hash.hex()}")
    out.line(f"  state root  {report.state_root.hex()}")
    out.set(valid=True, blocks=report.blocks, accepted=report.accepted_claims,
            rejected=report.rejected_claims, head=report.head_hash.hex(),
            state_root=report.state_root.hex())
    return 0


def rewards_table(accountant, out: Reporter) -> None:
    """Pool, supply and every account, as the accountant holds them."""
    pool = accountant.pool
    balances, stakes, unbonding = accountant.totals()
    supply = pool + balances + stakes + unbonding
    out.line(f"pool {tokens(pool)}  balances {tokens(balances)}  stakes {tokens(stakes)}  "
             f"unbonding {tokens(unbonding)}  = {tokens(supply)} tokens "
             f"({'the fixed supply' if supply == SUPPLY else 'NOT the supply'}; height "
             f"{accountant.height})")
    rows, accounts = [], {}
    for node, acc in sorted(accountant.accounts.items()):
        tier = accountant.tier_of(node).name
        rows.append([node, tokens(acc.balance), tokens(acc.stake),
                     tokens(acc.unbonding_total), acc.reputation, tier,
                     acc.claims_accepted, acc.proofs_invalid])
        accounts[node] = {"balance": str(acc.balance), "stake": str(acc.stake),
                          "unbonding": str(acc.unbonding_total),
                          "reputation": acc.reputation, "tier": tier,
                          "claims_accepted": acc.claims_accepted,
                          "proofs_invalid": acc.proofs_invalid}
    out.table(["node", "balance", "stake", "unbonding", "reputation", "tier", "accepted",
               "invalid"], rows)
    out.set(pool=str(pool), supply=str(supply), height=accountant.height, accounts=accounts)


def cmd_rewards_show(args: argparse.Namespace, out: Reporter) -> int:
    with open_store(args.chain) as store:
        accountant, _ = store.load_state()
    rewards_table(accountant, out)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register block and rewards."""
    p = sub.add_parser("block", help="build, verify or show rollup blocks")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{build,verify,show}")
    q = verbs.add_parser("build", help="verify claims and append the next block")
    q.add_argument("claims", nargs="*", help="claim files (zkcx-claim-v1 JSON)")
    q.add_argument("--chain", required=True, help="SQLite chain file")
    q.add_argument("--kernels", required=True, help="kernel registry (kernels.json)")
    q.add_argument("--op", action="append", default=[],
                   help="stake:NODE:TOKENS | unstake:NODE:TOKENS | transfer:FROM:TO:TOKENS")
    q.set_defaults(run=cmd_block_build)
    q = verbs.add_parser("verify", help="re-verify the chain from genesis (exit 1 if invalid)")
    q.add_argument("--chain", required=True, help="SQLite chain file")
    q.add_argument("--kernels", required=True, help="kernel registry (kernels.json)")
    q.set_defaults(run=cmd_block_verify)
    q = verbs.add_parser("show", help="a block's header and claims (default: the head)")
    q.add_argument("height", nargs="?", type=int, help="block height")
    q.add_argument("--chain", required=True, help="SQLite chain file")
    q.set_defaults(run=cmd_block_show)

    p = sub.add_parser("rewards", help="the accountant's state")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{show}")
    q = verbs.add_parser("show", help="pool, balances, stakes, reputation and tiers")
    q.add_argument("--chain", required=True, help="SQLite chain file")
    q.set_defaults(run=cmd_rewards_show)
