# SPDX-License-Identifier: MIT
"""Loads the compiled core ``zkcx._native`` and checks that it matches this package.

Only ``zkcx._bindings`` imports this module: every call into the native core goes
through the wrappers there (tests/test_bindings.py checks it)."""

from __future__ import annotations

import os

from zkcx._config import SETTINGS
from zkcx.errors import NativeBuildError

#: Must equal ZKCX_ABI_VERSION in native/include/zkcx.h.
ABI_VERSION = 4


def _libgomp_loaded() -> bool:
    """Whether this process has already mapped libgomp (another extension loaded it)."""
    try:
        with open("/proc/self/maps", encoding="ascii", errors="replace") as maps:
            return any("libgomp" in line for line in maps)
    except OSError:  # not Linux: nothing to tell
        return False


def _choose_wait_policy() -> tuple[str, bool]:
    """Make OpenMP's idle worker threads sleep instead of spin, unless the user chose.

    Node software shares its machine. libgomp's default lets a thread that waits at a
    barrier spin for up to ~300,000 iterations, so on a core that another process keeps
    busy the waiting thread steals the time slice its partner needs: proving a small
    kernel with 2 threads then took 3-5x as long as with 1 (benchmarks/busy_report.py).
    Passive waiting costs a few microseconds per parallel region on an idle machine.
    libgomp reads the setting once, when it is loaded, so it must be in the environment
    before the native core is imported (it is set only for that import, so child
    processes and the caller's environment are left as they were); returns the policy
    in force and whether it was set here."""
    policy = SETTINGS.omp_wait_policy
    if policy is not None or SETTINGS.gomp_spincount:
        return ("spincount" if policy is None else policy).lower() or "default", False
    if _libgomp_loaded():  # too late to choose: libgomp has read its environment
        return "default (libgomp was loaded before zkcx)", False
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    return "passive", True


#: The OpenMP wait policy the native threads run with (``zkcx info`` shows it).
WAIT_POLICY, _SET_FOR_IMPORT = _choose_wait_policy()
try:
    from zkcx._native import ffi, lib  # noqa: F401 - ffi is for zkcx._bindings
except ImportError as exc:  # pragma: no cover - exercised only on broken installs
    raise NativeBuildError(
        "the native core zkcx._native is not built; install the package with "
        "`pip install -e .` (needs gcc and the Python headers)"
    ) from exc
finally:
    if _SET_FOR_IMPORT:
        del os.environ["OMP_WAIT_POLICY"]

if lib.zkcx_abi_version() != ABI_VERSION:  # pragma: no cover
    raise NativeBuildError(
        f"stale native build: zkcx._native has ABI {lib.zkcx_abi_version()}, the Python "
        f"package expects {ABI_VERSION}; rebuild with `pip install -e .`"
    )
if lib.zkcx_limbs() != 4:  # pragma: no cover
    raise NativeBuildError("native core was built with an unexpected limb count")

