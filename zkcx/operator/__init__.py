# SPDX-License-Identifier: MIT
"""The rollup operator as an HTTP service, and its explorer (the optional extra
``zkcx[network]``)."""
