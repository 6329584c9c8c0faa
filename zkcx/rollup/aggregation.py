# SPDX-License-Identifier: MIT
"""Blocks that carry SnarkPack aggregates (issue 19; docs/aggregation.md, ``zkcx.rollup.block``).

A chain that keeps an aggregation verifier key (``ChainStore.aggregation_key``) seals in
each block, per kernel key with accepted claims, the aggregate of those claims' proofs in
block order, labelled ``aggregate_label(chain id, parent hash, height, kernel id)``. This
module makes them (``block_aggregates``, with the prover's SRS), checks them against the
accepted claims' public inputs (``aggregates_problem``: never reading an individual
proof), and encodes the verifier key kept with the chain (``encode_aggregation_key``:
u32 size | g^a (G1, 64 bytes) | h^a (G2, 128) | g^b (G1) | h^b (G2), coordinates in the
zkey layout, little-endian Montgomery).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from zkcx.curve import G1, G2
from zkcx.errors import AggregationError, ArgumentTypeError, EncodingError, PointError
from zkcx.groth16 import (
    AggregateProof,
    AggregationSRS,
    AggregationVerifierKey,
    aggregate,
    verify_aggregate,
)
from zkcx.rollup.block import Aggregates, aggregate_label
from zkcx.rollup.claim import Claim, ClaimStatement
from zkcx.rollup.kernel_registry import KernelRegistry

_SIZE = struct.Struct(">I")
_KEY_BYTES = _SIZE.size + 2 * 64 + 2 * 128


def encode_aggregation_key(key: AggregationVerifierKey) -> bytes:
    """The bytes of an aggregation verifier key (module docstring)."""
    if not isinstance(key, AggregationVerifierKey):
        raise ArgumentTypeError(f"an aggregation key is a groth16.AggregationVerifierKey "
                                f"(srs.verifier_key()), got {type(key).__name__}")
    return _SIZE.pack(key.size) + b"".join(
        p.montgomery_limbs() for p in (key.g_a, key.h_a, key.g_b, key.h_b))


def decode_aggregation_key(data: bytes) -> AggregationVerifierKey:
    """Inverse of :func:`encode_aggregation_key`; ``EncodingError`` for anything else
    (points off the curve or outside G2's subgroup included)."""
    if not isinstance(data, (bytes, bytearray)) or len(data) != _KEY_BYTES:
        raise EncodingError(f"an aggregation key is {_KEY_BYTES} bytes")
    data = bytes(data)
    (size,) = _SIZE.unpack_from(data)
    if size < 2 or size & (size - 1):
        raise EncodingError(f"an aggregation key's size is a power of two >= 2, got {size}")
    points, pos = [], _SIZE.size
    for cls, n in ((G1, 64), (G2, 128), (G1, 64), (G2, 128)):
        try:
            points.append(cls.from_montgomery_limbs(data[pos:pos + n], check_subgroup=True))
        except PointError as exc:
            raise EncodingError(f"an aggregation key's point: {exc}") from None
        pos += n
    return AggregationVerifierKey(size, *points)


def _groups(accepted):
    groups: dict = {}
    for claim in accepted:
        groups.setdefault(claim.kernel_id, []).append(claim)
    return dict(sorted(groups.items()))


def block_aggregates(srs: AggregationSRS, kernels: KernelRegistry, chain_id: int,
                     parent_hash: bytes, height: int,
                     accepted: Sequence[Claim]) -> Aggregates:
    """The aggregates of a block's accepted claims (module docstring): one per kernel id,
    in increasing kernel id order, each over the claims of that key in block order."""
    if not isinstance(srs, AggregationSRS):
        raise ArgumentTypeError(f"block aggregates need a groth16.AggregationSRS, got "
                                f"{type(srs).__name__}")
    return tuple(
        (kernel_id, aggregate(srs, kernels.get(kernel_id).vk, [c.proof for c in claims],
                              [c.public_inputs for c in claims],
                              aggregate_label(chain_id, parent_hash, height, kernel_id))
         .to_bytes())
        for kernel_id, claims in _groups(accepted).items())


def aggregates_problem(key: AggregationVerifierKey | None, kernels: KernelRegistry,
                       chain_id: int, parent_hash: bytes, height: int,
                       accepted: Sequence[Claim | ClaimStatement],
                       aggregates: Aggregates) -> str | None:
    """Why a block's ``aggregates`` do not prove its ``accepted`` claims, or their
    statements (``Claim.statement``: a light view's), None when they do: without a
    ``key`` the block must carry none; with one, exactly one per kernel id of the
    accepted claims, each verifying against those claims' public inputs in block order
    under the block's label. Only public inputs are read, never a claim's proof."""
    groups = _groups(accepted)
    if key is None:
        return ("the block carries aggregates but the chain keeps no aggregation key"
                if aggregates else None)
    have = [k for k, _a in aggregates]
    if have != list(groups):
        missing = sorted(set(groups) - set(have))
        extra = sorted(set(have) - set(groups))
        return (f"the block's aggregates do not match its accepted claims' kernels "
                f"(missing {missing}, extra {extra})")
    for kernel_id, data in aggregates:
        claims = groups[kernel_id]
        try:
            proof = AggregateProof.from_bytes(data)
            ok = verify_aggregate(key, kernels.get(kernel_id).vk,
                                  [c.public_inputs for c in claims], proof,
                                  aggregate_label(chain_id, parent_hash, height, kernel_id))
        except (EncodingError, AggregationError) as exc:
            return f"the aggregate of kernel {kernel_id[:16]}… does not verify: {exc}"
        if not ok:
            return (f"the aggregate of kernel {kernel_id[:16]}… does not verify against "
                    f"its {len(claims)} accepted claims' public inputs")
    return None
