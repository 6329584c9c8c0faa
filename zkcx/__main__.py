# SPDX-License-Identifier: MIT
"""``python -m zkcx``: the ``zkcx`` command (see ``zkcx.cli``)."""

from __future__ import annotations

import sys

from zkcx.cli import main

if __name__ == "__main__":
    sys.exit(main())
