# SPDX-License-Identifier: MIT
"""Accounts against independent references: eth-keys/eth-account (Ethereum's Python
libraries) for addresses, recovery and EIP-712 digests, EIP-55's own examples, and the
Web3 Secret Storage test vector for key files."""

from __future__ import annotations

import contextlib
import json
import os
import stat

import pytest
from eth_account import Account as EthAccount
from eth_keys import keys as eth_keys
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.accounts.eth_account_reference import eth_account_digest
from zkcx.accounts import (
    SECP256K1_N,
    Address,
    Domain,
    Keystore,
    Signature,
    Signer,
    StructType,
    decrypt_key,
    encrypt_key,
    keccak256,
    recover,
)
from zkcx.errors import AddressError, KeystoreError, SignatureError, TypedDataError

private_keys = st.integers(1, SECP256K1_N - 1).map(lambda k: k.to_bytes(32, "big"))
digests = st.binary(min_size=32, max_size=32)


def test_keccak256_is_ethereums_not_sha3():
    # keccak256("") as every Ethereum client knows it (differs from NIST SHA3-256)
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


@settings(max_examples=30, deadline=None)
@given(private_keys)
def test_address_equals_eth_account(key):
    assert str(Signer(key).address) == EthAccount.from_key(key).address


@pytest.mark.parametrize("text", [
    # the examples of EIP-55 itself
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
])
def test_eip55_examples(text):
    address = Address.from_hex(text)
    assert str(address) == text
    assert Address.from_hex(text.lower()) == address == Address.from_hex("0x" + text[2:].upper())
    # one letter's case flipped: the checksum catches it
    i = next(i for i in range(2, 42) if text[i].isalpha())
    flipped = text[:i] + text[i].swapcase() + text[i + 1:]
    with pytest.raises(AddressError, match="checksum"):
        Address.from_hex(flipped)


@pytest.mark.parametrize("bad", ["", "0x", "0x" + "g" * 40, "0x" + "00" * 19, "00" * 21, 5, None])
def test_malformed_addresses(bad):
    with pytest.raises(AddressError):
        Address.from_hex(bad)


@settings(max_examples=30, deadline=None)
@given(private_keys, digests)
def test_sign_and_recover_against_eth_keys(key, digest):
    account = Signer(key)
    signature = account.sign(digest)
    assert recover(digest, signature) == account.address
    assert signature.s <= SECP256K1_N // 2
    reference = eth_keys.Signature(vrs=(signature.v, signature.r, signature.s))
    public = reference.recover_public_key_from_msg_hash(digest)
    assert public.to_checksum_address() == str(account.address)
    assert Signature.from_bytes(bytes(signature)) == signature


@settings(max_examples=20, deadline=None)
@given(private_keys, digests, digests)
def test_a_signature_names_nobody_else(key, digest, other):
    signature = Signer(key).sign(digest)
    if other != digest:
        with contextlib.suppress(SignatureError):  # no key at all fits: not the signer
            assert recover(other, signature) != Signer(key).address


def test_high_s_and_malformed_signatures_are_refused():
    account = Signer.generate()
    digest = keccak256(b"message")
    sig = account.sign(digest)
    twin_s = (SECP256K1_N - sig.s).to_bytes(32, "big")
    high = sig.r.to_bytes(32, "big") + twin_s + bytes([1 - sig.v])
    # the high-s twin is a valid ECDSA signature for the same key ...
    twin = eth_keys.Signature(high).recover_public_key_from_msg_hash(digest)
    assert twin.to_canonical_address() == bytes(account.address)
    # ... and refused, so a signed transaction's bytes cannot be changed without the key
    with pytest.raises(SignatureError, match="high-s"):
        Signature.from_bytes(high)
    for bad in (b"", bytes(64), bytes(66), bytes(65), bytes(sig)[:64] + b"\x1b"):
        with pytest.raises(SignatureError):
            Signature.from_bytes(bad)
    with pytest.raises(SignatureError):
        recover(b"short", sig)


def test_private_key_range_and_repr():
    for bad in (bytes(32), SECP256K1_N.to_bytes(32, "big"), b"\x01" * 31):
        with pytest.raises(SignatureError):
            Signer(bad)
    account = Signer.generate()
    assert account.private_key.hex() not in repr(account)


TRANSFER = StructType("Transfer", (("sender", "address"), ("to", "address"),
                                   ("amount", "uint256"), ("nonce", "uint64"),
                                   ("memo", "string"), ("tag", "bytes32"),
                                   ("data", "bytes"), ("values", "uint256[]"),
                                   ("flag", "bool")))


@settings(max_examples=25, deadline=None)
@given(private_keys, st.integers(0, 2**256 - 1), st.integers(0, 2**64 - 1),
       st.text(max_size=20), st.binary(min_size=32, max_size=32), st.binary(max_size=40),
       st.lists(st.integers(0, 2**256 - 1), max_size=5), st.booleans(),
       st.integers(1, 2**64))
