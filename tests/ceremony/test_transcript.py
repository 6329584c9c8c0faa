# SPDX-License-Identifier: MIT
"""The transcript hashes against snarkjs's files (the vectors): recomputing a
contribution's partial hash from the challenge it answered and the file's points gives
the stored 216 bytes exactly, finishing it gives the response hash whose next challenge
is the stored one, and the first contribution's proofs of knowledge hold for the first
challenge of the ceremony."""

from __future__ import annotations

import hashlib

import pytest

from tests.vectors import SNARKJS_VECTORS, VECTORS
from zkcx.ceremony.ptau import read_ptau
from zkcx.ceremony.snarkjs_rng import hash_to_g2
from zkcx.ceremony.transcript import (
    Blake2b,
    first_challenge,
    hash_response_points,
    next_challenge,
    response_hash,
)
from zkcx.curve import G1, G2, G2Vec, pairing
from zkcx.curve.encoding import g1_to_evm, g2_to_evm


@pytest.fixture(scope="module", params=SNARKJS_VECTORS)
def ptau(request):
    return read_ptau(VECTORS / request.param / "pot_final.ptau")


def sections(p):
    return [p.tau_g1, p.tau_g2, p.alpha_tau_g1, p.beta_tau_g1, G2Vec.from_points([p.beta_g2])]


def test_the_last_partial_hash_is_recomputed_byte_for_byte(ptau):
    previous, last = ptau.contributions
    h = Blake2b(previous.next_challenge)
    hash_response_points(h, sections(ptau))
    assert h.state() == last.partial_hash


def test_the_next_challenge_follows_from_the_response(ptau):
    last = ptau.contributions[-1]
    response = response_hash(last.partial_hash, last.keys)
    assert next_challenge(response, sections(ptau)) == last.next_challenge
    # the response hash is a plain BLAKE2b of its bytes: recompute it with hashlib
    keys = b"".join(g1_to_evm(p) for k in last.keys for p in (k.g1_s, k.g1_sx))
    keys += b"".join(g2_to_evm(k.g2_spx) for k in last.keys)
    h = Blake2b(ptau.contributions[0].next_challenge)
    hash_response_points(h, sections(ptau))
    assert response == h.update(keys).digest()


def test_the_first_challenge(ptau):
    n = ptau.size
    g1, g2 = g1_to_evm(G1.generator()), g2_to_evm(G2.generator())
    data = hashlib.blake2b(b"").digest() + g1 * (2 * n - 1) + g2 * n + g1 * (2 * n) + g2
    assert first_challenge(ptau.power) == hashlib.blake2b(data).digest()
    # the first contribution's proofs of knowledge answer it
    for personalization, key in enumerate(ptau.contributions[0].keys):
        digest = hashlib.blake2b(bytes([personalization]) + first_challenge(ptau.power)
                                 + g1_to_evm(key.g1_s) + g1_to_evm(key.g1_sx)).digest()
        g2_sp = hash_to_g2(digest)
        assert pairing(key.g1_s, key.g2_spx) == pairing(key.g1_sx, g2_sp)
