# SPDX-License-Identifier: MIT
"""The exceptions zkcx raises: one family under ``ZkcxError``.

Every error a user of zkcx can see is a ``ZkcxError`` subclass whose message says what
was wrong, what was expected and, where it is not obvious, what to do. Each also
subclasses the builtin a caller would expect (ValueError, TypeError, KeyError,
ZeroDivisionError...), so generic handlers and ``except ValueError`` keep working.
zkcx code raises no bare builtin exception (tests/test_errors.py checks; the exceptions
are the protocols' own: ``NotImplementedError`` in abstract methods, ``AttributeError``
from ``__getattr__`` and ``__setattr__``).

Where the classes live: this module holds the errors of the native core and its
configuration, of the library's core layers (field, curve, poly, r1cs, gadgets, kernels,
groth16, accounts, rewards) and the generic ones (``InvalidArgumentError``,
``ArgumentTypeError``, ``InternalError``). A layer whose errors name its own concepts
keeps them in its own ``errors`` module, which imports from here and is imported by
nothing below it: ``zkcx.rollup.errors`` (claims, blocks, the chain store),
``zkcx.market.errors`` (tasks, models, market state), ``zkcx.cluster.errors`` (the Dask
scheduler and workers) and ``zkcx.cli.errors`` (command-line usage). No other module
defines an exception class, except private sentinels (a leading underscore) that never
leave their module. No two exception classes share a name."""

from __future__ import annotations

from zkcx.params import FR_MODULUS as _R


class ZkcxError(Exception):
    """Base class of every zkcx exception."""


class NativeBuildError(ZkcxError, ImportError):
    """The compiled core is missing, stale or does not match this Python package."""


class ConfigurationError(ZkcxError, ValueError):
    """An environment variable zkcx reads (docs/configuration.md) has an unusable value."""


class NativeArgumentError(ZkcxError, ValueError):
    """The native core refused its arguments (ZKCX_ERR_ARG) where Python had not already
    named the problem."""


class NativeMemoryError(ZkcxError, MemoryError):
    """The native core could not allocate its scratch memory (ZKCX_ERR_NOMEM)."""


class InvalidArgumentError(ZkcxError, ValueError):
    """An argument whose value a function does not accept (out of its range, not one of
    its options); the message names the argument, what is accepted and what was given."""


class ArgumentTypeError(ZkcxError, TypeError):
    """An argument of a type a function does not take; the message names the argument,
    the type expected and the type given."""


class InternalError(ZkcxError, RuntimeError):
    """zkcx broke one of its own invariants (the native core refused an input the Python
    side had validated, a self-check failed): a bug in zkcx, please report it."""


class FieldRangeError(ZkcxError, ValueError):
    """A canonical field value is negative or not below the modulus."""


class FieldMismatchError(ZkcxError, TypeError):
    """Elements of two different fields (Fr and Fq) were combined."""


class LengthMismatchError(ZkcxError, ValueError):
    """Vectors of different lengths were combined elementwise."""


class BufferLayoutError(ZkcxError, ValueError):
    """A numpy buffer has the wrong dtype, shape or memory layout for the native core."""


class FieldZeroDivisionError(ZkcxError, ZeroDivisionError):
    """Zero was inverted (alone or inside a batch inversion)."""


class PointError(ZkcxError, ValueError):
    """A curve point is malformed: a coordinate out of range or not on the curve."""


class SubgroupError(PointError):
    """A G2 point is on the twist but outside the order-r subgroup."""


class PrecompileError(ZkcxError, ValueError):
    """An Ethereum BN254 precompile call (``zkcx.curve.precompiles``) would fail, and
    consume all its gas, on this input: a coordinate >= p, a point off its curve, a G2
    point outside the subgroup, a pairing input not a multiple of 192 bytes."""


class EncodingError(ZkcxError, ValueError):
    """Bytes or JSON that do not decode to a value of the expected kind and size."""


class SolidityExportError(EncodingError):
    """A verifying key or contract name that cannot be written as a Solidity verifier."""


class FileFormatError(ZkcxError, ValueError):
    """A file (r1cs, wtns, zkey, ptau, JSON) is truncated, corrupt or of the wrong kind."""


class PtauPointError(FileFormatError):
    """A point of a powers-of-tau file's point section, checked when first used (the file
    is read in place), is out of range or off its curve."""


