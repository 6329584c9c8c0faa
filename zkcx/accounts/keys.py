# SPDX-License-Identifier: MIT
"""Ethereum-style accounts: secp256k1 keys, addresses and recoverable signatures.

An address is the last 20 bytes of Keccak-256 of the uncompressed public key (64 bytes,
x || y), written in EIP-55 mixed-case hex. A signature is 65 bytes r || s || v over a
32-byte digest, with v the recovery id (0 or 1). Only low-s signatures are valid
(s <= n/2, as EIP-2 requires of Ethereum transactions): for every signature (r, s) the
pair (r, n - s) also verifies, and admitting both would let anyone change a signed
transaction's bytes without the key. The curve arithmetic is libsecp256k1's, through
``coincurve``; Keccak-256 is safe-pysha3's C ``keccak_256`` when installed (a block hashes
several fields of every transaction, and a call costs several times less than through
pycryptodome's wrapper), else pycryptodome's; both give the same digests (tests/accounts).
"""

from __future__ import annotations

import secrets
from functools import total_ordering

import coincurve
from Crypto.Hash import keccak

try:  # the fast Keccak-256 (safe-pysha3); pycryptodome's is the fallback
    from sha3 import keccak_256 as _fast_keccak
except ImportError:  # pragma: no cover - depends on the environment
    _fast_keccak = None

from zkcx.errors import AddressError, SignatureError

#: Order n of the secp256k1 group.
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_HALF_N = SECP256K1_N // 2


def keccak256(data: bytes) -> bytes:
    """Keccak-256 (Ethereum's hash, not NIST SHA3-256) of ``data``."""
    if _fast_keccak is not None:
        return _fast_keccak(data).digest()
    return keccak.new(digest_bits=256, data=data).digest()


@total_ordering
class Address:
    """A 20-byte account address; ``str()`` gives its EIP-55 checksummed hex form."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if not isinstance(raw, (bytes, bytearray)) or len(raw) != 20:
            raise AddressError(f"an address is 20 bytes, got {raw!r:.60}")
        self._raw = bytes(raw)

    @classmethod
    def from_hex(cls, text: str) -> Address:
        """Parse ``0x`` + 40 hex digits. All-lowercase or all-uppercase digits are taken
        as they are; mixed case must carry a valid EIP-55 checksum (a mistyped character
        then fails instead of naming another account)."""
        if not isinstance(text, str):
            raise AddressError(f"an address is a 0x-prefixed hex string, got {type(text).__name__}")
        if len(text) != 42 or text[:2] not in ("0x", "0X"):
            raise AddressError(f"an address is 0x and 40 hex digits, got {text[:50]!r}")
        digits = text[2:]
        try:
            raw = bytes.fromhex(digits)
        except ValueError:
            raise AddressError(f"an address is 0x and 40 hex digits, got {text[:50]!r}") from None
        address = cls(raw)
        if digits not in (digits.lower(), digits.upper()) and str(address)[2:] != digits:
            raise AddressError(f"address {text} fails its EIP-55 checksum (a mistyped digit?)")
        return address

    @classmethod
    def from_public_key(cls, public_key: bytes) -> Address:
        """The address of a 64-byte (x || y) or 65-byte (04 || x || y) public key."""
        if len(public_key) == 65 and public_key[0] == 4:
            public_key = public_key[1:]
        if len(public_key) != 64:
            raise AddressError("a public key is 64 bytes x || y")
        return cls(keccak256(public_key)[12:])

    def __bytes__(self) -> bytes:
        return self._raw

    def __str__(self) -> str:
        """EIP-55: hex digit i is upper case when nibble i of keccak(lowercase hex) >= 8."""
        lower = self._raw.hex()
        mask = keccak256(lower.encode("ascii")).hex()
        return "0x" + "".join(c.upper() if int(m, 16) >= 8 else c for c, m in zip(lower, mask))

    def __repr__(self) -> str:
        return f"Address({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Address) and other._raw == self._raw

    def __lt__(self, other: Address) -> bool:
        if not isinstance(other, Address):
            return NotImplemented
        return self._raw < other._raw

    def __hash__(self) -> int:
        return hash(self._raw)


class Signature:
    """A recoverable secp256k1 signature: 65 bytes r || s || v, v in {0, 1}, low s."""

    __slots__ = ("r", "s", "v")

    def __init__(self, r: int, s: int, v: int) -> None:
        if not (0 < r < SECP256K1_N):
            raise SignatureError("signature r is not in [1, n - 1]")
        if not (0 < s <= _HALF_N):
            raise SignatureError("signature s is not in [1, n/2] (high-s signatures are "
                                 "malleable and refused, as in Ethereum since EIP-2)")
        if v not in (0, 1):
            raise SignatureError(f"signature recovery id v must be 0 or 1, got {v}")
        self.r, self.s, self.v = r, s, v

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Decode 65 bytes r || s || v (big-endian r and s)."""
        if not isinstance(data, (bytes, bytearray)):
            raise SignatureError(f"a signature is 65 bytes, got {type(data).__name__}")
        if len(data) != 65:
            raise SignatureError(f"a signature is 65 bytes r || s || v, got {len(data)}")
        return cls(int.from_bytes(data[:32], "big"), int.from_bytes(data[32:64], "big"), data[64])

    def __bytes__(self) -> bytes:
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big") + bytes([self.v])

    def hex(self) -> str:
        return "0x" + bytes(self).hex()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Signature) and bytes(self) == bytes(other)

    def __hash__(self) -> int:
        return hash((self.r, self.s, self.v))

    def __repr__(self) -> str:
        return f"Signature({self.hex()})"


