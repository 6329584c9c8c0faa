# SPDX-License-Identifier: MIT
"""Exceptions of the command line. They live here, not in ``zkcx.errors``, because they
are about the ``zkcx`` command (its arguments, the peers ``zkcx bench`` runs) and mean
nothing to a user of the library; ``zkcx.cli.main`` turns them into exit code 2 and a
message on stderr, as it does every other ``ZkcxError``."""

from __future__ import annotations

from zkcx.errors import ZkcxError


class UsageError(ZkcxError):
    """A bad argument or input file: reported on stderr (and with --json as a JSON
    object on stdout) with exit code 2; the message names the argument or file."""


class PeerError(ZkcxError, RuntimeError):
    """A peer's child process failed (``zkcx bench``): the command and the end of its
    stderr."""
