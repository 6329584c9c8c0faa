# SPDX-License-Identifier: MIT
"""Exceptions of the market layer; each subclasses the zkcx exception a caller of the
layer below would already catch (an operation error, a claim error, an encoding error).
They live here rather than in ``zkcx.errors`` because they name the market's own things
(tasks, models, drafts, market state), which the layers below never see (zkcx/errors.py
states the rule)."""

from __future__ import annotations

from zkcx.errors import ClaimError, EncodingError, InvalidOperationError, ZkcxError


class MarketOperationError(InvalidOperationError):
    """A market operation the market refuses: a task naming an unknown kernel or one whose
    inputs a task cannot fix, a fee below the minimum, a deadline not in the future, a
    cancel of another's or an assigned task, a malformed capacity profile. The message
    says which rule, with the numbers."""


class TaskClaimError(ClaimError):
    """A claim handed to ``MarketDraft.accept`` that does not answer its task: no such
    task, a closed task, a node the task is not assigned to, another kernel or other
    inputs. ``code`` is the short reason (``TaskClaimProblem.code``)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class MarketStateError(EncodingError):
    """Market state bytes or fields that do not decode to a consistent market (malformed
    JSON, a task out of order, an amount held that does not match the open tasks)."""


class DraftOrderError(ZkcxError, RuntimeError):
    """A ``MarketDraft`` step called out of order or twice (``zkcx.market.draft`` lists
    the order): a programming error of the caller, never of the data."""


class UnknownTaskError(ZkcxError, LookupError):
    """A task id the market does not hold."""

    def __str__(self) -> str:  # LookupError subclasses keep the message as given
        return str(self.args[0]) if self.args else ""


class KernelTermsError(ZkcxError, ValueError):
    """``KernelTerms`` that cannot describe a kernel (an unknown kind, work units or input
    positions out of range): the registry handing them to the market is wrong."""


class ModelError(MarketOperationError):
    """A model operation, action or version the market refuses: an unknown or taken model
    id, a price change by another than the owner, an inference task on a retired model or
    an unaccepted version, a new version of a frozen model, a malformed governance action.
    The message says which rule, with the particulars."""


class UnknownModelError(ZkcxError, LookupError):
    """A model id the market does not hold."""

    def __str__(self) -> str:  # LookupError subclasses keep the message as given
        return str(self.args[0]) if self.args else ""
