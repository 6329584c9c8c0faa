# SPDX-License-Identifier: MIT
"""The one place zkcx reads its run-time environment variables (docs/configuration.md
lists every variable, build-time ones included).

Each is read once, when the native core is loaded (``import zkcx``); the native core
itself reads no environment variable: ``zkcx._bindings`` hands it these settings. Build
switches (``ZKCX_MARCH_NATIVE``, ``ZKCX_NO_OPENMP``, ``ZKCX_DEBUG``) are read by
``native/build_ffi.py`` alone, when the library is compiled.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import NamedTuple

from zkcx.errors import ConfigurationError

#: values of a switch that leave it off (case-insensitive; also how build_ffi.py reads
#: its build switches)
OFF_VALUES = ("", "0", "false", "no")


def switch_is_on(environ: Mapping[str, str], name: str) -> bool:
    """Whether the switch ``name`` is set to anything but empty, 0, false or no."""
    return environ.get(name, "").strip().lower() not in OFF_VALUES


def threads_setting(environ: Mapping[str, str]) -> int | None:
    """``ZKCX_THREADS`` as a positive int, or None when unset (then every core is used)."""
    raw = environ.get("ZKCX_THREADS", "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ConfigurationError(
            f"ZKCX_THREADS must be a positive integer, got {raw!r}; unset it to use every core"
        )
    return value


def table_memory_setting(environ: Mapping[str, str]) -> int:
    """``ZKCX_TABLE_MEMORY_MB`` in bytes: the most the H tables of all live proving keys
    may take together (``zkcx.groth16.set_table_memory``); 256 MiB when unset, 0 turns
    them off."""
    raw = environ.get("ZKCX_TABLE_MEMORY_MB", "").strip()
    if not raw:
        return 256 << 20
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigurationError(
            f"ZKCX_TABLE_MEMORY_MB must be a whole number of MiB >= 0, got {raw!r}; 0 turns "
            f"the prover's H tables off, unset it for 256")
    return value << 20


class Settings(NamedTuple):
    """The run-time settings the environment asks for (a named tuple, not a dataclass:
    this module is loaded by every ``import zkcx``, and dataclasses cost milliseconds of
    the command's start-up)."""

    #: native thread count (``ZKCX_THREADS``); None means every core
    threads: int | None
    #: whether the AVX-512 IFMA kernels may be used (``ZKCX_NO_SIMD`` unset)
    simd: bool
    #: whether the MULX/ADX multiplication may be used (``ZKCX_NO_ADX`` unset)
    adx: bool
    #: the user's OpenMP idle-thread policy (``OMP_WAIT_POLICY``), or None
    omp_wait_policy: str | None
    #: whether the user set libgomp's spin count (``GOMP_SPINCOUNT``)
    gomp_spincount: bool
    #: bytes all proving keys' H tables may take together (``ZKCX_TABLE_MEMORY_MB``)
    table_memory: int


def read_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every run-time variable from ``environ`` (default: ``os.environ``);
    ConfigurationError for a value that cannot be used."""
    environ = os.environ if environ is None else environ
    return Settings(
        threads=threads_setting(environ),
        simd=not switch_is_on(environ, "ZKCX_NO_SIMD"),
        adx=not switch_is_on(environ, "ZKCX_NO_ADX"),
        omp_wait_policy=environ.get("OMP_WAIT_POLICY"),
        gomp_spincount="GOMP_SPINCOUNT" in environ,
        table_memory=table_memory_setting(environ),
    )


#: the settings of this process, read at import
SETTINGS = read_settings()
