# SPDX-License-Identifier: MIT
"""Shared fixtures: both field implementations, and galois fields built without the
slow primitive-element search (galois factors p - 1 for minutes otherwise; the
element is only a construction hint, unused by the arithmetic these tests compare)."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, settings

import zkcx.field as native
import zkcx.field.reference as reference
from zkcx.params import FQ_MODULUS, FR_MODULUS

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Smallest primitive roots; galois would otherwise factor p - 1 for minutes.
PRIMITIVE_ROOT = {FR_MODULUS: 5, FQ_MODULUS: 3}


@pytest.fixture(scope="session")
def galois_field():
    galois = pytest.importorskip("galois")
    cache: dict[int, object] = {}

    def get(modulus: int):
        if modulus not in cache:
            cache[modulus] = galois.GF(
                modulus, primitive_element=PRIMITIVE_ROOT[modulus], verify=False
            )
        return cache[modulus]

    return get


@pytest.fixture(params=["native", "reference"])
def impl(request):
    """The module under test: the native field or the pure-Python reference."""
    return native if request.param == "native" else reference


@pytest.fixture(params=["Fr", "Fq"])
def field_name(request) -> str:
    return request.param


# -- the npm toolchain (snarkjs, circom, solc) shared by the node tests --------------------
ROOT = pathlib.Path(__file__).resolve().parents[1]
#: Where the npm packages live; ``.ci/run`` installs them up front.
NPM_CACHE = ROOT / ".ci-cache" / "npm"
#: The pinned packages, installed together so one ``npm install`` serves every test.
NPM_PACKAGES = ["snarkjs@0.7.6", "circom2@0.2.23", "circomlib@2.0.5", "circomlibjs@0.1.7",
                "solc@0.8.26"]


def npm_installed(relative: str) -> pathlib.Path | None:
    """``NPM_CACHE/node_modules/<relative>``, after installing NPM_PACKAGES with npm if it
    is missing; None where npm is not installed (the caller skips, saying so)."""
    target = NPM_CACHE / "node_modules" / relative
    if target.exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        return None
    NPM_CACHE.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(NPM_CACHE),
                    *NPM_PACKAGES], check=True, capture_output=True, text=True, timeout=600)
    return target if target.exists() else None


# -- a throwaway PostgreSQL server (tests/_postgres.py) -------------------------------------
@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server started for this session from Debian's package, stopped at
    its end; the tests that use it skip with the reason where it cannot start."""
    from tests import _postgres

    try:
        server = _postgres.start()
    except _postgres.Unavailable as exc:
        pytest.skip(f"no PostgreSQL for the tests: {exc}")
    yield server
    server.stop()


@pytest.fixture()
def postgres_url(postgres_server) -> str:
    """The postgresql:// URL (with a password) of a new, empty database on the session's
    server: a test's own."""
    return postgres_server.new_database()
