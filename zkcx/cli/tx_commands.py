# SPDX-License-Identifier: MIT
"""``zkcx tx stake|unstake|transfer``: a node signs one of its own operations into a
transaction file (``zkcx-tx-v1``, see ``zkcx.cli._txfile``) for the operator, who
includes it with ``zkcx block build --tx FILE`` without anyone's key.

The acting account is the key's (``--key-file``, or ``--keystore`` and ``--account``).
The signature names the chain id and the account's nonce: both from ``--chain`` (read
only: the chain's id and the account's next nonce), or given offline with ``--chain-id``
and ``--nonce`` (``--nonce`` also overrides the chain's, to sign several transactions
for one block: the builder takes a sender's transactions in block order, so number them
consecutively)."""

from __future__ import annotations

import argparse

from zkcx.cli._args import chain_id_arg, nonnegative, parse_tokens
from zkcx.cli._keys import KeyRing, add_key_arguments, has_keys
from zkcx.cli._output import Reporter
from zkcx.cli._txfile import check_tx_output, write_tx
from zkcx.cli.errors import UsageError
from zkcx.errors import InvalidOperationError, SignatureError
from zkcx.rewards import Stake, Transfer, Unstake
from zkcx.rewards.operations import Operation
from zkcx.rollup import MalformedOperationError, SignedOperation, chain_domain


def add_signing_arguments(parser: argparse.ArgumentParser, *, needs_chain: bool = False,
                          account_help: str = "the acting account (a key of --keystore)"
                          ) -> None:
    """--chain / --chain-id / --nonce, the key arguments and -o of a transaction
    command."""
    if needs_chain:
        parser.add_argument("--chain", required=True,
                            help="the chain, an SQLite file or a postgresql:// URL (read only): "
                                 "its chain id, state and the "
                                 "account's next nonce")
    else:
        parser.add_argument("--chain", help="the chain, an SQLite file or a postgresql:// URL "
                                            "(read only): its chain id and the account's "
                                            "next nonce")
        parser.add_argument("--chain-id", type=chain_id_arg,
                            help="the chain id, offline (instead of --chain)")
    parser.add_argument("--nonce", type=nonnegative,
                        help="the account's nonce (default: its next one on --chain)")
    add_key_arguments(parser, account_help=account_help)
    parser.add_argument("-o", "--output", required=True,
                        help="transaction file to write, for `zkcx block build --tx`")


def signing_key(args: argparse.Namespace):
    """The acting account's key (the output path checked first: nothing is decrypted for
    a command that cannot write its result)."""
    check_tx_output(args.output)
    if not has_keys(args):
        raise UsageError("a transaction is signed by its acting account: pass --key-file "
                         "FILE, or --keystore DIR and --account ADDRESS (password: "
                         "--password-file or ZKCX_PASSWORD)")
    return KeyRing(args).signer()


def load_chain(path: str):
    """A chain file's chain id and ledger (the market's accountant; read only)."""
    from zkcx.cli.chain_commands import open_chain

    with open_chain(path) as store:
        return store.chain_id(), store.load_state().ledger


def chain_id_and_nonce(args: argparse.Namespace, actor: str,
                       loaded: tuple | None = None) -> tuple[int, int]:
    """The chain id and nonce to sign with: ``--chain``'s (``loaded``: its chain id and
    accountant, when the caller has read them) unless given offline."""
    chain_id, nonce = getattr(args, "chain_id", None), args.nonce
    if args.chain:
        stored_id, accountant = loaded or load_chain(args.chain)
        if chain_id is not None and chain_id != stored_id:
            raise UsageError(f"--chain-id {chain_id} is not the chain's ({stored_id})")
        chain_id = stored_id
        if nonce is None:
            nonce = accountant.account(actor).nonce
    if chain_id is None or nonce is None:
        raise UsageError("a signature names the chain and the account's nonce: pass --chain "
                         "CHAIN, or --chain-id N and --nonce N")
    return chain_id, nonce


def sign_and_write(args: argparse.Namespace, out: Reporter, signer, operation: Operation,
                   chain_id: int, nonce: int) -> SignedOperation:
    """Sign ``operation`` for ``chain_id`` with ``nonce``, write the file, report it."""
    try:
        signed = SignedOperation.sign(operation, nonce, signer, chain_domain(chain_id))
    except (SignatureError, MalformedOperationError) as exc:
        raise UsageError(f"cannot sign: {exc}") from None
    write_tx(args.output, signed, chain_id)
    summary = signed.to_json()
    out.line(f"transaction     {args.output}")
    out.line(f"operation       {summary['op']} by {signed.actor}")
    out.line(f"signed          chain id {chain_id}, nonce {nonce}")
    out.line(f"hash            {summary['hash']}")
    out.set(transaction=summary, chain_id=chain_id)
    return signed


def sign_operation(args: argparse.Namespace, out: Reporter, signer, operation: Operation,
                   loaded: tuple | None = None) -> SignedOperation:
    """Sign ``operation`` of the key's account with the chain id and nonce of
    ``chain_id_and_nonce`` (``loaded``: as there), write the file, report it."""
    chain_id, nonce = chain_id_and_nonce(args, str(signer.address), loaded)
    return sign_and_write(args, out, signer, operation, chain_id, nonce)


def cmd_tx(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a stake, unstake or transfer of the key's account."""
    signer = signing_key(args)
    actor = str(signer.address)
    try:
        if args.verb == "stake":
            op: Operation = Stake(actor, args.amount)
        elif args.verb == "unstake":
            op = Unstake(actor, args.amount)
        else:
            op = Transfer(actor, args.to, args.amount)
        SignedOperation(op)  # accounts are addresses in their EIP-55 spelling
    except (InvalidOperationError, MalformedOperationError) as exc:
        raise UsageError(f"bad {args.verb}: {exc}") from None
    sign_operation(args, out, signer, op)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register tx stake|unstake|transfer."""
    p = sub.add_parser("tx", help="sign a stake, unstake or transfer into a transaction file")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="{stake,unstake,transfer}")
    for verb, text in (("stake", "move tokens of the balance into the stake"),
                       ("unstake", "start unbonding tokens of the stake"),
                       ("transfer", "send tokens of the balance to another account")):
        q = verbs.add_parser(verb, help=text)
        if verb == "transfer":
            q.add_argument("to", help="the receiving account's address (EIP-55)")
        q.add_argument("amount", type=parse_tokens, help="tokens (decimals allowed)")
        add_signing_arguments(q)
        q.set_defaults(run=cmd_tx)
