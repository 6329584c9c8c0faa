# SPDX-License-Identifier: MIT
"""File-level helpers shared by the layers: the iden3 binary container."""
