# SPDX-License-Identifier: MIT
"""Loads the compiled core ``zkcx._native``, checks that it matches this package, and
owns the native thread count. User-facing classes never touch ``ffi`` directly; the
layer wrappers (``zkcx.field`` and later layers) do."""

from __future__ import annotations

import os

from zkcx.errors import NativeBuildError

#: Must equal ZKCX_ABI_VERSION in native/include/zkcx.h.
ABI_VERSION = 1


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
    if "OMP_WAIT_POLICY" in os.environ or "GOMP_SPINCOUNT" in os.environ:
        return os.environ.get("OMP_WAIT_POLICY", "spincount").lower() or "default", False
    if _libgomp_loaded():  # too late to choose: libgomp has read its environment
        return "default (libgomp was loaded before zkcx)", False
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    return "passive", True


#: The OpenMP wait policy the native threads run with (``zkcx info`` shows it).
WAIT_POLICY, _SET_FOR_IMPORT = _choose_wait_policy()
try:
    from zkcx._native import ffi, lib
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


def set_threads(n: int) -> None:
    """Set how many threads native loops use (at least 1)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"thread count must be a positive integer, got {n!r}")
    lib.zkcx_set_threads(n)


def get_threads() -> int:
    """The number of threads native loops use."""
    return int(lib.zkcx_get_threads())


def set_simd(enabled: bool) -> bool:
    """Allow (default) or forbid the AVX-512 IFMA vector kernels; returns whether they
    are now in use (False on CPUs without them). Results are identical either way."""
    return bool(lib.zkcx_set_simd(1 if enabled else 0))


def simd_in_use() -> bool:
    """Whether vector loops currently use the AVX-512 IFMA kernels."""
    return bool(lib.zkcx_simd_in_use())


def build_info() -> dict[str, str]:
    """Features of the native build: OpenMP, -march=native, compiler, CPU kernels."""
    text = ffi.string(lib.zkcx_build_info()).decode()
    info = dict(item.split("=", 1) for item in text.split())
    info["simd"] = "avx512ifma" if simd_in_use() else "none"
    info["threads"] = str(get_threads())
    info["cores"] = str(lib.zkcx_max_threads())
    info["wait_policy"] = WAIT_POLICY
    return info


def _threads_from_environment() -> int:
    raw = os.environ.get("ZKCX_THREADS", "").strip()
    if not raw:
        return max(1, int(lib.zkcx_max_threads()))
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"ZKCX_THREADS must be a positive integer, got {raw!r}") from None
    if value < 1:
        raise ValueError(f"ZKCX_THREADS must be a positive integer, got {raw!r}")
    return value


set_threads(_threads_from_environment())
set_simd(os.environ.get("ZKCX_NO_SIMD", "").strip() in ("", "0"))
