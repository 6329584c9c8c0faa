# SPDX-License-Identifier: MIT
"""``zkcx account new|list|show``: a node's keys in a keystore directory (keystore v3
files, Ethereum's format: one encrypted JSON file per account) and what a chain holds
for an account. ``list`` and ``show`` only read."""

from __future__ import annotations

import argparse
import os
import pathlib

from zkcx.accounts import Address, Keystore
from zkcx.cli._args import address_arg
from zkcx.cli._keys import PASSWORD_ENV, read_password
from zkcx.cli._output import Reporter
from zkcx.cli.errors import UsageError
from zkcx.errors import KeystoreError

#: --light: PBKDF2-SHA256 with this many iterations (instead of scrypt): fast to
#: decrypt, so only for test and demo keys
LIGHT_ITERATIONS = 1000


def _keystore_dir(path: str, *, create: bool = False) -> Keystore:
    """The keystore directory ``path``: it must exist (``create``: or its parent must)."""
    p = pathlib.Path(path)
    if not path:
        raise UsageError("--keystore: an empty path")
    if p.is_dir():
        return Keystore(p)
    if os.path.lexists(p):
        raise UsageError(f"keystore {path!r} is not a directory")
    if not create:
        raise UsageError(f"keystore {path!r} does not exist (`zkcx account new --keystore "
                         f"{path}` makes it)")
    if not p.parent.is_dir():
        raise UsageError(f"keystore {path!r}: {str(p.parent)!r} is not an existing folder")
    return Keystore(p)


def cmd_account_new(args: argparse.Namespace, out: Reporter) -> int:
    """A fresh key, encrypted into a new file of the keystore; prints its address."""
    password = read_password(args)
    if not password:
        raise UsageError("the key's password is empty: give one (--password-file or "
                         f"{PASSWORD_ENV})")
    keystore = _keystore_dir(args.keystore, create=True)
    try:
        if args.light:
            signer = keystore.new(password, kdf="pbkdf2", iterations=LIGHT_ITERATIONS)
        else:
            signer = keystore.new(password)
    except (KeystoreError, OSError) as exc:
        raise UsageError(f"keystore {args.keystore!r}: {exc}") from None
    address = str(signer.address)
    out.line(address)
    out.set(address=address, key_file=str(keystore.find(signer.address)),
            kdf="pbkdf2" if args.light else "scrypt")
    return 0


def cmd_account_list(args: argparse.Namespace, out: Reporter) -> int:
    """The accounts whose keys the keystore holds (oldest first)."""
    addresses = [str(a) for a in _keystore_dir(args.keystore).addresses()]
    for address in addresses:
        out.line(address)
    if not addresses:
        out.line(f"(keystore {args.keystore} holds no keys)")
    out.set(accounts=addresses)
    return 0


def cmd_account_show(args: argparse.Namespace, out: Reporter) -> int:
    """With --keystore: whether its key is there; with --chain: the account's state."""
    if not args.keystore and not args.chain:
        raise UsageError("say where to look: --chain CHAIN (the account's state) and/or "
                         "--keystore DIR (whether its key is there)")
    address = args.address
    out.line(f"account         {address}")
    out.set(address=address)
    if args.keystore:
        found = _keystore_dir(args.keystore).find(Address.from_hex(address))
        out.line(f"key             {found if found else 'not in ' + args.keystore}")
        out.set(key_file=None if found is None else str(found))
    if args.chain:
        from zkcx.cli.chain_commands import open_chain, tokens

        with open_chain(args.chain) as store:
            accountant = store.load_state().ledger
        acc = accountant.account(address)
        tier = accountant.tier_of(address).name
        known = address in accountant.accounts
        for label, value in (("balance", tokens(acc.balance)), ("stake", tokens(acc.stake)),
                             ("unbonding", tokens(acc.unbonding_total)),
                             ("reputation", acc.reputation), ("tier", tier),
                             ("nonce", f"{acc.nonce} (the next transaction's)")):
            out.line(f"{label:<16}{value}")
        if not known:
            out.line("                (no transaction or claim of it on the chain yet)")
        out.set(known=known, balance=str(acc.balance), stake=str(acc.stake),
                unbonding=str(acc.unbonding_total), reputation=acc.reputation, tier=tier,
                nonce=acc.nonce, height=accountant.height)
    if args.keystore and out.result.get("key_file") is None:
        return 1
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register account new|list|show."""
    p = sub.add_parser("account", help="node keys (keystore v3) and account state")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{new,list,show}")
    q = verbs.add_parser("new", help="a new key in a keystore directory; prints its address")
    q.add_argument("--keystore", required=True,
                   help="keystore directory (made if missing; its parent must exist)")
    q.add_argument("--password-file",
                   help=f"file whose first line is the new key's password (default: the "
                        f"{PASSWORD_ENV} environment variable)")
    q.add_argument("--light", action="store_true",
                   help=f"encrypt with PBKDF2 ({LIGHT_ITERATIONS} iterations) instead of "
                        "scrypt: fast, and weak; for tests and demos only")
    q.set_defaults(run=cmd_account_new)
    q = verbs.add_parser("list", help="the accounts whose keys a keystore holds")
    q.add_argument("--keystore", required=True, help="keystore directory (read only)")
    q.set_defaults(run=cmd_account_list)
    q = verbs.add_parser("show", help="an account's balance, stake, unbonding, reputation, "
                                      "tier and nonce on a chain; or whether a keystore "
                                      "holds its key (exit 1 if not)")
    q.add_argument("address", type=address_arg, help="the account's address")
    q.add_argument("--chain", help="the chain: an SQLite file or a postgresql:// URL "
                                    "(read only)")
    q.add_argument("--keystore", help="keystore directory (read only)")
    q.set_defaults(run=cmd_account_show)
