# SPDX-License-Identifier: MIT
"""Accounts: Ethereum-style secp256k1 keys (a ``Signer`` holds one) and addresses,
EIP-712 typed signatures and keystore v3 key files. Every state change of the chain is
signed by the account it affects; this layer says who signed what, and nothing about what it means.

    from zkcx.accounts import Signer, Domain, StructType, recover

    alice = Signer.generate()
    domain = Domain("zkcx", "1", chain_id=1337)
    Transfer = StructType("Transfer", (("sender", "address"), ("to", "address"),
                                       ("amount", "uint256"), ("nonce", "uint64")))
    message = {"sender": alice.address, "to": alice.address, "amount": 5, "nonce": 0}
    signature = alice.sign(domain.digest(Transfer, message))
    assert recover(domain.digest(Transfer, message), signature) == alice.address
"""

from zkcx.accounts.keys import SECP256K1_N, Address, Signature, Signer, keccak256, recover
from zkcx.accounts.keystore import Keystore, decrypt_key, encrypt_key, read_key_file
from zkcx.accounts.typed_data import DOMAIN_TYPE, Domain, StructType

__all__ = [
    "DOMAIN_TYPE",
    "SECP256K1_N",
    "Address",
    "Domain",
    "Keystore",
    "Signature",
    "Signer",
    "StructType",
    "decrypt_key",
    "encrypt_key",
    "keccak256",
    "read_key_file",
    "recover",
]