class InvalidKeyError(ZkcxError, ValueError):
    """A Groth16 key that must not be used: a verifying key with alpha, beta, gamma, delta
    or an IC point at infinity or with gamma equal to beta or delta (proofs of false
    statements would verify), or a proving key with a point that is invalid (a B2 point
    outside the subgroup, say) or inconsistent with its verifying key. Names the key and
    the point."""


class UnsatisfiedConstraintError(ZkcxError, ValueError):
    """A witness does not satisfy a constraint system; names the first failing
    constraint, its index and the values of A·w, B·w and C·w there."""

    def __init__(self, index: int, label: str, a: int, b: int, c: int) -> None:
        self.index, self.label, self.a, self.b, self.c = index, label, a, b, c
        super().__init__(
            f"constraint #{index} ({label}) is not satisfied: A·w = {a}, B·w = {b}, "
            f"A·w·B·w = {a * b % _R} but C·w = {c}"
        )


class WitnessError(ZkcxError, ValueError):
    """A witness is incomplete or does not fit its constraint system."""


class UnsatisfiedWitnessError(WitnessError):
    """The witness does not satisfy the circuit (found after proving, when no R1CS was
    given to name the failing constraint)."""


class PublicInputCountError(ZkcxError, ValueError):
    """The number of public inputs given does not match the verifying key's."""


class InconsistentKeyError(InvalidKeyError):
    """A satisfying witness gave a proof that the key's own verifying key rejects: the
    proving key's points do not match its verifying key (the message names the point
    when one is found invalid: a B2 point outside the subgroup)."""


class KeyFileChangedError(InvalidKeyError):
    """A proving key read by mapping its file (its points used in place) whose file
    changed on disk after it was read (another size or modification time, or bytes that
    no longer pass the checks made at load): read the key again."""


class DomainError(ZkcxError, ValueError):
    """A size that is not an evaluation domain (a power of two up to 2^28), a vector that
    does not fit its domain, or a zero coset shift."""


class CircuitError(ZkcxError, ValueError):
    """A constraint system or gadget used wrongly: a variable or linear combination of
    another constraint system, a variable or row index outside the system, sides or index
    arrays of different lengths, a bit width or arity outside what a gadget supports."""


class CoefficientOverflowError(CircuitError, OverflowError):
    """A coefficient of an ``AffineVec`` (or a factor scaling one) reaches 2^62, beyond
    what its exact int64 arithmetic holds."""


class ParameterError(ZkcxError, ValueError):
    """An economic parameter set or schedule of the reward accountant is invalid."""


class HeightError(ZkcxError, ValueError):
    """A block applied out of order: heights must increase by exactly one."""


class ClaimError(ZkcxError, ValueError):
    """A verified claim handed to the accountant is malformed (node id, kind, work units,
    hash)."""


class IneligibleClaimError(ClaimError):
    """A node's tier (from its stake and reputation) does not let it earn from a claim
    kind."""


class DuplicateClaimError(ClaimError):
    """The same claim hash appears twice in one block."""


class InvalidOperationError(ZkcxError, ValueError):
    """A stake, unstake or transfer operation is malformed (non-positive amount, bad node
    id, transfer to oneself)."""


class InsufficientFundsError(InvalidOperationError):
    """An operation moves more than the balance (or stake) it draws from holds."""


class GovernanceError(InvalidOperationError):
    """A governance operation breaks a rule: a proposal below the minimum stake or
    activating too early, a vote by an account without stake, a second vote, a vote on an
    unknown or closed proposal."""


class SupplyInvariantError(ZkcxError, RuntimeError):
    """pool + balances + stakes + unbonding no longer equals the fixed supply (a bug in the
    accountant or a corrupt serialized state)."""


class KernelSpecError(ZkcxError, ValueError):
    """A kernel specification or catalogue file is invalid: an unknown kernel name, a
    missing or wrong parameter, a bound too large for exact int64 arithmetic."""


