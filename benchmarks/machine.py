# SPDX-License-Identifier: MIT
"""The machine description printed above every benchmark table: CPU model and flags
that matter, cores, load, versions and the native build's features."""

from __future__ import annotations

import datetime
import os
import platform

import numpy as np

import zkcx


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:  # pragma: no cover
        pass
    return platform.processor() or "unknown CPU"


def describe() -> str:
    info = zkcx.build_info()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return (
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, load average {load}; "
        f"Python {platform.python_version()}, numpy {np.__version__}; "
        f"zkcx {zkcx.__version__} ({', '.join(f'{k}={v}' for k, v in info.items())}); "
        f"{datetime.date.today().isoformat()}"
    )
