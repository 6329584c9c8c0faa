# SPDX-License-Identifier: MIT
"""How a registered kernel's key was made: the record of a verified trusted-setup
ceremony, or the explicit mark of an unsafe local setup.

Whoever knows a Groth16 key's toxic waste (tau, alpha, beta, delta) can forge proofs
under it, so a chain pays rewards on a kernel only as honestly as its key was made. A
key made by ``zkcx.ceremony`` (a public prepared ptau file, then a phase-2 ceremony in
which several parties contribute) is safe if one contributor was honest, and anyone can
check its transcript with ``zkcx.ceremony.verify_zkey``: the registry keeps what that
check returns, a ``CeremonyRecord`` (the ptau file's BLAKE2b-512 hash, the circuit
hash, each contribution's hash, name and kind). A key from ``zkcx setup`` or
``groth16.setup`` (fresh local randomness: whoever ran it can forge proofs) is
registered only when the caller says so (``unsafe_local_setup=True``, ``zkcx kernel
register --unsafe-local-setup``), and the entry says so for ever (``kernel list``).

The registry cannot re-verify a record (that needs the circuit, the ptau and the key);
``verified_ceremony`` is the check to run before registering, and the record is kept so
that anyone holding those files can run it again.
"""

from __future__ import annotations

from collections.abc import Callable

from zkcx.ceremony import CeremonyRecord, Ptau, verify_zkey
from zkcx.errors import ArgumentTypeError, ZkcxError
from zkcx.groth16 import ProvingKey, VerifyingKey
from zkcx.io.jsontext import short
from zkcx.kernels.ceremony_terms import CeremonyTerms
from zkcx.r1cs import R1CS
from zkcx.rollup.errors import KernelCeremonyError, KernelRegistryError

#: the JSON value of an entry's ``ceremony`` for a key from an unsafe local setup
UNSAFE_LOCAL_SETUP = "unsafe-local-setup"

_WHAT_TO_DO = ("give the record of its verified ceremony (ceremony=zkcx.ceremony."
               "verify_zkey(r1cs, ptau, pk); on the command line --zkey KEY.zkey --ptau "
               "FILE.ptau), or, for a test or a demo, unsafe_local_setup=True "
               "(--unsafe-local-setup): whoever made a key locally can forge its proofs")


def chosen_ceremony(ceremony: object, unsafe_local_setup: object) -> CeremonyRecord | None:
    """The record a registration keeps (None for an unsafe local setup): exactly one of
    a ``CeremonyRecord`` and ``unsafe_local_setup=True`` must be given, else
    ``KernelCeremonyError`` saying what to do (``ArgumentTypeError`` for other types)."""
    if not isinstance(unsafe_local_setup, bool):
        raise ArgumentTypeError(f"unsafe_local_setup is True or False, got "
                                f"{type(unsafe_local_setup).__name__}")
    if ceremony is None:
        if not unsafe_local_setup:
            raise KernelCeremonyError(f"a key is registered with its trusted setup: "
                                      f"{_WHAT_TO_DO}")
        return None
    if not isinstance(ceremony, CeremonyRecord):
        raise ArgumentTypeError(f"ceremony is a zkcx.ceremony.CeremonyRecord (what "
                                f"verify_zkey returns), got {type(ceremony).__name__}")
    if unsafe_local_setup:
        raise KernelCeremonyError("give a ceremony record or unsafe_local_setup=True, not "
                                  "both: a key with a verified ceremony is not a local setup")
    if not any(c.kind == "contribution" for c in ceremony.contributions):
        raise KernelCeremonyError("the ceremony record has no phase-2 contribution (a "
                                  "beacon alone is public randomness): anyone who ran the "
                                  "setup can forge proofs; contribute to the key first "
                                  "(zkcx zkey contribute)")
    return ceremony