class UnknownTensorError(KernelSpecError, KeyError):
    """A tensor name that a kernel's specification does not have."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class KernelInputError(ZkcxError, ValueError):
    """Inputs given to a kernel are unusable; raised before any circuit work or proving."""


class ShapeError(KernelInputError):
    """A tensor's shape differs from the kernel's spec, or a tensor is missing or unknown."""


class BoundError(KernelInputError):
    """A fixed-point value lies outside its bit bound -2^(B-1) <= X < 2^(B-1): a quantized
    kernel input or output outside its tensor's bound, or a value given to a gadget's
    integer reference (``zkcx.gadgets.reference``) outside the bound it was given."""


class PublicBoundsError(BoundError):
    """A public signal outside the range its kernel declares for it
    (``zkcx.kernels.PublicBounds``): ``index`` is the signal, ``value`` the value given,
    ``bound`` the declared (low, high), or None for a value that is not a field element
    where any is allowed. A proof of such a statement may verify and still prove nothing
    about the kernel's integers, so verifiers refuse it."""

    def __init__(self, index: int, value: object, bound: tuple[int, int] | None,
                 message: str) -> None:
        self.index, self.value, self.bound = index, value, bound
        super().__init__(message)


class SignalIndexError(ZkcxError, IndexError):
    """A public-signal index outside the signals a ``PublicBounds`` describes."""


class NonFiniteError(KernelInputError):
    """A floating-point input holds NaN or an infinity."""


class InputTypeError(KernelInputError, TypeError):
    """A tensor has a dtype kernels do not take (bool, complex, str, object...)."""


class TrainingPlanError(KernelInputError):
    """A training job's task is asked for what it cannot give: a commitment not yet
    produced, or a proof whose commitments are not the task's."""


class AddressError(ZkcxError, ValueError):
    """An account address that is not 20 bytes, or hex text with a bad EIP-55 checksum."""


class SignatureError(ZkcxError, ValueError):
    """A signature that is malformed (length, r or s out of range, high s, bad recovery
    id) or that recovers no public key."""


class TypedDataError(ZkcxError, ValueError):
    """An EIP-712 struct type or message that cannot be encoded (unknown field type,
    missing field, value out of its type's range)."""


class KeystoreError(ZkcxError, ValueError):
    """A key file that cannot be read or decrypted (wrong password, malformed JSON)."""


class CeremonyError(ZkcxError, ValueError):
    """A trusted-setup ceremony (zkcx.ceremony) whose transcript or files do not check out;
    the subclasses say which part."""


class CeremonyRecordError(CeremonyError):
    """A ceremony record (ptau hash, circuit hash, contribution hashes) that is malformed:
    a hash of the wrong length, a kind that is neither contribution nor beacon."""


class UnpreparedPtauError(CeremonyError):
    """A powers-of-tau file without the Lagrange sections (12-15) phase 2 needs: it must
    go through ``ptau prepare`` first."""


class PtauTooSmallError(CeremonyError):
    """A powers-of-tau file of too low a power for the circuit's domain."""


class ZkeyMismatchError(CeremonyError):
    """A proving key that was not made from the circuit and ptau it is checked against:
    its circuit hash or one of its fixed sections differs from the key rebuilt from them."""


class LagrangeSectionError(CeremonyError):
    """A prepared ptau whose Lagrange section (12-15) has a block that is not the Lagrange
    transform of the powers it claims to be prepared from (sections 2-5)."""


class ContributionError(CeremonyError):
    """A contribution that does not verify. Phase 1: a public key without its proof of
    knowledge, a beacon whose key is not the one its parameters derive, points that do
    not follow from the previous ones or are not powers of one secret. Phase 2: its
    proof of knowledge, the delta it claims, or the sections it rescaled."""


class TranscriptError(CeremonyError):
    """The hashes of a ceremony do not chain: a challenge or response hash that is not
    the hash of what it covers, or a contribution that signed a transcript hash other
    than the hash of everything before it."""


class UnsafeKeyError(CeremonyError):
    """A proving key with no phase-2 contribution (delta is still the generator, as
    ``zkey new`` left it): anyone holding the public ptau can forge proofs for it."""


class AggregationError(ZkcxError, ValueError):
    """SnarkPack aggregation (``groth16.aggregate`` / ``verify_aggregate``) refused its
    inputs: no proofs, proofs and public inputs of different counts, a statement count
    that does not match the aggregate's."""


class AggregationSRSError(AggregationError):
    """An aggregation SRS that cannot serve: too short for the number of proofs (each
    powers-of-tau file must have power >= log2(n) + 1), the same powers-of-tau twice,
    or powers that do not start at the generators."""


class AggregateFormatError(EncodingError):
    """Bytes that are not an aggregate proof: wrong magic or version, truncated or
    trailing bytes, a coordinate >= p, a point off its curve or outside its subgroup."""
