# SPDX-License-Identifier: MIT
"""Build the native core with cffi; all metadata lives in pyproject.toml."""

from setuptools import setup

setup(cffi_modules=["native/build_ffi.py:ffibuilder"])