def check_terms(terms: CeremonyTerms | None, ceremony: CeremonyRecord | None,
                kernel: str) -> None:
    """Refuse (``KernelCeremonyError``) a key whose setup does not meet the ceremony
    kernel ``kernel``'s catalogue file names: another ptau file, fewer contributions,
    no final beacon, or an unsafe local setup. No terms: any verified ceremony."""
    if terms is None:
        return
    if ceremony is None:
        raise KernelCeremonyError(
            f"kernel {kernel!r}'s catalogue file names its ceremony ({terms.describe()}): "
            "its key cannot come from an unsafe local setup; register it with its "
            "transcript, or remove [ceremony] from the spec for a test")
    if terms.ptau_hash is not None and ceremony.ptau_hash != terms.ptau_hash:
        raise KernelCeremonyError(
            f"kernel {kernel!r}'s key was made from the ptau file of BLAKE2b "
            f"{ceremony.ptau_hash.hex()[:16]}…, its catalogue file names "
            f"{terms.ptau_hash.hex()[:16]}…: not the ceremony it names")
    made = sum(c.kind == "contribution" for c in ceremony.contributions)
    if made < terms.min_contributions:
        raise KernelCeremonyError(
            f"kernel {kernel!r}'s key has {made} phase-2 contribution(s), its catalogue "
            f"file requires at least {terms.min_contributions}")
    if terms.final_beacon and (not ceremony.contributions
                               or ceremony.contributions[-1].kind != "beacon"):
        raise KernelCeremonyError(f"kernel {kernel!r}'s catalogue file requires a final "
                                  "random beacon; the key's last phase-2 step is not one")


def verified_ceremony(r1cs: R1CS, ptau: Ptau, pk: ProvingKey,
                      vk: VerifyingKey | None = None, *,
                      progress: Callable[[int, int, str], None] | None = None
                      ) -> CeremonyRecord:
    """Verify the key ``pk``'s whole transcript against the circuit and the prepared
    ptau (``zkcx.ceremony.verify_zkey``: a key with no contribution is refused) and
    return its record; with ``vk``, first check that ``vk`` is ``pk``'s verifying key.
    Raises ``KernelCeremonyError`` naming what does not verify."""
    if vk is not None and vk.digest() != pk.verifying_key.digest():
        raise KernelCeremonyError(
            f"the verifying key (kernel id {vk.digest()}) is not the transcript's key's "
            f"({pk.verifying_key.digest()}): the transcript is of another key")
    try:
        return verify_zkey(r1cs, ptau, pk, progress=progress)
    except ZkcxError as exc:
        raise KernelCeremonyError(f"the key's transcript does not verify: {exc}") from exc


def ceremony_json(ceremony: CeremonyRecord | None) -> dict | str:
    """An entry's ``ceremony`` JSON value: the record's JSON, or ``UNSAFE_LOCAL_SETUP``."""
    return UNSAFE_LOCAL_SETUP if ceremony is None else ceremony.to_json()


def ceremony_from_json(value: object) -> CeremonyRecord | None:
    """Inverse of ``ceremony_json``; ``KernelRegistryError`` if it is neither."""
    if value == UNSAFE_LOCAL_SETUP:
        return None
    if not isinstance(value, dict):
        raise KernelRegistryError(f"ceremony must be a ceremony record object or "
                                  f"{UNSAFE_LOCAL_SETUP!r}, got {short(value)}")
    try:
        return CeremonyRecord.from_json(value)
    except ZkcxError as exc:
        raise KernelRegistryError(f"ceremony: {exc}") from exc


def describe_ceremony(ceremony: CeremonyRecord | None) -> str:
    """A few words for ``kernel list``: the ptau hash and the contributions, or UNSAFE."""
    if ceremony is None:
        return "UNSAFE local setup"
    made = sum(c.kind == "contribution" for c in ceremony.contributions)
    beacons = len(ceremony.contributions) - made
    return (f"ptau {ceremony.ptau_hash.hex()[:12]}…, {made} contribution"
            + ("s" if made != 1 else "") + (f" + {beacons} beacon"
                                            + ("s" if beacons > 1 else "") if beacons else ""))
