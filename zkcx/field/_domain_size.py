# SPDX-License-Identifier: MIT
"""The sizes of Fr's 2-power subgroups, the domains of every transform (over Fr in
``zkcx.poly``, over G1/G2 in ``zkcx.curve``): a power of two up to 2^28."""

from __future__ import annotations

from zkcx.errors import DomainError
from zkcx.params import FR_TWO_ADICITY

#: The largest domain: r - 1 = 2^28 * odd, so Fr* has no element of order 2^29.
MAX_LOG_SIZE = FR_TWO_ADICITY


def log2_of_size(size: object) -> int:
    """log2(size) for a power of two 1 <= size <= 2^28, else DomainError."""
    if not isinstance(size, int) or isinstance(size, bool):
        raise DomainError(f"a domain size must be an int, got {type(size).__name__}")
    if size < 1 or size & (size - 1):
        raise DomainError(f"a domain size must be a power of two, got {size}")
    log = size.bit_length() - 1
    if log > MAX_LOG_SIZE:
        raise DomainError(
            f"a domain size is at most 2^{MAX_LOG_SIZE} (the 2-adicity of r - 1), got 2^{log}"
        )
    return log
