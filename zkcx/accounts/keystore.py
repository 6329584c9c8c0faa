# SPDX-License-Identifier: MIT
"""Encrypted key files: Ethereum's keystore v3 (Web3 Secret Storage), through
``eth-keyfile``, so node operators can move keys between zkcx and their wallets.

A keystore is a directory of files named ``UTC--<time>--<address hex>.json``, each the
JSON of one key encrypted with AES-128-CTR under a key derived from a password (scrypt by
default; ``kdf="pbkdf2"`` is faster and weaker, for tests and low-value keys), with a MAC
that makes a wrong password fail instead of yielding another key.
"""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

from zkcx.accounts.keys import Address, Signer
from zkcx.errors import AddressError, KeystoreError

#: Largest key file read: a v3 file is under 1 KB; refuse anything far larger unread.
MAX_KEYFILE_BYTES = 64 * 1024


def encrypt_key(account: Signer, password: str, kdf: str = "scrypt",
                iterations: int | None = None) -> dict:
    """The keystore v3 JSON object of ``account`` under ``password``."""
    if kdf not in ("scrypt", "pbkdf2"):
        raise KeystoreError(f"kdf must be 'scrypt' or 'pbkdf2', got {kdf!r}")
    import eth_keyfile  # here, not at the top: it loads eth_keys, eth_utils, pydantic...

    return eth_keyfile.create_keyfile_json(account.private_key, password.encode("utf-8"),
                                           kdf=kdf, iterations=iterations)


def decrypt_key(keyfile: dict, password: str) -> Signer:
    """The account in a keystore v3 object; KeystoreError on a wrong password or a
    malformed file."""
    if not isinstance(keyfile, dict):
        raise KeystoreError("a key file holds a JSON object")
    import eth_keyfile  # here, not at the top: it loads eth_keys, eth_utils, pydantic...

    try:
        secret = eth_keyfile.decode_keyfile_json(keyfile, password.encode("utf-8"))
    except ValueError as exc:
        if "MAC mismatch" in str(exc):
            raise KeystoreError("wrong password for this key file") from None
        raise KeystoreError(f"malformed key file: {exc}") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise KeystoreError(f"malformed key file: missing or bad field {exc}") from None
    account = Signer(secret)
    stated = keyfile.get("address")
    if stated is not None:
        try:
            if Address.from_hex("0x" + str(stated).removeprefix("0x")) != account.address:
                raise KeystoreError("the key file's address does not match its key")
        except AddressError:
            raise KeystoreError("the key file's address field is malformed") from None
    return account


class Keystore:
    """A directory of keystore v3 files, one per account."""

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)

    def new(self, password: str, account: Signer | None = None, kdf: str = "scrypt",
            iterations: int | None = None) -> Signer:
        """Encrypt ``account`` (a fresh one by default) into a new file; returns it."""
        account = account or Signer.generate()
        if self.find(account.address) is not None:
            raise KeystoreError(f"the keystore already holds {account.address}")
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H-%M-%S.%fZ")
        path = self.directory / f"UTC--{stamp}--{bytes(account.address).hex()}.json"
        data = json.dumps(encrypt_key(account, password, kdf, iterations))
        # the file holds a secret: readable by its owner only, and never half written
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return account

    def addresses(self) -> list[Address]:
        """The accounts held, in file-name order (oldest first)."""
        found = []
        if not self.directory.is_dir():
            return found
        for path in sorted(self.directory.glob("UTC--*--*.json")):
            try:
                found.append(Address(bytes.fromhex(path.stem.rsplit("--", 1)[1])))
            except (ValueError, AddressError):
                continue  # not one of ours
        return found

    def find(self, address: Address) -> Path | None:
        """The key file of ``address``, or None."""
        if not self.directory.is_dir():
            return None
        matches = sorted(self.directory.glob(f"UTC--*--{bytes(address).hex()}.json"))
        return matches[0] if matches else None

    def load(self, address: Address, password: str) -> Signer:
        """Decrypt the key of ``address``."""
        path = self.find(address)
        if path is None:
            raise KeystoreError(f"no key file for {address} in {self.directory}")
        return read_key_file(path, password)


def read_key_file(path: str | os.PathLike, password: str) -> Signer:
    """Decrypt one keystore v3 file."""
    path = Path(path)
    try:
        if not path.is_file():
            raise KeystoreError(f"{path} is not a key file")
        if path.stat().st_size > MAX_KEYFILE_BYTES:
            raise KeystoreError(f"{path} is too large to be a key file")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise KeystoreError(f"cannot read key file {path}: {exc}") from None
    return decrypt_key(data, password)
