# SPDX-License-Identifier: MIT
"""Field checks and encodings shared by the market's records and operations (tasks,
nodes, models, bills, jobs): one implementation each of the integer range check, the
leaf payloads' integer and text encodings, the JSON fields every record decodes, and
the decoding of a whole record from its JSON form."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from zkcx.errors import EncodingError
from zkcx.io.jsontext import short
from zkcx.rewards.claims import check_node_id

R = TypeVar("R")


def check_count(value: object, what: str, bound: int, error: type[Exception],
                low: int = 0) -> int:
    """``value`` when it is an int (not a bool) in [low, bound), else ``error`` saying
    so."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value < bound:
        raise error(f"{what} must be an int in [{low}, {bound}), got {short(value)}")
    return value


def checked_id(value: object, is_valid: Callable[[str], bool], error: type[Exception],
               wanted: str) -> str:
    """``value`` when it is a str that ``is_valid`` accepts (its ValueError or
    UnicodeError counting as a no); else ``error`` saying ``wanted`` and what came."""
    ok = isinstance(value, str)
    if ok:
        try:
            ok = is_valid(value)  # type: ignore[arg-type]
        except (ValueError, UnicodeError):
            ok = False
    if not ok:
        raise error(f"{wanted}, got {short(value)}")
    return value  # type: ignore[return-value]


def record_fields(d: object, names: Iterable[str], what: str) -> Mapping[str, Any]:
    """``d`` when it is a mapping with exactly the fields ``names`` (a record's JSON
    form); else an EncodingError naming ``what`` ("a task") and the fields."""
    names = set(names)
    if not isinstance(d, Mapping) or set(d) != names:
        raise EncodingError(f"{what} is an object with the fields {sorted(names)}, got "
                            f"{short(sorted(d) if isinstance(d, Mapping) else d)}")
    return d


def u(value: int, size: int) -> bytes:
    """A leaf payload's unsigned big-endian integer of ``size`` bytes."""
    return value.to_bytes(size, "big")


def text(value: str) -> bytes:
    """A leaf payload's text: u8 length ‖ UTF-8 (the texts it carries are short)."""
    raw = value.encode()
    return len(raw).to_bytes(1, "big") + raw


def node_field(value: object) -> str:
    """A record's node id field (``check_node_id``), EncodingError otherwise."""
    check_node_id(value, EncodingError)
    return value  # type: ignore[return-value]


def hex32(value: object, what: str) -> bytes:
    """A record's 32-byte field in 64 lowercase hex digits, EncodingError otherwise."""
    if isinstance(value, str) and len(value) == 64:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = b""
        if raw.hex() == value:
            return raw
    raise EncodingError(f"{what} must be 64 lowercase hex digits, got {short(value)}")


def decoded(what: str, build: Callable[[], R], name: Callable[[R], str]) -> R:
    """The record ``build()`` makes from its JSON fields, checked whole: a ValueError or
    TypeError while building it (a field of the wrong type or range) becomes
    ``EncodingError("malformed <what>: …")``, and a record whose
    ``consistency_problem()`` finds one becomes ``EncodingError("<name(record)>: …")``."""
    try:
        record = build()
    except EncodingError:
        raise
    except (ValueError, TypeError) as exc:
        raise EncodingError(f"malformed {what}: {exc}") from exc
    problem = record.consistency_problem()  # type: ignore[attr-defined]
    if problem:
        raise EncodingError(f"{name(record)}: {problem}")
    return record
