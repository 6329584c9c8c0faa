# SPDX-License-Identifier: MIT
"""The node client: talks to an operator over HTTP (the optional extra ``zkcx[network]``)."""
