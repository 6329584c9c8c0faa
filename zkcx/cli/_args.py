# SPDX-License-Identifier: MIT
"""Argument types the commands share (argparse ``type=`` callables): account addresses,
token amounts, nonces, chain ids, bounded counts and durations. A bad value raises
``argparse.ArgumentTypeError``, which argparse reports as a usage error (exit 2). And
``add_chain_reader``, the parser of a subcommand that only reads a chain file."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

# the account, token and chain-id types are imported where they are used: the ceremony
# commands share this module's contribution arguments and load none of them


def address_arg(text: str) -> str:
    """An account address argument, as its EIP-55 text."""
    from zkcx.accounts import Address
    from zkcx.errors import AddressError

    try:
        return str(Address.from_hex(text))
    except AddressError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an account address: "
                                         f"{exc}") from None


def parse_tokens(text: str) -> int:
    """``text`` tokens (a decimal with up to 18 places) as base units; > 0."""
    import decimal  # here: every command's parser imports this module (~1-4 ms)

    from zkcx.rewards import TOKEN

    exact = decimal.Context(prec=250, traps=[decimal.InvalidOperation])  # no rounding
    try:
        value = exact.create_decimal(text) if len(text) <= 100 else None
    except decimal.InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive amount of tokens")
    units = exact.multiply(value, TOKEN)
    if units != units.to_integral_value():
        raise argparse.ArgumentTypeError(f"{text!r} has more than {len(str(TOKEN)) - 1} "
                                         "decimals")
    return int(units)


def nonnegative(text: str) -> int:
    """An int in [0, 2^64) (a nonce)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 1 << 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a nonce (an int in [0, 2^64))")
    return value


def int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type: an int in [low, high], else "TEXT is not WHAT"."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value
    return parse


def seconds_in(low: float, high: float, what: str, *, zero: bool = True
               ) -> Callable[[str], float]:
    """An argparse type: a finite float in [low, high] (``zero=False``: above ``low``),
    else "TEXT is not WHAT"."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not (math.isfinite(value) and low <= value <= high and (zero or value > low)):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value
    return parse


def chain_id_arg(text: str) -> int:
    """A chain id argument: an int in [1, 2^64)."""
    from zkcx.rollup.signing import check_chain_id

    try:
        return check_chain_id(int(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a chain id (an int in "
                                         "[1, 2^64))") from None


def add_chain_reader(verbs: argparse._SubParsersAction, verb: str, help: str,
                     run) -> argparse.ArgumentParser:
    """The parser of subcommand ``verb`` that only reads a chain file: ``--chain``
    (required, opened read only), run by ``run``; add its own arguments to the parser it
    returns."""
    q = verbs.add_parser(verb, help=help)
    q.add_argument("--chain", required=True,
                   help="the chain: an SQLite file or a postgresql:// URL (read only)")
    q.set_defaults(run=run)
    return q


def snarkjs_value(text: str) -> str:
    """An option value as snarkjs users type it: ``-n=NAME`` reaches argparse as "=NAME"."""
    return text[1:] if text.startswith("=") else text


def beacon_hash_arg(text: str) -> bytes:
    """A beacon's public random value: hexadecimal, an optional 0x before it."""
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"beacon hash {text!r} is not hexadecimal") from None


def add_contributor_options(parser: argparse.ArgumentParser, *, entropy: bool) -> None:
    """``--name`` (and ``--entropy``) of a ceremony contribution, in snarkjs's ``-n=`` form
    too; shared by ``ptau`` and ``zkey``."""
    parser.add_argument("--name", "-n", default="", type=snarkjs_value,
                        help="the contributor's name in the transcript (its first 64 "
                             "characters)")
    if entropy:
        parser.add_argument("--entropy", "-e", default=None, type=snarkjs_value,
                            help="extra random text, mixed with the OS's randomness")


def add_beacon_arguments(parser: argparse.ArgumentParser) -> None:
    """``BEACON_HASH ITERATIONS_EXP [--name]`` of a beacon contribution (after the files)."""
    parser.add_argument("beacon_hash", type=beacon_hash_arg,
                        help="the public random value, hexadecimal (1 to 255 bytes)")
    parser.add_argument("iterations_exp", type=int,
                        help="log2 of the SHA-256 iterations applied to it (10 to 63)")
    add_contributor_options(parser, entropy=False)
