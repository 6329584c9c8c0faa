# SPDX-License-Identifier: MIT
"""Exceptions of the rollup layer; each subclasses a zkcx exception and the builtin a
caller would expect. They live here rather than in ``zkcx.errors`` because they name the
rollup's own things (claims, blocks, the chain store, the kernel and model registries),
which the layers below never see (zkcx/errors.py states the rule)."""

from __future__ import annotations

from zkcx.errors import EncodingError, ZkcxError


class MalformedClaimError(EncodingError):
    """Claim bytes or fields that do not form a claim: truncated or trailing bytes, a proof
    point off its curve or outside its subgroup, a public input not below r, a bad kind,
    node id, kernel id or model field. ``reason`` says which, in a few words."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"malformed claim: {reason}")


class MalformedBlockError(EncodingError):
    """Block, header or state bytes that do not decode."""


class KernelRegistryError(ZkcxError, ValueError):
    """A kernel registration or a kernels.json entry that is refused: a malformed entry, a
    verifying key that is not a JSON object or would accept forged proofs, work units,
    kinds or public-input positions out of range, a kernel id that is not its key's
    digest, a kernel registered twice."""


class KernelCeremonyError(KernelRegistryError):
    """A key offered for registration without a verifiable trusted setup: no ceremony
    record and no explicit ``unsafe_local_setup``, a transcript that does not verify or is
    of another key, or a ceremony other than the one the kernel's catalogue file names."""


class UnknownKernelError(ZkcxError, KeyError):
    """A kernel id (verifying-key digest) that the kernel registry does not hold."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownBlockError(ZkcxError, KeyError):
    """A block height that the chain store does not hold (past its head, or negative)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class ChainVerificationError(ZkcxError, ValueError):
    """A chain that does not re-verify: ``height`` is the first bad block (None for damage
    in a store that is not a block's), ``reason`` what did not match."""

    def __init__(self, height: int | None, reason: str) -> None:
        self.height, self.reason = height, reason
        super().__init__(reason if height is None else f"block {height}: {reason}")


class ChainStoreError(ZkcxError, RuntimeError):
    """The chain store refused an operation or a file: a block that does not extend the
    head, a path that is not a zkcx chain file (missing, a directory, unreadable, not
    SQLite, another schema version), damage found in the file, any SQLite error.
    ``reason`` is the message without the file's name (for reports that must not name
    files), ``path`` the file when there is one."""

    def __init__(self, message: str, *, path: str | None = None,
                 reason: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.reason = message if reason is None else reason


class MalformedOperationError(EncodingError):
    """Operation bytes or fields that do not form a signed operation (an unknown kind, an
    account that is not an EIP-55 address, a malformed signature, non-canonical params).
    ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"malformed operation: {reason}")


class PendingPoolFullError(ZkcxError, RuntimeError):
    """The chain store's pending pool holds its maximum number of items
    (``max_pending``): the submission is refused, nothing was written; try again once a
    block has consumed some (an operator answers 503)."""


class BlobTooLargeError(ZkcxError, ValueError):
    """A blob larger than the chain store keeps (``MAX_BLOB_SIZE``): refused, nothing
    written."""
