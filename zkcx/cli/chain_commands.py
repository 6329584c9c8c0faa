# SPDX-License-Identifier: MIT
"""``zkcx chain init``, ``block build|verify|show`` and ``rewards show``: the rollup
operator's commands over a SQLite chain file, which keeps the kernel registry the chain
is verified against (``zkcx kernel register`` adds to it). ``block show``, ``block
verify`` and ``rewards show`` only read: they open the chain read-only and never create
or change a file. ``chain init --grant ADDRESS=TOKENS`` gives accounts their genesis
balances (taken from the pool): without any, nobody could pay the first task's fee."""

from __future__ import annotations

import argparse
import os
import pathlib

from zkcx.cli._args import add_chain_reader, address_arg, chain_id_arg, parse_tokens
from zkcx.cli._files import checked_path, decode, output_path, read_json
from zkcx.cli._keys import KeyRing, add_key_arguments
from zkcx.cli._output import Reporter
from zkcx.cli._txfile import read_tx
from zkcx.cli.aggregate_commands import _srs as aggregation_srs_from_args
from zkcx.cli.errors import UsageError
from zkcx.errors import InvalidOperationError, ParameterError, ZkcxError
from zkcx.market import Market
from zkcx.rewards import (
    DEFAULT_PARAMS,
    SUPPLY,
    TOKEN,
    ClaimKind,
    ParamSchedule,
    Stake,
    Transfer,
    Unstake,
)
from zkcx.rollup import (
    ChainVerificationError,
    Claim,
    KernelEntry,
    KernelRegistry,
    MalformedBlockError,
    MalformedOperationError,
    SignedOperation,
    SQLiteChainStore,
    UnknownBlockError,
    UnknownKernelError,
    create_store,
    open_store,
    verify_chain,
    verify_chain_light,
)
from zkcx.rollup.chain import Chain
from zkcx.rollup.postgres_store import is_postgres_url, redact_url
from zkcx.rollup.signing import DEFAULT_CHAIN_ID
from zkcx.rollup.sql_store import SQLChainStore
from zkcx.rollup.verify import LIGHT_LIMITS


def tokens(amount: int) -> str:
    """Base units as tokens with up to 6 decimals (display only; amounts stay integers)."""
    whole, frac = divmod(amount, TOKEN)
    text = f"{whole:,}"
    micro = frac * 10**6 // TOKEN
    return f"{text}.{micro:06d}".rstrip("0").rstrip(".") if micro else text


class ChainURL(str):
    """A ``--chain`` given as a postgresql:// URL: as a string (in messages, reprs and
    JSON) it is the URL with its password replaced by ``***``; ``url`` is the URL
    itself, which only ``open_chain`` and ``chain init`` use."""

    url: str

    def __new__(cls, url: str) -> ChainURL:
        shown = super().__new__(cls, redact_url(url))
        shown.url = url
        return shown


def chain_location(text: str) -> str:
    """``--chain``'s value as the commands keep it: a ``ChainURL`` for a postgresql://
    URL (so that no message shows its password), a path as it is."""
    if isinstance(text, ChainURL) or not is_postgres_url(text):
        return text
    return ChainURL(text)


def open_chain(path: str, *, write: bool = False) -> SQLChainStore:
    """An existing chain: an SQLite file (``SQLiteChainStore.open``, which refuses a
    file that is not a zkcx chain with a ``ChainStoreError`` naming it) or the
    PostgreSQL database of a postgresql:// URL (``ChainURL``); read-only unless
    ``write``: a command that only reads never creates or changes a file or a row."""
    if isinstance(path, ChainURL) or is_postgres_url(path):
        return open_store(getattr(path, "url", path), read_only=not write)
    checked_path(path, "chain file")  # a FIFO would block SQLite's open
    return SQLiteChainStore.open(path, read_only=not write)


def load_market(path: str):
    """(chain id, market, kernel registry) of a chain file (read only)."""
    with open_chain(path) as store:
        return store.chain_id(), store.load_state(), store.kernel_registry()


