# SPDX-License-Identifier: MIT
"""The claims root: a binary SHA-256 Merkle tree over 32-byte claim hashes.

With H_t(x) = SHA-256(t || 0x00 || x) (``tagged_hash``):

* leaf_i  = H_"zkcx-merkle-leaf-v1"(h_i)
* node    = H_"zkcx-merkle-node-v1"(left || right); a level of odd length carries its
  last node up unchanged (never duplicated, so no two lists share a tree);
* root    = H_"zkcx-merkle-root-v1"(u64 n || top), top = 32 zero bytes when n = 0.

Leaves and inner nodes use different tags, and the root commits the leaf count, so a
root determines its list of hashes (up to SHA-256 collisions) — order included.
"""

from __future__ import annotations

from collections.abc import Sequence

from zkcx.errors import EncodingError
from zkcx.rollup._codec import tagged_hash

_LEAF, _NODE, _ROOT = b"zkcx-merkle-leaf-v1", b"zkcx-merkle-node-v1", b"zkcx-merkle-root-v1"


def merkle_root(hashes: Sequence[bytes]) -> bytes:
    """The 32-byte root over ``hashes`` (each 32 bytes), in the order given."""
    for h in hashes:
        if not isinstance(h, (bytes, bytearray)) or len(h) != 32:
            raise EncodingError("Merkle leaves are 32-byte hashes")
    level = [tagged_hash(_LEAF, h) for h in hashes]
    while len(level) > 1:
        nxt = [tagged_hash(_NODE, level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    top = level[0] if level else bytes(32)
    return tagged_hash(_ROOT, len(hashes).to_bytes(8, "big"), top)
