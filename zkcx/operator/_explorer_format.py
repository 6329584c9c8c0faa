# SPDX-License-Identifier: MIT
"""How the explorer writes numbers, times and hashes, and reads what a visitor types in
a URL. Amounts stay integers (base units) until they are written: ``tokens`` writes them
exactly, with all 18 decimals a token has where they are needed."""

from __future__ import annotations

import datetime
import urllib.parse

from zkcx.accounts import Address
from zkcx.errors import AddressError
from zkcx.rewards import TOKEN

#: TOKEN = 10**DECIMALS base units
DECIMALS = len(str(TOKEN)) - 1
#: Longest decimal a URL may give for a height, an id or a page (2^63 has 19 digits).
_MAX_DIGITS = 19


def tokens(amount: int) -> str:
    """``amount`` base units as tokens, exactly: the whole part with thousands separators
    and as many of the 18 decimals as are not trailing zeros ("1,234.5",
    "0.000000000000000001", "7")."""
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), TOKEN)
    text = f"{sign}{whole:,}"
    if frac:
        text += "." + f"{frac:0{DECIMALS}d}".rstrip("0")
    return text


def utc(timestamp: int) -> str:
    """A block timestamp (unix seconds) as UTC date and time; the number itself when it
    is past what a calendar holds."""
    try:
        when = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return f"{timestamp} (unix time)"
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def short(data: bytes | str, keep: int = 8) -> str:
    """A hash (bytes or hex) cut to its first ``keep`` hex digits and an ellipsis."""
    text = data.hex() if isinstance(data, bytes) else data
    return text if len(text) <= keep + 1 else text[:keep] + "…"


def short_address(address: str) -> str:
    """0x1234…abcd: an address as people glance at it (the full one goes in links)."""
    return address if len(address) <= 14 else f"{address[:6]}…{address[-4:]}"


def url_part(text: str) -> str:
    """``text`` quoted for one URL path segment (a model id may hold any character)."""
    return urllib.parse.quote(text, safe="")


def count(text: str | None, default: int | None = None) -> int | None:
    """A decimal count from a URL (a height, a task id, a page): digits only, no sign,
    at most 19 of them; ``default`` when ``text`` is None; None when it is not one."""
    if text is None:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_DIGITS:
        return None
    return int(text)


def address(text: str) -> tuple[str | None, str]:
    """(EIP-55 address, "") of an address typed in a URL, or (None, why it is not one)."""
    try:
        return str(Address.from_hex(text)), ""
    except AddressError as exc:
        return None, str(exc)
