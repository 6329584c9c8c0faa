# SPDX-License-Identifier: MIT
"""The rollup operator as an HTTP service, and its explorer (the optional extra
``zkcx[network]``).

    from zkcx.operator import OperatorConfig, create_app
    app = create_app(OperatorConfig("chain.db", block_interval=2.0, block_size=256))
    uvicorn.run(app, host="127.0.0.1", port=8545)      # or: zkcx operator serve

``zkcx.operator.api_models`` holds the API's request and answer models (the node client
reads them); ``app`` the routes, ``service`` the operator behind them (submission
checks, reads through store snapshots), ``sealer`` the block-sealing thread, ``pool`` the
in-memory view of the pending pool and the choice of a block, ``limits`` body sizes and
rate limits (docs/operator.md). Importing this package imports neither FastAPI nor the
store: the names below load on first use."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["OperatorConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        return importlib.import_module("zkcx.operator.app").create_app
    if name == "OperatorConfig":
        return importlib.import_module("zkcx.operator.config").OperatorConfig
    raise AttributeError(f"module 'zkcx.operator' has no attribute {name!r}")