def recover(digest: bytes, signature: Signature) -> Address:
    """The address whose key made ``signature`` over the 32-byte ``digest``.

    Raises SignatureError when no public key fits (then nobody signed it)."""
    if not isinstance(digest, (bytes, bytearray)) or len(digest) != 32:
        raise SignatureError("a signed digest is 32 bytes")
    try:
        public = coincurve.PublicKey.from_signature_and_message(
            bytes(signature), bytes(digest), hasher=None)
    except Exception as exc:  # coincurve raises plain Exception for an unrecoverable pair
        raise SignatureError(f"signature does not recover a public key: {exc}") from None
    return Address.from_public_key(public.format(compressed=False))


class Signer:
    """A secp256k1 private key and its address. ``repr`` never shows the key."""

    __slots__ = ("_key", "address")

    def __init__(self, private_key: bytes) -> None:
        if not isinstance(private_key, (bytes, bytearray)) or len(private_key) != 32:
            raise SignatureError("a private key is 32 bytes")
        if not 0 < int.from_bytes(private_key, "big") < SECP256K1_N:
            raise SignatureError("a private key must be in [1, n - 1]")
        self._key = coincurve.PrivateKey(bytes(private_key))
        self.address = Address.from_public_key(self._key.public_key.format(compressed=False))

    @classmethod
    def generate(cls) -> Signer:
        """A fresh key from the operating system's randomness (``secrets``)."""
        while True:
            candidate = secrets.token_bytes(32)
            if 0 < int.from_bytes(candidate, "big") < SECP256K1_N:
                return cls(candidate)

    @property
    def private_key(self) -> bytes:
        return self._key.secret

    def sign(self, digest: bytes) -> Signature:
        """Sign a 32-byte digest (RFC 6979 deterministic nonce; libsecp256k1 returns
        low-s signatures)."""
        if not isinstance(digest, (bytes, bytearray)) or len(digest) != 32:
            raise SignatureError("a signed digest is 32 bytes")
        return Signature.from_bytes(self._key.sign_recoverable(bytes(digest), hasher=None))

    def __repr__(self) -> str:
        return f"Signer({self.address})"
