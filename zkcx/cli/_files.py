# SPDX-License-Identifier: MIT
"""Every file the ``zkcx`` command reads goes through here: one place that refuses
what is not a readable regular file of a sane size (a missing path, a directory, a FIFO
or device, an unreadable file, a huge one), decodes text as UTF-8 and JSON safely, and
turns a decoder's complaint into a ``UsageError`` naming the argument and the file.

Nothing here writes: a command that only reads never creates or changes a file."""

from __future__ import annotations

import os
import pathlib
import stat
from collections.abc import Callable
from typing import Any, TypeVar

from zkcx.cli.errors import UsageError
from zkcx.errors import FileFormatError, ZkcxError
from zkcx.io import jsontext

T = TypeVar("T")

#: JSON inputs (keys, proofs, public signals, claims, kernel inputs) larger than this
#: are refused before reading: the largest real one (a 2^20-signal public.json) is ~80 MB
MAX_JSON_BYTES = 256 << 20
#: TOML kernel specs are a few lines
MAX_TOML_BYTES = 1 << 20
#: binary inputs (.zkey, .r1cs, .wtns) larger than this are refused before reading
MAX_BINARY_BYTES = 1 << 36
#: the errors a decoder raises on bad content: a ZkcxError (zkcx itself raises no bare
#: builtin, tests/test_errors.py) or a builtin from a library it decodes with (numpy,
#: struct, json); caught only around one decode call
_DECODE_ERRORS = (ZkcxError, ValueError, TypeError, KeyError, IndexError, OverflowError,
                  RecursionError, EOFError)


def _describe(what: str, path: str) -> str:
    return f"{what} {path!r}"


def checked_path(path: str | os.PathLike, what: str) -> pathlib.Path:
    """``path`` if it names an existing regular file; a ``UsageError`` saying what is
    wrong otherwise (missing, a directory, a FIFO/socket/device, an unusable path)."""
    text = os.fspath(path)
    if not text:
        raise UsageError(f"{what}: an empty path")
    try:
        st = os.stat(text)
    except FileNotFoundError:
        raise UsageError(f"{_describe(what, text)} does not exist") from None
    except OSError as exc:
        raise UsageError(f"{_describe(what, text)} cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UsageError(f"{_describe(what, text)} is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{_describe(what, text)} is not a regular file (a FIFO, socket "
                         "or device)")
    return pathlib.Path(text)


def read_bytes(path: str | os.PathLike, what: str, *, max_bytes: int | None = None,
               magic: bytes | None = None) -> bytes:
    """The bytes of a regular file. ``max_bytes``: refuse larger files before reading;
    ``magic``: refuse a file not starting with these bytes before reading the rest."""
    p = checked_path(path, what)
    name = _describe(what, os.fspath(path))
    max_bytes = MAX_BINARY_BYTES if max_bytes is None else max_bytes
    try:
        with open(p, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise UsageError(f"{name} is {size:,} bytes, larger than any valid one "
                                 f"({max_bytes:,} at most)")
            if magic is not None:
                head = fh.read(len(magic))
                if head != magic:
                    raise UsageError(f"{name} does not start with {magic!r}, as every one "
                                     f"does (it starts with {head[:8]!r})")
                return head + fh.read()
            return fh.read()
    except OSError as exc:
        raise UsageError(f"{name} cannot be read: {exc.strerror or exc}") from None
    except MemoryError:
        raise UsageError(f"{name} is too large to load into memory") from None


def mappable_path(path: str | os.PathLike, what: str, magic: bytes) -> pathlib.Path:
    """``path`` if it names a readable regular file starting with ``magic``, for a reader
    that maps the file itself (``groth16.read_zkey``, ``r1cs.read_wtns``) instead of
    having it read here."""
    head = read_head(path, what, len(magic))
    if head != magic:
        raise UsageError(f"{_describe(what, os.fspath(path))} does not start with {magic!r}, "
                         f"as every one does (it starts with {head[:8]!r})")
    return pathlib.Path(os.fspath(path))


def read_head(path: str | os.PathLike, what: str, n: int) -> bytes:
    """The first ``n`` bytes of a regular file (fewer if it is shorter)."""
    p = checked_path(path, what)
    try:
        with open(p, "rb") as fh:
            return fh.read(n)
    except OSError as exc:
        raise UsageError(f"{_describe(what, os.fspath(path))} cannot be read: "
                         f"{exc.strerror or exc}") from None


def read_text(path: str | os.PathLike, what: str, max_bytes: int = MAX_JSON_BYTES) -> str:
    """A UTF-8 text file (a UTF-8 byte-order mark is allowed; UTF-16 and binary data are
    refused)."""
    data = read_bytes(path, what, max_bytes=max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = " (it looks like UTF-16)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise UsageError(f"{_describe(what, os.fspath(path))} is not UTF-8 text{hint}: byte "
                         f"{exc.start} is {data[exc.start:exc.start + 1]!r}") from None


def parse_json(text: str, name: str) -> Any:
    """JSON text to Python values, with the library's bounds (``zkcx.io.jsontext``:
    nesting depth, integer digits); any problem is a ``UsageError`` naming ``name``."""
    try:
        return jsontext.loads(text, name)
    except FileFormatError as exc:
        raise UsageError(str(exc)) from None


def read_json(path: str | os.PathLike, what: str) -> Any:
    """A JSON file's value (UTF-8, bounded size and nesting)."""
    return parse_json(read_text(path, what), _describe(what, os.fspath(path)))


def decode(path: str | os.PathLike, what: str, decoder: Callable[..., T], *args: Any) -> T:
    """``decoder(*args)``, with its complaints about the content of the file ``path``
    turned into a ``UsageError`` naming the file."""
    try:
        return decoder(*args)
    except UsageError:
        raise
    except _DECODE_ERRORS as exc:
        kind = type(exc).__name__
        detail = str(exc) if not isinstance(exc, KeyError) else f"missing field {exc}"
        raise UsageError(f"{_describe(what, os.fspath(path))} does not decode: "
                         f"{kind}: {detail}") from None


def output_path(path: str | os.PathLike, what: str) -> pathlib.Path:
    """A path to write: its folder must exist and the path must not be a directory."""
    p = pathlib.Path(path)
    if not os.fspath(path):
        raise UsageError(f"{what}: an empty path")
    if p.is_dir():
        raise UsageError(f"{_describe(what, os.fspath(path))} is a directory; give a file "
                         "name")
    parent = p.parent
    if not parent.is_dir():
        raise UsageError(f"{_describe(what, os.fspath(path))}: {str(parent)!r} is not an "
                         "existing folder")
    return p
