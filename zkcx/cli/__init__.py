# SPDX-License-Identifier: MIT
"""The ``zkcx`` command line: compile, setup, prove, verify, export, block, rewards,
bench and demo (``zkcx --help``)."""

from zkcx.cli.main import main

__all__ = ["main"]
