# SPDX-License-Identifier: MIT
"""EIP-712 typed, domain-separated digests for flat structs.

A signer signs ``keccak256(0x19 0x01 || domainSeparator || hashStruct(message))``, where

* ``domainSeparator = hashStruct(EIP712Domain{name, version, chainId})``: a signature
  made for one chain (chain id), one application (name) or one version never verifies
  on another;
* ``hashStruct(s) = keccak256(typeHash || encodeData(s))`` with ``typeHash =
  keccak256("Name(type1 field1,type2 field2,...)")``: the struct's name and field list
  are part of what is signed, so a signature for one transaction kind (a stake) can
  never be read as another (a transfer), even with equal field values;
* each field is encoded in 32 bytes: ``uintN``/``bool`` as a big-endian integer,
  ``address`` left-padded, ``bytes32`` as is, dynamic ``bytes``/``string`` as the
  keccak256 of their contents, an array ``T[]`` as the keccak256 of its elements'
  encodings concatenated.

This is what Ethereum wallets sign with ``eth_signTypedData_v4`` (checked against
eth-account's implementation in the tests). Nested struct fields are not needed by
zkcx's transactions and are refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from zkcx.accounts.keys import Address, keccak256
from zkcx.errors import TypedDataError

_UINT = re.compile(r"uint(\d{1,3})$")
_BYTES_N = re.compile(r"bytes(\d{1,2})$")


def _check_type(type_name: str) -> None:
    base = type_name[:-2] if type_name.endswith("[]") else type_name
    if base in ("address", "bool", "bytes", "string"):
        return
    m = _UINT.match(base)
    if m and 8 <= int(m.group(1)) <= 256 and int(m.group(1)) % 8 == 0:
        return
    m = _BYTES_N.match(base)
    if m and 1 <= int(m.group(1)) <= 32:
        return
    raise TypedDataError(f"unsupported EIP-712 field type {type_name!r}")


def _encode_atomic(type_name: str, value: object, field: str) -> bytes:
    """One value's 32-byte slot (dynamic types: the keccak256 of their contents)."""
    if type_name == "address":
        if not isinstance(value, Address):
            raise TypedDataError(f"field {field} must be an Address")
        return b"\x00" * 12 + bytes(value)
    if type_name == "bool":
        if not isinstance(value, bool):
            raise TypedDataError(f"field {field} must be a bool")
        return int(value).to_bytes(32, "big")
    if type_name == "string":
        if not isinstance(value, str):
            raise TypedDataError(f"field {field} must be a string")
        try:
            return keccak256(value.encode("utf-8"))
        except UnicodeEncodeError:
            raise TypedDataError(f"field {field} is not valid Unicode text") from None
    if type_name == "bytes":
        if not isinstance(value, (bytes, bytearray)):
            raise TypedDataError(f"field {field} must be bytes")
        return keccak256(bytes(value))
    m = _UINT.match(type_name)
    if m:
        bits = int(m.group(1))
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < (1 << bits):
            raise TypedDataError(f"field {field} must be an integer in [0, 2^{bits})")
        return value.to_bytes(32, "big")
    size = int(_BYTES_N.match(type_name).group(1))  # type: ignore[union-attr]
    if not isinstance(value, (bytes, bytearray)) or len(value) != size:
        raise TypedDataError(f"field {field} must be {size} bytes")
    return bytes(value).ljust(32, b"\x00")


@dataclass(frozen=True)
class StructType:
    """A flat EIP-712 struct type: a name and ordered (field name, field type) pairs."""

    name: str
    fields: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.name):
            raise TypedDataError(f"bad struct name {self.name!r}")
        names = [f for f, _ in self.fields]
        if len(set(names)) != len(names):
            raise TypedDataError(f"struct {self.name} repeats a field name")
        for _, type_name in self.fields:
            _check_type(type_name)

    @cached_property
    def type_string(self) -> str:
        """``Name(type1 field1,type2 field2,...)``, as EIP-712's encodeType."""
        return f"{self.name}(" + ",".join(f"{t} {f}" for f, t in self.fields) + ")"

    @cached_property
    def type_hash(self) -> bytes:
        return keccak256(self.type_string.encode("ascii"))

    def hash_struct(self, values: Mapping[str, object]) -> bytes:
        """keccak256(typeHash || encodeData(values)); every field must be present, and
        no other."""
        if set(values) != {f for f, _ in self.fields}:
            missing = sorted({f for f, _ in self.fields} - set(values))
            extra = sorted(set(values) - {f for f, _ in self.fields})
            raise TypedDataError(f"{self.name}: missing fields {missing}, unknown fields {extra}")
        parts = [self.type_hash]
        for field, type_name in self.fields:
            value = values[field]
            if type_name.endswith("[]"):
                if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
                    raise TypedDataError(f"field {field} must be a list")
                inner = type_name[:-2]
                parts.append(keccak256(b"".join(
                    _encode_atomic(inner, item, field) for item in value)))
            else:
                parts.append(_encode_atomic(type_name, value, field))
        return keccak256(b"".join(parts))


#: EIP-712's domain type with the three fields zkcx uses.
DOMAIN_TYPE = StructType("EIP712Domain", (("name", "string"), ("version", "string"),
                                          ("chainId", "uint256")))


@dataclass(frozen=True)
class Domain:
    """Where a signature counts: an application name, its signing version, a chain id."""

    name: str
    version: str
    chain_id: int

    @cached_property
    def separator(self) -> bytes:
        return DOMAIN_TYPE.hash_struct(
            {"name": self.name, "version": self.version, "chainId": self.chain_id})

    def digest(self, struct: StructType, values: Mapping[str, object]) -> bytes:
        """The 32 bytes an account signs: keccak256(0x1901 || separator || hashStruct)."""
        return keccak256(b"\x19\x01" + self.separator + struct.hash_struct(values))
