# SPDX-License-Identifier: MIT
"""``zkcx model register|show|price|freeze|retire``: registered models
(``zkcx.market.models``) from the command line.

An owner registers a model (``register``: its id, the price per inference call, the
inference kernels it is served with, each with the public input that carries the
weights' commitment, and version 0's weights commitment) and sets its price (``price``,
owner only). Freezing (no new versions) and retiring (no new inference tasks) are
governance decisions: ``freeze`` and ``retire`` sign a proposal carrying the action
(``model.freeze`` / ``model.retire``), voted on with ``zkcx gov vote`` and applied at its
activation height when it passes. Every command but ``show`` signs a transaction file
(``zkcx-tx-v1``) for ``zkcx block build --tx``; ``show`` only reads the chain."""

from __future__ import annotations

import argparse

from zkcx.cli._args import add_chain_reader, nonnegative, parse_tokens
from zkcx.cli._output import Reporter
from zkcx.cli.chain_commands import kernel_of_kind, load_market, tokens
from zkcx.cli.errors import UsageError
from zkcx.cli.gov_commands import proposal
from zkcx.cli.market_commands import _kernel_id
from zkcx.cli.tx_commands import (
    add_signing_arguments,
    sign_operation,
    signing_key,
)
from zkcx.market import FreezeModel, ModelError, RegisterModel, RetireModel, SetPrice
from zkcx.market.models import MAX_MODEL_ID_BYTES
from zkcx.params import FR_MODULUS
from zkcx.rewards.params import ClaimKind


def _model_id(text: str) -> str:
    if not text.isprintable() or not 0 < len(text.encode("utf-8", "replace")) \
            <= MAX_MODEL_ID_BYTES:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a model id (printable text "
                                         f"of 1 to {MAX_MODEL_ID_BYTES} UTF-8 bytes)")
    return text


def _serving(text: str) -> tuple[str, int]:
    kernel, sep, position = text.rpartition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"{text!r} is not KERNEL_ID:POSITION (the kernel's "
                                         "id and the public input of the weights' "
                                         "commitment)")
    return _kernel_id(kernel), nonnegative(position)


