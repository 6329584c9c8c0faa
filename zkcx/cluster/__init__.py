# SPDX-License-Identifier: MIT
"""Proving and verifying on a Dask cluster (the optional extra ``zkcx[cluster]``)."""
