# SPDX-License-Identifier: MIT
"""Properties of the CLI's transaction files and parameter edits: token amounts parse
exactly, a signed transaction file round-trips its bytes, a flipped byte never passes
as the same signed operation, and ``--set`` changes exactly the fields it names."""

from __future__ import annotations

import decimal
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zkcx.accounts import Signer
from zkcx.cli._args import parse_tokens
from zkcx.cli._files import decode
from zkcx.cli._txfile import _from_document, read_tx, tx_document
from zkcx.cli.errors import UsageError
from zkcx.cli.gov_commands import apply_changes, changed_fields
from zkcx.errors import SignatureError
from zkcx.rewards import DEFAULT_PARAMS, TOKEN, Stake, Transfer
from zkcx.rewards.params import ClaimKind
from zkcx.rollup import SignedOperation, chain_domain

KEYS = [Signer(bytes(31) + bytes([i])) for i in range(1, 4)]


@given(st.integers(1, 10**40))
def test_token_amounts_parse_to_the_exact_base_units(units):
    whole, fraction = divmod(units, TOKEN)
    assert parse_tokens(f"{whole}.{fraction:018d}") == units
    if whole:
        assert parse_tokens(f"{whole}") == whole * TOKEN
    assert parse_tokens(str(decimal.Decimal(units).scaleb(-18, decimal.Context(prec=100)))) == units


@pytest.mark.parametrize("text", ["0", "-1", "1e-19", "0.0000000000000000001", "nan",
                                  "inf", "1,5", "", "x"])
def test_bad_token_amounts_are_refused(text):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError):
        parse_tokens(text)


operations = st.builds(
    lambda key, other, amount, kind: (key, Stake(str(key.address), amount) if kind
                                      else Transfer(str(key.address), str(other.address),
                                                    amount)),
    st.sampled_from(KEYS[:2]), st.sampled_from(KEYS[2:]), st.integers(1, 2**255),
    st.booleans())


@settings(max_examples=40, deadline=None)
@given(operations, st.integers(0, 2**64 - 1), st.integers(1, 2**64 - 1),
       st.data())
def test_a_tx_file_round_trips_and_a_flipped_byte_is_never_the_same_tx(
        op, nonce, chain_id, data):
    key, operation = op
    domain = chain_domain(chain_id)
    signed = SignedOperation.sign(operation, nonce, key, domain)
    document = json.loads(json.dumps(tx_document(signed, chain_id)))
    back, back_id = _from_document(document)
    assert back.to_bytes() == signed.to_bytes() and back_id == chain_id
    assert back.signer(domain) == key.address
    raw = bytearray(signed.to_bytes())
    i = data.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= data.draw(st.integers(1, 255))
    document["operation"] = "0x" + raw.hex()
    try:
        changed, _ = decode("tx.json", "transaction file", _from_document, document)
    except UsageError as exc:
        assert "tx.json" in str(exc)
        return
    try:
        signer = changed.signer(domain)
    except SignatureError:  # no key recovers: the builder rejects it as bad-signature
        return
    # whatever it now says, it is not signed by the account that acts in it
    assert str(signer) != changed.actor


def test_read_tx_names_the_file_of_a_bad_document(tmp_path):
    for content in ({"format": "zkcx-claim-v2"}, {"format": "zkcx-tx-v1", "chain_id": 0,
                                                  "operation": "0x00"},
                    {"format": "zkcx-tx-v1", "chain_id": 5, "operation": 7},
                    {"format": "zkcx-tx-v1", "chain_id": 5, "operation": "0xzz"}):
        path = tmp_path / "t.json"
        path.write_text(json.dumps(content))
        with pytest.raises(UsageError, match="t.json"):
            read_tx(path)


@given(st.dictionaries(st.sampled_from([k.value for k in ClaimKind]),
                       st.integers(0, 10**6), min_size=1),
       st.integers(0, 10**6))
def test_set_changes_exactly_the_named_fields(weights, emission):
    changes = [f"kind_weights.{k}={w}" for k, w in weights.items()]
    changes.append(f"emission_ppb={emission}")
    params = apply_changes(DEFAULT_PARAMS, changes)
    expected = {f"kind_weights.{k}" for k, w in weights.items()
                if w != DEFAULT_PARAMS.kind_weight(ClaimKind(k))}
    if emission != DEFAULT_PARAMS.emission_ppb:
        expected.add("emission_ppb")
    assert set(changed_fields(DEFAULT_PARAMS, params)) == expected
    assert params.emission_ppb == emission
    assert all(params.kind_weight(ClaimKind(k)) == w for k, w in weights.items())