def _commitment(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        value = -1
    if not 0 <= value < FR_MODULUS:
        raise argparse.ArgumentTypeError(f"{text[:80]!r} is not a weights commitment (a "
                                         "field element, decimal or 0x hex)")
    return value


def _model(market, model_id: str, chain: str):
    model = market.models.get(model_id)
    if model is None:
        raise UsageError(f"there is no model {model_id!r} in {chain!r} "
                         f"({len(market.models)} registered)")
    return model


def _signed_model_command(args: argparse.Namespace):
    """(signing key, its address, chain id, market, model ``args.model_id``) for a
    command that signs an operation about one registered model."""
    signer = signing_key(args)
    chain_id, market, _ = load_market(args.chain)
    return (signer, str(signer.address), chain_id, market,
            _model(market, args.model_id, args.chain))


def cmd_model_register(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a RegisterModel of the key's account (the owner)."""
    signer = signing_key(args)
    owner = str(signer.address)
    chain_id, market, registry = load_market(args.chain)
    if args.model_id in market.models:
        raise UsageError(f"model {args.model_id!r} is already registered in {args.chain!r}")
    for kernel_id, position in args.serve:
        entry = kernel_of_kind(registry, kernel_id, ClaimKind.INFERENCE, "--serve", args.chain)
        why = entry.why_not_task_ready()
        if why:
            raise UsageError(f"--serve {kernel_id[:16]}…: no task can name it: {why}")
        if position not in entry.input_positions:
            raise UsageError(f"--serve {kernel_id[:16]}…:{position}: not one of the kernel's "
                             f"input positions {list(entry.input_positions)}")
    try:
        op = RegisterModel(owner, args.model_id, args.price, tuple(args.serve),
                           args.commitment)
    except ModelError as exc:
        raise UsageError(f"bad model: {exc}") from None
    sign_operation(args, out, signer, op, (chain_id, market))
    out.line(f"model           {args.model_id} at {tokens(args.price)} tokens per call")
    return 0


def cmd_model_price(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a SetPrice of the key's account (the model's owner)."""
    signer, owner, chain_id, market, model = _signed_model_command(args)
    if model.owner != owner:
        raise UsageError(f"model {args.model_id!r} is owned by {model.owner}, not by {owner}: "
                         "only its owner sets its price")
    op = SetPrice(owner, args.model_id, args.price)
    sign_operation(args, out, signer, op, (chain_id, market))
    out.line(f"price           {tokens(model.price)} -> {tokens(args.price)} tokens per call")
    return 0


def cmd_model_action(args: argparse.Namespace, out: Reporter) -> int:
    """Sign a proposal that governance freeze or retire a model."""
    signer, proposer, chain_id, market, model = _signed_model_command(args)
    action = (FreezeModel if args.verb == "freeze" else RetireModel)(args.model_id).action()
    closed = ("frozen", "retired") if args.verb == "freeze" else ("retired",)
    if model.status.value in closed:
        raise UsageError(f"model {args.model_id!r} is {model.status.value} already")
    params = market.params()
    height = market.height + 1  # if the next block includes it
    earliest = height + params.voting_period - 1 + params.min_activation_delay
    activation = earliest if args.activation_height is None else args.activation_height
    if activation < earliest:
        raise UsageError(f"--activation-height {activation} is too early: a proposal in the "
                         f"next block ({height}) is voted on for {params.voting_period} "
                         f"blocks, then {params.min_activation_delay} blocks of delay: "
                         f"{earliest} at the earliest")
    op = proposal(out, market, proposer, action, activation)
    sign_operation(args, out, signer, op, (chain_id, market))
    out.line(f"proposal        {action.kind} of {args.model_id!r}, activation at "
             f"{activation} if it passes (`zkcx gov vote`)")
    out.set(action=action.to_dict(), activation_height=activation)
    return 0


def cmd_model_show(args: argparse.Namespace, out: Reporter) -> int:
    """One model: owner, price, kernels, status, share table, versions."""
    _, market, _ = load_market(args.chain)
    model = _model(market, args.model_id, args.chain)
    view = model.to_dict()
    out.line(f"model           {model.model_id} ({model.status.value})")
    out.line(f"owner           {model.owner}")
    out.line(f"price           {tokens(model.price)} tokens per inference call")
    for k in model.kernels:
        out.line(f"kernel          {k.kernel_id} (weights at public input "
                 f"{k.weights_position})")
    for holder, share in model.shares:
        out.line(f"share           {holder} {share}")
    out.line(f"versions        {len(model.versions)} "
             f"({sum(v.accepted for v in model.versions)} accepted)")
    out.set(model=view, height=market.height)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    """Register model register|show|price|freeze|retire."""
    p = sub.add_parser("model", help="register, show, price, freeze or retire a model")
    verbs = p.add_subparsers(dest="verb", required=True,
                             metavar="{register,show,price,freeze,retire}")
    q = verbs.add_parser("register", help="sign a model registration into a transaction file")
    q.add_argument("model_id", type=_model_id, help="the model's id (printable text)")
    q.add_argument("--price", required=True, type=parse_tokens,
                   help="tokens per inference call, paid to the share table")
    q.add_argument("--serve", required=True, action="append", type=_serving,
                   metavar="KERNEL_ID:POSITION",
                   help="an inference kernel it is served with and the public input of the "
                        "weights' commitment (repeatable)")
    q.add_argument("--commitment", required=True, type=_commitment,
                   help="version 0's weights commitment (decimal or 0x hex)")
    add_signing_arguments(q, needs_chain=True)
    q.set_defaults(run=cmd_model_register)
    q = add_chain_reader(verbs, "show", "one model", cmd_model_show)
    q.add_argument("model_id", type=_model_id)
    q = verbs.add_parser("price", help="sign a new price (owner only)")
    q.add_argument("model_id", type=_model_id)
    q.add_argument("--price", required=True, type=parse_tokens,
                   help="tokens per inference call, for tasks posted from then on")
    add_signing_arguments(q, needs_chain=True)
    q.set_defaults(run=cmd_model_price)
    for verb, what in (("freeze", "no new versions"), ("retire", "no new inference tasks")):
        q = verbs.add_parser(verb, help=f"sign a governance proposal to {verb} a model "
                                        f"({what})")
        q.add_argument("model_id", type=_model_id)
        q.add_argument("--activation-height", type=nonnegative,
                       help="the block it applies from if passed (default: the earliest)")
        add_signing_arguments(q, needs_chain=True)
        q.set_defaults(run=cmd_model_action)