def kernel_of_kind(registry: KernelRegistry, kernel_id: str, kind: ClaimKind, flag: str,
                   chain: str) -> KernelEntry:
    """The entry of kernel ``kernel_id`` (given as option ``flag``) in the registry of
    chain file ``chain``; a UsageError when it is not registered there or its claim kind
    is not ``kind``."""
    try:
        entry = registry.get(kernel_id)
    except UnknownKernelError:
        raise UsageError(f"{flag} {kernel_id[:16]}…: not a kernel of {chain!r} "
                         "(`zkcx kernel list`)") from None
    if entry.kind is not kind:
        article = "an" if kind.value[0] in "aeiou" else "a"
        raise UsageError(f"{flag} {kernel_id[:16]}…: a {entry.kind.value} kernel, not "
                         f"{article} {kind.value} kernel")
    return entry


def chain_kernels(store: SQLChainStore, path: str, claims: int = 0) -> KernelRegistry:
    """The kernel registry kept with the chain. Claims for a chain with no kernels are
    an error (each would be rejected as unknown, for good)."""
    registry = store.kernel_registry()
    if claims and not len(registry):
        raise UsageError(f"chain file {path!r} has no kernels registered: add them with "
                         "`zkcx kernel register --chain ...`")
    return registry


def _height(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a block height") from None
    if not 0 <= value < 1 << 63:
        raise argparse.ArgumentTypeError(f"{text!r} is not a block height (0 to 2^63 - 1)")
    return value


def _operation(text: str):
    """stake:NODE:TOKENS, unstake:NODE:TOKENS or transfer:SRC:DST:TOKENS (accounts as
    EIP-55 addresses)."""
    parts = text.split(":")
    try:
        if parts[0] in ("stake", "unstake") and len(parts) == 3:
            cls = Stake if parts[0] == "stake" else Unstake
            op = cls(parts[1], int(parts[2]) * TOKEN)
        elif parts[0] == "transfer" and len(parts) == 4:
            op = Transfer(parts[1], parts[2], int(parts[3]) * TOKEN)
        else:
            op = None
        if op is not None:
            SignedOperation(op)  # accounts are addresses in their EIP-55 spelling
            return op
    except (ValueError, InvalidOperationError, MalformedOperationError) as exc:
        raise UsageError(f"bad operation {text!r}: {exc}") from exc
    raise UsageError(f"bad operation {text!r}: expected stake:NODE:TOKENS, "
                     "unstake:NODE:TOKENS or transfer:FROM:TO:TOKENS")


def sign_operations(chain: Chain, operations, keys: KeyRing) -> list[SignedOperation]:
    """Each operation signed by its key (``KeyRing.signer(actor)``) with its actor's next
    nonces, counted from the chain's state in order."""
    nonces: dict[str, int] = {}
    out = []
    accountant = chain.market
    for op in operations:
        nonce = nonces.get(op.actor, accountant.account(op.actor).nonce)
        nonces[op.actor] = nonce + 1
        signer = keys.signer(op.actor)
        draft = SignedOperation(op, nonce)
        # a key of another account signs too: the builder then rejects the operation
        # (bad-signature), as it would anyone's forgery
        out.append(SignedOperation(op, nonce, signer.sign(draft.digest(chain.domain))))
    return out


def chain_aggregation_srs(store, ptau: list[str], unsafe_seed: str | None):
    """The prover's aggregation SRS of a chain that keeps an aggregation key (None for a
    chain without one), from two powers-of-tau files or an unsafe seed, of the kept key's
    size; a UsageError when the chain needs one and none is given, or one is given for a
    chain without a key."""
    key = store.aggregation_key()
    if key is None:
        if ptau or unsafe_seed is not None:
            raise UsageError("this chain keeps no aggregation key, its blocks carry no "
                             "aggregates: set one with `zkcx chain aggregation` before block 0")
        return None
    if not ptau and unsafe_seed is None:
        raise UsageError("this chain's blocks carry aggregates: give the aggregation SRS "
                         "(--aggregation-ptau A --aggregation-ptau B, or "
                         "--unsafe-aggregation-srs SEED on a demo chain)")
    return aggregation_srs_from_args(argparse.Namespace(ptau=ptau, unsafe_srs=unsafe_seed),
                                     key.size)


def cmd_block_build(args: argparse.Namespace, out: Reporter) -> int:
    """Verify pending claims (JSON files) and append the next block."""
    claims: list[Claim | bytes] = [read_claim(path) for path in args.claims]
    operations = [_operation(op) for op in args.op]
    transactions = [(path, *read_tx(path)) for path in args.tx]
    keys = KeyRing(args)
    with open_chain(args.chain, write=True) as store:
        srs = chain_aggregation_srs(store, args.aggregation_ptau,
                                    args.unsafe_aggregation_srs)
        chain = Chain(store, chain_kernels(store, args.chain, len(claims)),
                      aggregation_srs=srs)
        for path, _, chain_id in transactions:
            if chain_id != chain.chain_id:
                raise UsageError(f"transaction file {path!r} is signed for chain id "
                                 f"{chain_id}, not this chain's ({chain.chain_id})")
        signed = sign_operations(chain, operations, keys)
        signed += [tx for _, tx, _ in transactions]
        with out.step(f"verifying {len(claims)} claims"):
            built = chain.build(claims, signed)
        block = chain.commit(built)
    show_block(block, out, built.outcome)
    return 0


def show_block(block, out: Reporter, outcome=None) -> None:
    """A block's header, claims and (when known) payouts."""
    s = block.summary()
    h = s["header"]
    out.line(f"block {h['height']}  {block.hash.hex()}")
    for key in ("parent_hash", "timestamp", "claims_root", "statements_root", "state_root",
                "models_root"):
        if key in h:
            out.line(f"  {key:<15} {h[key]}")
    if "emission" in h:
        out.line(f"  {'emission':<15} {tokens(int(h['emission']))} tokens")
    rows = [[c["node_id"], c["kind"], c["task_id"], "accepted", c["claim_hash"][:16]]
            for c in s["accepted"]]
    rows += [["?", "", "", f"rejected: {r['reason']}", r["claim_hash"][:16]]
             for r in s["rejected"]]
    if rows:
        out.table(["node", "kind", "task", "verdict", "claim"], rows)
    for r in s["rejected"]:
        out.line(f"  rejected #{r['index']}: {r['reason']}: {r['detail']}")
    for op in s.get("operations", []):
        out.line(f"  operation {op['op']} by {op['actor']} "
                 f"(nonce {op['nonce']}): applied")
    for r in s.get("rejected_operations", []):
        out.line(f"  operation #{r['index']} rejected: {r['reason']}: {r['detail']}")
    result = {"hash": block.hash.hex(), **s}
    if outcome is not None:
        for p in outcome.paid:
            out.line(f"  task {p.task_id}: fee {tokens(p.fee)} of {p.poster} -> "
                     f"{tokens(p.node_share)} to {p.node_id}, {tokens(p.pool_fee)} to the "
                     "pool")
        for late in outcome.late:
            out.line(f"  task {late.task_id}: {late.node_id} missed its deadline "
                     f"(-{late.reputation_lost} reputation, {tokens(late.bond_slashed)} of "
                     "its bond to the pool)" + ("; expired, fee refunded" if late.expired
                                                else "; reassigned"))
        for a in outcome.assigned:
            out.line(f"  task {a.task_id} assigned to {a.node_id}")
        result["paid"] = {k: str(v) for k, v in outcome.ledger.paid.items()}
        result["slashed"] = {k: str(v) for k, v in outcome.ledger.slashed.items()}
        result["fees"] = [{"task_id": p.task_id, "node_id": p.node_id, "poster": p.poster,
                           "fee": str(p.fee), "pool_fee": str(p.pool_fee),
                           "bond": str(p.bond)} for p in outcome.paid]
        result["assigned"] = [{"task_id": a.task_id, "node_id": a.node_id}
                              for a in outcome.assigned]
        result["late"] = [{"task_id": late.task_id, "node_id": late.node_id,
                           "reputation_lost": late.reputation_lost,
                           "bond_slashed": str(late.bond_slashed), "expired": late.expired}
                          for late in outcome.late]
    out.set(block=result)


def read_claim(path: str) -> Claim:
    """A claim file (``zkcx-claim-v1`` JSON, as ``zkcx claim make`` writes)."""
    return decode(path, "claim", Claim.from_json, read_json(path, "claim"))


def cmd_block_show(args: argparse.Namespace, out: Reporter) -> int:
    with open_chain(args.chain) as store:
        head = store.head()
        if head is None and args.height is not None:
            raise UsageError(f"no block at height {args.height}: the chain has no blocks yet")
        if head is None:
            out.line("the chain has no blocks yet")
            out.set(block=None)
            return 0
        height = head.height if args.height is None else args.height
        try:
            block = store.block(height)
        except UnknownBlockError:
            raise UsageError(f"no block at height {height} (head is {head.height})") from None
        show_block(block, out)
    return 0


def cmd_block_verify(args: argparse.Namespace, out: Reporter) -> int:
    """Re-verify every block from genesis: proofs, roots, the accountant's replay; with
    --light, headers, bodies' hashes and the aggregates against the public inputs only."""
    if args.light:
        return _block_verify_light(args, out)
    with open_chain(args.chain) as store:
        registry = chain_kernels(store, args.chain)
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


def _block_verify_light(args: argparse.Namespace, out: Reporter) -> int:
    with open_chain(args.chain) as store:
        registry = chain_kernels(store, args.chain)
        if store.aggregation_key() is None:
            raise UsageError("this chain keeps no aggregation key, so its blocks carry no "
                             "aggregates: --light cannot check it (run `zkcx block verify` "
                             "without --light)")
        try:
            with out.step("checking headers and aggregates from genesis") as progress:
                report = verify_chain_light(store, registry, progress=progress)
        except (ChainVerificationError, MalformedBlockError) as exc:
            out.line(f"INVALID: {exc}")
            out.set(valid=False, light=True, error=str(exc))
            return 1
    out.line(f"OK (light): {report.blocks} blocks, {report.accepted_claims} accepted claims "
             f"proved by {report.aggregates} aggregates")
    out.line(f"  head        {report.head_hash.hex()}")
    out.line(f"  not checked: {LIGHT_LIMITS}")
    out.set(valid=True, light=True, blocks=report.blocks, accepted=report.accepted_claims,
            aggregates=report.aggregates, head=report.head_hash.hex(),
            not_checked=LIGHT_LIMITS)
    return 0


def rewards_table(accountant, out: Reporter, names: dict[str, str] | None = None) -> None:
    """Pool, supply and every account, as the accountant holds them (``names``: a label
    per address, shown next to it)."""
    pool = accountant.pool
    balances, stakes, unbonding, held = accountant.totals()
    supply = pool + balances + stakes + unbonding + held
    held_text = f"held {tokens(held)}  " if held else ""  # escrow and bonds (the market)
    out.line(f"pool {tokens(pool)}  balances {tokens(balances)}  stakes {tokens(stakes)}  "
             f"unbonding {tokens(unbonding)}  {held_text}= {tokens(supply)} tokens "
             f"({'the fixed supply' if supply == SUPPLY else 'NOT the supply'}; height "
             f"{accountant.height})")
    rows, accounts = [], {}
    for node, acc in sorted(accountant.accounts.items()):
        tier = accountant.tier_of(node).name
        label = f"{node} ({names[node]})" if names and node in names else node
        rows.append([label, tokens(acc.balance), tokens(acc.stake),
                     tokens(acc.unbonding_total), tokens(acc.held), acc.reputation, tier,
                     acc.claims_accepted, acc.proofs_invalid])
        accounts[node] = {"balance": str(acc.balance), "stake": str(acc.stake),
                          "unbonding": str(acc.unbonding_total), "held": str(acc.held),
                          "reputation": acc.reputation, "tier": tier,
                          "claims_accepted": acc.claims_accepted,
                          "proofs_invalid": acc.proofs_invalid, "nonce": acc.nonce}
    out.table(["account", "balance", "stake", "unbonding", "held", "reputation", "tier",
               "accepted", "invalid"], rows)
    out.set(pool=str(pool), supply=str(supply), height=accountant.height, accounts=accounts)


def cmd_rewards_show(args: argparse.Namespace, out: Reporter) -> int:
    with open_chain(args.chain) as store:
        market = store.load_state()
    rewards_table(market.ledger, out)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register block and rewards (``add_chain_parser`` registers chain)."""
    p = sub.add_parser("block", help="build, verify or show rollup blocks")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{build,verify,show}")
    q = verbs.add_parser("build", help="verify claims and append the next block")
    q.add_argument("claims", nargs="*", help="signed claim files (zkcx-claim-v2 JSON)")
    q.add_argument("--chain", required=True, help="the chain: an SQLite file or a "
                   "postgresql:// URL (`zkcx chain init`)")
    q.add_argument("--op", action="append", default=[],
                   help="stake:NODE:TOKENS | unstake:NODE:TOKENS | transfer:FROM:TO:TOKENS "
                        "(accounts as addresses), signed with the actor's key")
    add_key_arguments(q, account_help="sign every --op with this key of --keystore "
                                      "(default: each op's acting account)")
    q.add_argument("--tx", action="append", default=[], metavar="FILE",
                   help="a signed transaction file (`zkcx tx`, `zkcx gov propose|vote`), "
                        "included as signed: no key needed (repeatable; after the --op "
                        "operations, in the order given)")
    add_aggregation_srs_arguments(q)
    q.set_defaults(run=cmd_block_build)
    q = verbs.add_parser("verify", help="re-verify the chain from genesis (exit 1 if invalid)")
    q.add_argument("--chain", required=True,
                   help="the chain, an SQLite file or a postgresql:// URL (read only, with "
                        "the kernels registered in it)")
    q.add_argument("--light", action="store_true",
                   help="check only the headers, parent links, body hashes, claims roots "
                        "and each block's aggregates against its claims' public inputs "
                        "(no individual proof, no replay: state roots are not checked)")
    q.set_defaults(run=cmd_block_verify)
    q = add_chain_reader(verbs, "show",
                         "a block's header and claims (default: the head)",
                         cmd_block_show)
    q.add_argument("height", nargs="?", type=_height, help="block height")

    p = sub.add_parser("rewards", help="the accountant's state")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{show}")
    q = add_chain_reader(verbs, "show",
                         "pool, balances, stakes, reputation and tiers",
                         cmd_rewards_show)


def cmd_chain_init(args: argparse.Namespace, out: Reporter) -> int:
    """A new chain at genesis (an SQLite file, or the tables of a PostgreSQL database):
    a market over a fresh ledger whose --grant accounts hold their balances, no models,
    no kernels."""
    if (args.chain is None) == (args.chain_option is None):
        raise UsageError("give the chain to create once: zkcx chain init CHAIN, or "
                         "--chain CHAIN (an SQLite file or a postgresql:// URL)")
    location = chain_location(args.chain if args.chain is not None else args.chain_option)
    url = getattr(location, "url", None)
    if url is None:
        path = pathlib.Path(location)
        if os.path.lexists(path):
            raise UsageError(f"chain file {location!r} already exists; a chain is made "
                             "once (remove the file to start over)")
        output_path(path, "chain file")
    params = genesis_params(args)
    grants: dict[str, int] = {}
    for address, amount in args.grant or ():
        if address in grants:
            raise UsageError(f"--grant {address} is given twice")
        grants[address] = amount
    try:
        market = Market.genesis(grants, ParamSchedule([(0, params)]))
    except ZkcxError as exc:
        raise UsageError(f"bad --grant: {exc}") from None
    with create_store(path if url is None else url, market,
                      chain_id=args.chain_id) as store:
        genesis = store.genesis_hash().hex()
    path = location if url is not None else path
    out.line(f"chain           {path}")
    out.line(f"chain id        {args.chain_id} (every signature on the chain names it)")
    out.line(f"genesis hash    {genesis}")
    for address, amount in grants.items():
        out.line(f"grant           {tokens(amount)} tokens to {address}")
    out.line(f"pool            {tokens(market.ledger.pool)} tokens")
    out.set(chain=str(path), genesis_hash=genesis, pool=str(market.ledger.pool),
            chain_id=args.chain_id, grants={a: str(v) for a, v in grants.items()})
    return 0


#: chain init's options for the genesis parameters: option -> (Params field, help)
_GENESIS_OPTIONS = {
    "emission_ppb": "tokens released per block, in parts per billion of the pool",
    "voting_period": "blocks a proposal is voted on",
    "emergency_voting_period": "blocks a pause (or its lifting) is voted on",
    "min_activation_delay": "blocks between a vote's end and the change",
    "proposal_min_stake": "stake a proposer needs, in tokens",
    "min_fee_per_unit": "minimum task fee per work unit, in base units (0 on a test chain: "
                        "claims without a fee then count as paid work, and earn nothing)",
}


def genesis_params(args: argparse.Namespace):
    """The default parameters with chain init's options applied (validated)."""
    changes = {name: getattr(args, name) for name in _GENESIS_OPTIONS
               if getattr(args, name) is not None}
    if "proposal_min_stake" in changes:
        changes["proposal_min_stake"] *= TOKEN
    try:
        return DEFAULT_PARAMS.replace(**changes)
    except ParameterError as exc:
        raise UsageError(f"bad genesis parameters: {exc}") from None


def add_aggregation_srs_arguments(q: argparse.ArgumentParser) -> None:
    """--aggregation-ptau (twice) / --unsafe-aggregation-srs: the prover's aggregation SRS
    of a chain whose blocks carry aggregates (``chain_aggregation_srs``)."""
    q.add_argument("--aggregation-ptau", action="append", default=[], metavar="PTAU",
                   help="on a chain whose blocks carry aggregates: a powers-of-tau file of "
                        "its aggregation SRS (give the two of `zkcx chain aggregation`)")
    q.add_argument("--unsafe-aggregation-srs", metavar="SEED",
                   help="UNSAFE, demo chains only: the aggregation SRS derived from SEED")


def cmd_chain_aggregation(args: argparse.Namespace, out: Reporter) -> int:
    """Keep an aggregation verifier key with a chain (before block 0): from then on its
    blocks carry the aggregates of their claims."""
    size = args.size
    if size < 2 or size & (size - 1):
        raise UsageError(f"--size {size}: a power of two >= 2 (the most accepted claims of "
                         "one kernel a block may carry)")
    if not args.ptau and args.unsafe_srs is None:
        raise UsageError("give two powers-of-tau files of independent ceremonies: --ptau A "
                         "--ptau B (or --unsafe-srs SEED for a demo chain)")
    srs = aggregation_srs_from_args(args, size)
    key = srs.verifier_key()
    with open_chain(args.chain, write=True) as store:
        store.save_aggregation_key(key)
    out.line(f"aggregation key  {key.digest().hex()} (up to {size} claims per kernel per "
             "block)")
    if srs.unsafe:
        out.line("WARNING: an UNSAFE SRS derived from a seed: anyone who knows the seed can "
                 "forge aggregates; for tests and demos only")
    out.set(aggregation_key=key.digest().hex(), size=size, unsafe=srs.unsafe)
    return 0


def add_chain_parser(sub: argparse._SubParsersAction) -> None:
    """Register chain init and chain aggregation."""
    p = sub.add_parser("chain", help="create a rollup chain (a file or a PostgreSQL database)")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{init,aggregation}")
    q = verbs.add_parser("init", help="a new chain at genesis (refuses an existing file or "
                         "chain tables)")
    q.add_argument("chain", nargs="?", help="the chain to create: an SQLite file (e.g. "
                   "chain.db) or a postgresql:// URL (its database gets the chain's tables)")
    q.add_argument("--chain", dest="chain_option", metavar="CHAIN",
                   help="the same, as an option")
    for name, text in _GENESIS_OPTIONS.items():
        default = getattr(DEFAULT_PARAMS, name)
        if name == "proposal_min_stake":
            default //= TOKEN
        q.add_argument("--" + name.replace("_", "-"), type=int, default=None,
                       help=f"{text} (default {default})")
    q.add_argument("--grant", type=_grant, action="append", metavar="ADDRESS=TOKENS",
                   help="a genesis balance taken from the pool (repeatable): the chain's "
                        "initial distribution, so that someone can pay the first fee")
    q.add_argument("--chain-id", type=chain_id_arg, default=DEFAULT_CHAIN_ID,
                   help="the chain id every transaction's signature names (default "
                        f"{DEFAULT_CHAIN_ID}, a development chain: pick your own)")
    q.set_defaults(run=cmd_chain_init)
    q = verbs.add_parser("aggregation",
                         help="make the chain's blocks carry SnarkPack aggregates of their "
                              "claims (before block 0)")
    q.add_argument("--chain", required=True, help="SQLite chain file (`zkcx chain init`)")
    q.add_argument("--ptau", action="append", default=[],
                   help="a powers-of-tau file (.ptau); give two, of independent ceremonies, "
                        "each of power >= log2(size) + 1")
    q.add_argument("--unsafe-srs", metavar="SEED",
                   help="UNSAFE, demos only: an SRS derived from SEED instead of --ptau")
    q.add_argument("--size", type=int, default=1024,
                   help="the most accepted claims of one kernel a block may carry, a power "
                        "of two (default 1024)")
    q.set_defaults(run=cmd_chain_aggregation)


def _grant(text: str) -> tuple[str, int]:
    """ADDRESS=TOKENS as (EIP-55 address, base units)."""
    address, sep, amount = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r} is not ADDRESS=TOKENS")
    return address_arg(address.strip()), parse_tokens(amount.strip())


