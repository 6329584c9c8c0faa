# SPDX-License-Identifier: MIT
"""Signed transaction files: what ``zkcx tx`` and ``zkcx gov propose|vote`` write (the
acting node signs) and ``zkcx block build --tx`` reads (the operator includes it and
needs nobody's key). A JSON object:

    {"format": "zkcx-tx-v1",
     "chain_id": 1337,                        # the chain it is signed for
     "operation": "0x…",                      # SignedOperation.to_bytes(), hex
     "summary": {...}}                        # SignedOperation.to_json(): for people

Only ``operation`` (and ``chain_id``, checked against the chain) is read back: the
canonical bytes carry the operation, its nonce and its signature; ``summary`` is
ignored on reading (the builder re-checks everything from the bytes)."""

from __future__ import annotations

import json
import os

from zkcx.cli._files import decode, output_path, read_json
from zkcx.errors import FileFormatError
from zkcx.rollup import SignedOperation
from zkcx.rollup.signing import check_chain_id
from zkcx.rollup.transactions import MAX_OPERATION_BYTES

TX_FORMAT = "zkcx-tx-v1"


def tx_document(signed: SignedOperation, chain_id: int) -> dict:
    """The JSON object of a signed transaction file."""
    return {"format": TX_FORMAT, "chain_id": chain_id,
            "operation": "0x" + signed.to_bytes().hex(), "summary": signed.to_json()}


def _from_document(obj: object) -> tuple[SignedOperation, int]:
    if not isinstance(obj, dict) or obj.get("format") != TX_FORMAT:
        raise FileFormatError(f"not a signed transaction file (a JSON object with "
                              f"\"format\": \"{TX_FORMAT}\"; `zkcx tx` writes them)")
    chain_id = check_chain_id(obj.get("chain_id"))
    text = obj.get("operation")
    if not isinstance(text, str) or not text.startswith("0x") \
            or len(text) > 2 + 2 * MAX_OPERATION_BYTES:
        raise FileFormatError("\"operation\" must be the operation's bytes as 0x-prefixed hex")
    return SignedOperation.from_bytes(bytes.fromhex(text[2:])), chain_id


def read_tx(path: str | os.PathLike) -> tuple[SignedOperation, int]:
    """A signed transaction file: the operation and the chain id it names."""
    return decode(path, "transaction file", _from_document,
                  read_json(path, "transaction file"))


def write_tx(path: str | os.PathLike, signed: SignedOperation, chain_id: int) -> None:
    """Write a signed transaction file (the path checked by ``check_tx_output`` first)."""
    target = output_path(path, "transaction file")
    target.write_text(json.dumps(tx_document(signed, chain_id), indent=1) + "\n")


def check_tx_output(path: str | os.PathLike) -> None:
    """Refuse an unwritable output path before any work (a folder, a missing folder)."""
    output_path(path, "transaction file")
