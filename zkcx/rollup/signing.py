# SPDX-License-Identifier: MIT
"""What the rollup's signatures are made over: the chain's EIP-712 domain, and account
names.

Every transaction of a chain (a claim, a stake, an unstake, a transfer, a proposal, a
vote) is signed over an EIP-712 digest in the chain's domain ``Domain("zkcx", "1",
chain_id)``. The chain id is part of the chain's genesis (the genesis hash covers it), so
a signature made for one chain recovers another address on any other chain and is
refused there. Each transaction kind has its own struct type (``Claim(...)``,
``Stake(...)``, …), so a signature of one kind never verifies as another.

Accounts are addresses: the rewards ledger is keyed by str, and on a chain that str is
the EIP-55 text of the address (``str(Address)``). Only that canonical spelling is
accepted (``account_address``): the lowercase spelling of the same address would
otherwise name a second ledger entry that the same key could act for.
"""

from __future__ import annotations

import functools

from zkcx.accounts import Address, Domain, recover
from zkcx.errors import AddressError, InvalidArgumentError, SignatureError

#: The EIP-712 domain name and signing version of every zkcx chain.
DOMAIN_NAME, DOMAIN_VERSION = "zkcx", "1"
#: The chain id a chain gets when its creator names none (a development chain: a real
#: deployment picks its own, so that its signatures count nowhere else).
DEFAULT_CHAIN_ID = 1337
_MAX_CHAIN_ID = 1 << 64


def check_chain_id(chain_id: object) -> int:
    """``chain_id`` as an int in [1, 2^64); InvalidArgumentError (a ValueError) otherwise."""
    if not isinstance(chain_id, int) or isinstance(chain_id, bool) \
            or not 0 < chain_id < _MAX_CHAIN_ID:
        raise InvalidArgumentError(f"a chain id is an int in [1, 2^64), got {chain_id!r}")
    return chain_id


def chain_domain(chain_id: int) -> Domain:
    """The signing domain of chain ``chain_id``: Domain("zkcx", "1", chain_id)."""
    return Domain(DOMAIN_NAME, DOMAIN_VERSION, check_chain_id(chain_id))


@functools.lru_cache(maxsize=1 << 16)
def _eip55(raw: bytes) -> str:
    """str(Address(raw)), remembered: a block names the same accounts again and again."""
    return str(Address(raw))


def account_address(text: object, error: type[Exception], what: str = "account") -> Address:
    """The address ``text`` names, which must be its canonical EIP-55 spelling; raises
    ``error(message)`` otherwise."""
    try:
        if not isinstance(text, str) or len(text) != 42 or not text.startswith("0x"):
            raise AddressError(f"got {text!r:.50}")
        raw = bytes.fromhex(text[2:])
        address = Address(raw)
    except (AddressError, ValueError) as exc:
        raise error(f"{what} must be an account address (0x + 40 hex digits, EIP-55): "
                    f"{exc}") from None
    if _eip55(raw) != text:  # one spelling per address
        raise error(f"{what} {text} is not in its EIP-55 checksummed spelling "
                    f"{address} (one spelling per account)")
    return address


def recovered_signer(tx, domain: Domain, what: str) -> Address:
    """The address whose key signed ``tx`` (a claim or an operation: ``signature``,
    ``digest(domain)``) in ``domain``, cached on ``tx`` per domain, failures included;
    SignatureError when it is unsigned or its signature recovers no key."""
    cache = tx.__dict__.setdefault("_signers", {})
    if domain not in cache:
        if tx.signature is None:
            raise SignatureError(f"the {what} is unsigned")
        try:
            cache[domain] = recover(tx.digest(domain), tx.signature)
        except SignatureError as exc:
            cache[domain] = exc
    out = cache[domain]
    if isinstance(out, SignatureError):
        raise out
    return out
