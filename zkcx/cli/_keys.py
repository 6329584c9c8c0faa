# SPDX-License-Identifier: MIT
"""Where the CLI finds the keys that sign transactions: ``--key-file FILE`` (one keystore
v3 file) or ``--keystore DIR`` (a keystore directory; ``--account ADDRESS`` picks the
key, else each transaction's acting account does), the password from
``--password-file FILE`` (its first line) or the environment variable ZKCX_PASSWORD.

(The account commands — ``zkcx account new|list|show`` — build on these hooks.)
"""

from __future__ import annotations

import argparse
import os
import pathlib

from zkcx.accounts import Address, Keystore, Signer, decrypt_key
from zkcx.cli._files import checked_path, read_json, read_text
from zkcx.cli.errors import UsageError
from zkcx.errors import AddressError, KeystoreError, SignatureError

PASSWORD_ENV = "ZKCX_PASSWORD"


def add_key_arguments(parser: argparse.ArgumentParser, *, account_help: str) -> None:
    """Register --key-file, --keystore, --account and --password-file on ``parser``."""
    parser.add_argument("--key-file", help="keystore v3 key file of the signing account")
    parser.add_argument("--keystore", help="keystore directory holding the signing keys")
    parser.add_argument("--account", help=account_help)
    parser.add_argument("--password-file",
                        help=f"file whose first line is the key password (default: the "
                             f"{PASSWORD_ENV} environment variable)")


def has_keys(args: argparse.Namespace) -> bool:
    """Whether a key source was given."""
    return bool(args.key_file or args.keystore)


def _password(args: argparse.Namespace) -> str:
    if args.password_file:
        lines = read_text(args.password_file, "password file", max_bytes=4096).splitlines()
        return lines[0] if lines else ""
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        raise UsageError(f"a key needs its password: pass --password-file or set "
                         f"{PASSWORD_ENV}")
    return password


class KeyRing:
    """The keys of one command, decrypted once each."""

    def __init__(self, args: argparse.Namespace) -> None:
        if args.key_file and args.keystore:
            raise UsageError("pass --key-file or --keystore, not both")
        if args.account and not args.keystore:
            raise UsageError("--account picks a key of --keystore")
        self._args = args
        self._cache: dict[str, Signer] = {}

    def signer(self, address: str | None = None) -> Signer:
        """The key of ``--key-file``; or from ``--keystore``, the key of ``--account``,
        else of ``address``."""
        args = self._args
        if not has_keys(args):
            raise UsageError("signing needs a key: pass --key-file FILE or --keystore DIR")
        wanted = args.account or address
        cache_key = args.key_file or wanted or ""
        if cache_key in self._cache:
            return self._cache[cache_key]
        try:
            if args.key_file:
                keyfile = read_json(args.key_file, "key file")
                try:
                    key = decrypt_key(keyfile, _password(args))
                except (KeystoreError, SignatureError) as exc:
                    raise UsageError(f"key file {args.key_file!r}: {exc}") from None
            else:
                if not pathlib.Path(args.keystore).is_dir():
                    raise UsageError(f"keystore {args.keystore!r} is not a directory")
                if wanted is None:
                    raise UsageError("pass --account ADDRESS to pick the key of --keystore")
                found = Keystore(args.keystore).find(Address.from_hex(wanted))
                if found is None:
                    raise UsageError(f"keystore {args.keystore!r} holds no key of {wanted}")
                checked_path(found, "key file")
                keyfile = read_json(found, "key file")
                try:
                    key = decrypt_key(keyfile, _password(args))
                except (KeystoreError, SignatureError) as exc:
                    raise UsageError(f"key file {str(found)!r}: {exc}") from None
        except (KeystoreError, AddressError) as exc:
            raise UsageError(str(exc)) from None
        self._cache[cache_key] = key
        return key


def read_password(args: argparse.Namespace) -> str:
    """The password of ``--password-file`` (its first line), else of ZKCX_PASSWORD."""
    return _password(args)