def test_typed_digest_equals_eth_account(key, amount, nonce, memo, tag, data, values, flag,
                                         chain_id):
    sender = Signer(key).address
    to = Address(keccak256(key)[:20])
    message = {"sender": sender, "to": to, "amount": amount, "nonce": nonce, "memo": memo,
               "tag": tag, "data": data, "values": values, "flag": flag}
    domain = Domain("zkcx", "1", chain_id)
    ours = domain.digest(TRANSFER, message)
    assert ours == eth_account_digest("Transfer", TRANSFER.fields,
                                      {**message, "sender": str(sender), "to": str(to)}, chain_id)


def test_domain_and_type_separate_signatures():
    alice = Signer.generate()
    stake = StructType("Stake", (("sender", "address"), ("amount", "uint256"), ("nonce", "uint64")))
    unstake = StructType("Unstake", stake.fields)
    msg = {"sender": alice.address, "amount": 10, "nonce": 0}
    main = Domain("zkcx", "1", 1)
    digest = main.digest(stake, msg)
    sig = alice.sign(digest)
    others = [Domain("zkcx", "1", 2).digest(stake, msg),      # another chain
              Domain("zkcx", "2", 1).digest(stake, msg),      # another version
              Domain("other", "1", 1).digest(stake, msg),     # another application
              main.digest(unstake, msg)]                      # another kind, same fields
    assert len({digest, *others}) == 5
    for other in others:
        with contextlib.suppress(SignatureError):
            assert recover(other, sig) != alice.address


@pytest.mark.parametrize("fields, message", [
    ((("a", "uint8"),), {"a": 256}),
    ((("a", "uint8"),), {"a": -1}),
    ((("a", "uint8"),), {"a": True}),
    ((("a", "address"),), {"a": "0x" + "00" * 20}),
    ((("a", "bytes32"),), {"a": b"\x00" * 31}),
    ((("a", "string"),), {"a": "\ud800"}),
    ((("a", "uint256[]"),), {"a": "123"}),
    ((("a", "uint8"),), {}),
    ((("a", "uint8"),), {"a": 1, "b": 2}),
])
def test_bad_messages(fields, message):
    with pytest.raises(TypedDataError):
        Domain("zkcx", "1", 1).digest(StructType("T", fields), message)


@pytest.mark.parametrize("fields", [(("a", "uint7"),), (("a", "int8"),), (("a", "bytes33"),),
                                    (("a", "Other"),), (("a", "uint8"), ("a", "uint8"))])
def test_bad_struct_types(fields):
    with pytest.raises(TypedDataError):
        StructType("T", fields)


# The Web3 Secret Storage definition's PBKDF2 test vector (password "testpassword").
WEB3_VECTOR = {
    "crypto": {
        "cipher": "aes-128-ctr",
        "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
        "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        "kdf": "pbkdf2",
        "kdfparams": {"c": 262144, "dklen": 32, "prf": "hmac-sha256",
                      "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
        "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
    },
    "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    "version": 3,
}


def test_web3_secret_storage_vector():
    account = decrypt_key(WEB3_VECTOR, "testpassword")
    assert account.private_key.hex() == (
        "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")
    with pytest.raises(KeystoreError, match="wrong password"):
        decrypt_key(WEB3_VECTOR, "testpassword!")


def test_key_files_round_trip_and_refuse_tampering(tmp_path):
    store = Keystore(tmp_path / "keys")
    alice = store.new("pw", kdf="pbkdf2", iterations=1000)
    bob = store.new("pw2", kdf="pbkdf2", iterations=1000)
    assert set(store.addresses()) == {alice.address, bob.address}
    path = store.find(alice.address)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert store.load(alice.address, "pw").private_key == alice.private_key
    with pytest.raises(KeystoreError):
        store.load(alice.address, "pw2")
    with pytest.raises(KeystoreError):
        store.new("pw", account=alice)
    data = json.loads(path.read_text())
    text = data["crypto"]["ciphertext"]  # flip the first byte (writing "00" is no change 1 in 256)
    data["crypto"]["ciphertext"] = f"{int(text[:2], 16) ^ 0xFF:02x}" + text[2:]
    with pytest.raises(KeystoreError):
        decrypt_key(data, "pw")
    # a file whose address field names another account is refused
    data = encrypt_key(alice, "pw", kdf="pbkdf2", iterations=1000)
    data["address"] = bytes(bob.address).hex()
    with pytest.raises(KeystoreError, match="does not match"):
        decrypt_key(data, "pw")
    for junk in (5, [], {"crypto": 1}, {}):
        with pytest.raises(KeystoreError):
            decrypt_key(junk, "pw")
