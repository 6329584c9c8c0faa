# SPDX-License-Identifier: MIT
"""Binary Merkle tree over SHA-256 with domain-separated leaves and nodes (the tree shape of
RFC 6962, Certificate Transparency):

- leaf hash  = SHA-256(0x00 ‖ payload)
- node hash  = SHA-256(0x01 ‖ left ‖ right)
- MTH([])    = SHA-256(b"")
- MTH([d])   = leaf hash of d
- MTH(D[n])  = node hash of MTH(D[0:k]) and MTH(D[k:n]), k the largest power of two < n.

Unbalanced trees need no padding or duplicated leaves, so no two different leaf lists share
a root (the duplication weakness of Bitcoin's tree does not arise).
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableSequence, Sequence
from typing import Any

from zkcx.errors import EncodingError

_sha256 = hashlib.sha256
EMPTY_ROOT = _sha256(b"").digest()


def leaf_hash(payload: bytes) -> bytes:
    """SHA-256(0x00 ‖ payload)."""
    return _sha256(b"\x00" + payload).digest()


def put_record(records: MutableSequence[Any], leaves: MutableSequence[bytes], index: int,
               record: Any) -> None:
    """Store ``record`` (anything with ``leaf_payload()``) at ``index`` of an id-indexed
    record list and its leaf-hash cache ``leaves``: appended when ``index`` is the next
    id, else replacing the record there."""
    leaf = leaf_hash(record.leaf_payload())
    if index == len(records):
        records.append(record)
        leaves.append(leaf)
    else:
        records[index] = record
        leaves[index] = leaf


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return _sha256(b"\x01" + left + right).digest()


def merkle_root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaves given by their leaf hashes (see the module docstring)."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    level = list(hashes)
    if n & (n - 1) == 0:  # a perfect tree: pair up level by level
        while len(level) > 1:
            level = [_sha256(b"\x01" + level[i] + level[i + 1]).digest()
                     for i in range(0, len(level), 2)]
        return level[0]
    k = 1 << ((n - 1).bit_length() - 1)
    return node_hash(merkle_root_of_hashes(level[:k]), merkle_root_of_hashes(level[k:]))


def merkle_root(payloads: Sequence[bytes]) -> bytes:
    """MTH over leaves given by their payload bytes, in the order given: the claims root
    and the models root (32-byte hashes as payloads) and the market's roots."""
    for payload in payloads:
        if not isinstance(payload, (bytes, bytearray)):
            raise EncodingError(f"Merkle leaves are bytes, not {type(payload).__name__}")
    return merkle_root_of_hashes([leaf_hash(bytes(p)) for p in payloads])
