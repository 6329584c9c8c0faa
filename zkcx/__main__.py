# SPDX-License-Identifier: MIT
"""``python -m zkcx``: the ``zkcx`` command (see ``zkcx.cli``)."""

from __future__ import annotations

from zkcx.cli.main import run

if __name__ == "__main__":
    run()
