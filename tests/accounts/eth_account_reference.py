# SPDX-License-Identifier: MIT
"""The independent EIP-712 reference: eth_account's encoder for a zkcx domain."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from zkcx.accounts import keccak256


def eth_account_digest(primary: str, fields: Iterable[tuple[str, str]], message: Mapping,
                       chain_id: int) -> bytes:
    """The EIP-712 digest eth_account computes for ``message`` of the struct ``primary``
    with ``fields`` ((name, type) pairs) under the domain ("zkcx", "1", chain_id)."""
    from eth_account.messages import encode_typed_data

    ref = encode_typed_data(full_message={
        "types": {"EIP712Domain": [{"name": "name", "type": "string"},
                                   {"name": "version", "type": "string"},
                                   {"name": "chainId", "type": "uint256"}],
                  primary: [{"name": f, "type": t} for f, t in fields]},
        "primaryType": primary,
        "domain": {"name": "zkcx", "version": "1", "chainId": chain_id},
        "message": dict(message)})
    return keccak256(b"\x19" + ref.version + ref.header + ref.body)
