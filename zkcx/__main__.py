# SPDX-License-Identifier: MIT
"""``python -m zkcx`` and the ``zkcx`` command: for now the version, the native build's
features and thread count, and a self-check of the native field against the reference."""

from __future__ import annotations

import sys

import zkcx
from zkcx.selfcheck import field_selfcheck


def main(argv: list[str] | None = None) -> int:
    info = zkcx.build_info()
    print(f"zkcx {zkcx.__version__}")
    print("native build: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    failures = 0
    for name, ok in field_selfcheck():
        failures += not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {name}")
    print("self-check passed" if not failures else f"self-check FAILED ({failures} checks)")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
