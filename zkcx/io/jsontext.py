# SPDX-License-Identifier: MIT
"""JSON text decoded with bounds, and decimal numbers parsed with bounds, for every zkcx
reader of JSON (verifying keys, proofs, public signals, claims, kernel registries,
accountant states, kernel inputs).

Python's ``json`` recurses once per nesting level (deep input raises ``RecursionError``,
or crashes once something has raised the recursion limit) and ``int()`` refuses more
than 4300 digits with a plain ``ValueError``. Here both are checked before decoding:

* nesting deeper than ``MAX_JSON_DEPTH`` (64; found by a vectorised pre-scan, no
  recursion) and integer literals longer than ``MAX_JSON_INT_DIGITS`` (1000) digits are
  refused (the deepest zkcx writes is 4: a claim's proof's pi_b);
* :func:`decimal` parses a decimal string (or a JSON int) of at most
  ``MAX_DECIMAL_DIGITS`` (100) digits into a non-negative int below a bound.

The limits live in ``zkcx.params``.

Errors are the ``error`` class the caller names (a ``ZkcxError`` subclass;
``FileFormatError`` by default), never ``ValueError``/``RecursionError`` themselves.
"""

from __future__ import annotations

import functools
import json
import os
import re
from typing import Any, BinaryIO, TextIO

from zkcx.errors import FileFormatError, ZkcxError
from zkcx.params import MAX_DECIMAL_DIGITS, MAX_JSON_DEPTH, MAX_JSON_INT_DIGITS

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


@functools.cache
def _bracket_steps() -> Any:
    """+1 for each opening bracket byte, -1 for each closing one, 0 else (a numpy table,
    made on first use: writing JSON, as ``zkcx prove`` does, loads no numpy)."""
    import numpy as np

    table = np.zeros(256, dtype=np.int8)
    table[[ord("["), ord("{")]] = 1
    table[[ord("]"), ord("}")]] = -1
    return table


def nesting_depth(text: str | bytes) -> int:
    """The deepest nesting of ``[``/``{`` outside strings (no recursion; exact for valid
    JSON, an upper-bound-ish figure for invalid text)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    stripped = _STRING.sub(b"", raw)
    if not stripped:
        return 0
    import numpy as np

    steps = _bracket_steps()[np.frombuffer(stripped, dtype=np.uint8)].astype(np.int64)
    return int(np.cumsum(steps).max(initial=0))


def _parse_int(token: str) -> int:
    digits = len(token) - token.startswith("-")
    if digits > MAX_JSON_INT_DIGITS:
        raise _TooLong(f"an integer literal of {digits} digits (at most "
                       f"{MAX_JSON_INT_DIGITS})")
    return int(token)


class _TooLong(Exception):
    """Private sentinel: ``_parse_int`` raises it from inside ``json.loads`` (whose own
    ValueErrors would hide the reason) and ``loads``, its only caller, turns it into the
    caller's ``ZkcxError``; it never leaves this module."""


def loads(data: str | bytes | bytearray | memoryview, what: str,
          error: type[ZkcxError] = FileFormatError) -> Any:
    """Decode JSON text (bytes must be UTF-8) with the bounds of the module docstring.
    Raises ``error`` (default ``FileFormatError``) saying what is wrong with ``what``."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{what}: not UTF-8 text ({exc})") from exc
    elif isinstance(data, str):
        text = data
    else:
        raise error(f"{what}: expected JSON text, got {type(data).__name__}")
    depth = nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise error(f"{what}: JSON nested {depth} levels deep (at most {MAX_JSON_DEPTH})")
    try:
        return json.loads(text, parse_int=_parse_int)
    except _TooLong as exc:
        raise error(f"{what}: {exc}") from None
    except (json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise error(f"{what}: not valid JSON ({exc})") from exc


def decimal(value: object, what: str, bound: int | None = None,
            error: type[ZkcxError] = FileFormatError, allow_int: bool = True,
            bound_name: str | None = None) -> int:
    """A non-negative int from a decimal string of ASCII digits (or, if ``allow_int``, a
    JSON int, not a bool), below ``bound`` when one is given; ``error`` otherwise."""
    if isinstance(value, bool):
        raise error(f"{what}: expected a decimal string, got {value!r}")
    if isinstance(value, int) and allow_int:
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value) > MAX_DECIMAL_DIGITS:
            raise error(f"{what}: a decimal string of {len(value)} digits (at most "
                        f"{MAX_DECIMAL_DIGITS})")
        number = int(value)
    else:
        raise error(f"{what}: expected a decimal string, got {short(value)}")
    if number < 0:
        raise error(f"{what}: {short(number)} is negative")
    if bound is not None and number >= bound:
        raise error(f"{what}: {short(number)} is not below {bound_name or bound}")
    return number


def short(value: object, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages about input."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_text(value: object, what: str, max_bytes: int, error: type[Exception], *,
               empty: bool = False) -> str:
    """``value`` when it is a str (non-empty unless ``empty``) of at most ``max_bytes``
    UTF-8 bytes; else ``error`` naming ``what``."""
    if not isinstance(value, str) or not (value or empty):
        raise error(f"{what} must be a {'' if empty else 'non-empty '}str, got {short(value)}")
    try:
        size = len(value.encode())
    except UnicodeEncodeError as exc:
        raise error(f"{what} {short(value)} is not valid UTF-8 text (a lone surrogate?)"
                    ) from exc
    if size > max_bytes:
        raise error(f"{what} is {size} UTF-8 bytes, longer than the {max_bytes} bytes allowed")
    return value


def dump(obj: Any, target: str | os.PathLike | TextIO | BinaryIO | None) -> str:
    """``obj`` as JSON text the way snarkjs writes its files (1-space indent, no trailing
    newline), written to a path or an open file (text or binary) when ``target`` is given;
    returns the text."""
    text = json.dumps(obj, indent=1)
    if target is None:
        return text
    if hasattr(target, "write"):
        try:
            target.write(text)  # type: ignore[union-attr]
        except TypeError:
            target.write(text.encode())  # type: ignore[union-attr]
    else:
        with open(target, "w", encoding="utf-8") as fh:  # type: ignore[arg-type]
            fh.write(text)
    return text


def g1_json(affine: tuple[int, int] | None) -> list[str]:
    """A G1 point in snarkjs's JSON (decimal strings, projective with z = 1; the identity
    ["0", "1", "0"]) from its canonical affine coordinates (None for the identity)."""
    if affine is None:
        return ["0", "1", "0"]
    return [str(affine[0]), str(affine[1]), "1"]


def g2_json(affine: tuple[tuple[int, int], tuple[int, int]] | None) -> list[list[str]]:
    """A G2 point in snarkjs's JSON from ((x0, x1), (y0, y1)) (None for the identity)."""
    if affine is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = affine
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def proof_json(a: tuple[int, int] | None,
               b: tuple[tuple[int, int], tuple[int, int]] | None,
               c: tuple[int, int] | None) -> dict:
    """proof.json's object (as ``snarkjs groth16 prove`` writes it) from the three points'
    affine coordinates."""
    return {"pi_a": g1_json(a), "pi_b": g2_json(b), "pi_c": g1_json(c),
            "protocol": "groth16", "curve": "bn128"}


def public_json(signals: list[int]) -> list[str]:
    """public.json's list: the signals as decimal strings."""
    return [str(int(s)) for s in signals]
