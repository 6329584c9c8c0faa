# SPDX-License-Identifier: MIT
"""cffi builder (API mode, out of line) for the native core ``zkcx._native``.

Reads the declarations between the cdef markers of ``include/zkcx.h`` and compiles every
``src/*.c``. The build switches are environment variables read here and nowhere else,
once, by ``build_switches`` (docs/configuration.md lists every variable zkcx reads):

* ``ZKCX_MARCH_NATIVE=1``: add ``-march=native`` (faster, not portable to other CPUs).
* ``ZKCX_NO_OPENMP=1``: build without OpenMP (single-threaded loops).
* ``ZKCX_DEBUG=1``: ``-O0 -g``, for debugging.

A switch is on unless it is unset, empty, ``0``, ``false`` or ``no`` (as the run-time
switches read by ``zkcx/_config.py``).
"""

from __future__ import annotations

import os
import pathlib

from cffi import FFI

HERE = pathlib.Path(__file__).resolve().parent
HEADER = HERE / "include" / "zkcx.h"
SOURCES = sorted((HERE / "src").glob("*.c"))
#: every header: shared code lives in headers (curve_law.h, ifma_inline.h, ...), so an edit
#: to one must rebuild the library (setuptools compares these dates with the output's)
HEADERS = sorted((HERE / "src").glob("*.h")) + sorted((HERE / "include").glob("*.h"))


def _cdef_text() -> str:
    text = HEADER.read_text()
    begin = text.index("/* cdef-begin */") + len("/* cdef-begin */")
    end = text.index("/* cdef-end */")
    return text[begin:end]


#: the build switches and what each does
BUILD_SWITCHES = {
    "ZKCX_MARCH_NATIVE": "add -march=native (not portable to other CPUs)",
    "ZKCX_NO_OPENMP": "build without OpenMP (single-threaded loops)",
    "ZKCX_DEBUG": "-O0 -g instead of -O3",
}


def build_switches() -> dict[str, bool]:
    """Which build switches the environment turns on."""
    return {name: os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
            for name in BUILD_SWITCHES}


def build_ffi() -> FFI:
    switch = build_switches()
    compile_args = [
        "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-function", "-fno-strict-aliasing"
    ]
    link_args: list[str] = []
    macros: list[tuple[str, str | None]] = []
    if switch["ZKCX_DEBUG"]:
        compile_args += ["-O0", "-g"]
    else:
        compile_args += ["-O3"]
    if switch["ZKCX_MARCH_NATIVE"]:
        compile_args.append("-march=native")
        macros.append(("ZKCX_MARCH_NATIVE", "1"))
    if not switch["ZKCX_NO_OPENMP"]:
        compile_args.append("-fopenmp")
        link_args.append("-fopenmp")
    ffibuilder = FFI()
    ffibuilder.cdef(_cdef_text())
    ffibuilder.set_source(
        "zkcx._native",
        '#include "zkcx.h"\n',
        sources=[str(p.relative_to(HERE.parent)) for p in SOURCES],
        depends=[str(p.relative_to(HERE.parent)) for p in HEADERS],
        include_dirs=[str(HERE / "include"), str(HERE / "src")],
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        define_macros=macros,
    )
    return ffibuilder


ffibuilder = build_ffi()

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
