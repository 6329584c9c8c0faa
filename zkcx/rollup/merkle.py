# SPDX-License-Identifier: MIT
"""The claims root: the RFC 6962 SHA-256 Merkle tree of
``zkcx.rewards.merkle`` (the one tree zkcx has; the accountant's state root uses it too)
over 32-byte hashes as leaf payloads:

* leaf_i = SHA-256(0x00 || h_i), node = SHA-256(0x01 || left || right);
* MTH([]) = SHA-256(""), and for n > 1 the left subtree holds the largest power of two
  below n leaves — no padding, no duplicated leaf.

Leaves and nodes are domain-separated and the shape follows from n, so a root determines
its list of hashes (up to SHA-256 collisions), order and count included.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcx.errors import EncodingError
from zkcx.rewards.merkle import merkle_root as _rfc6962_root


def merkle_root(hashes: Sequence[bytes]) -> bytes:
    """The 32-byte root over ``hashes`` (each 32 bytes), in the order given."""
    for h in hashes:
        if not isinstance(h, (bytes, bytearray)) or len(h) != 32:
            raise EncodingError("Merkle leaves are 32-byte hashes")
    return _rfc6962_root([bytes(h) for h in hashes])
