# SPDX-License-Identifier: MIT
"""zkcx.ceremony.snarkjs_rng draws what ffjavascript draws from the same seed: field
elements, G1 and G2 points (cofactor cleared) and snarkjs's hashToG2."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.ceremony._zkey_node import node_eval  # noqa: F401 (fixture)
from zkcx.ceremony.snarkjs_rng import ChaChaStream, beacon_stream, hash_to_g2
from zkcx.curve import G2
from zkcx.errors import InvalidArgumentError

SEEDS = [[0] * 8, [1, 2, 3, 4, 5, 6, 7, 8], [0xFFFFFFFF] * 8, [7, 0, 0, 0, 0, 0, 0, 9]]


def test_the_stream_is_rfc_8439_chacha20_with_a_zero_key() -> None:
    # RFC 7539 section 2.3.2's zero test vector starts 76 b8 e0 ad (little-endian word)
    assert ChaChaStream([0] * 8).next_u32() == 0xADE0B876


def test_a_seed_is_eight_32_bit_words() -> None:
    with pytest.raises(InvalidArgumentError, match="eight 32-bit words"):
        ChaChaStream([1] * 7)


def test_g2_points_drawn_lie_in_the_subgroup() -> None:
    for seed in SEEDS:
        point = ChaChaStream(seed).g2()
        x, y = point.to_affine()
        G2(x, y)  # the constructor checks subgroup membership


def test_a_beacon_stream_hashes_its_seed_two_to_the_e_times() -> None:
    digest = b"beacon"
    for _ in range(1 << 3):
        digest = hashlib.sha256(digest).digest()
    assert beacon_stream(b"beacon", 3).fr() == ChaChaStream.from_hash(digest).fr()


def test_draws_equal_ffjavascripts(node_eval) -> None:  # noqa: F811
    source = """
import { buildBn128, ChaCha } from "ffjavascript";
const curve = await buildBn128(true);
const out = [];
const str = (o) => JSON.parse(JSON.stringify(o,
  (k, v) => typeof v === "bigint" ? v.toString() : v));
for (const seed of SEEDS_JSON) {
  const rng = new ChaCha(seed);
  const fr = curve.Fr.toObject(curve.Fr.fromRng(rng));
  const g1 = curve.G1.toObject(curve.G1.toAffine(curve.G1.fromRng(rng)));
  const g2 = curve.G2.toObject(curve.G2.toAffine(curve.G2.fromRng(rng)));
  out.push(str([fr, g1, g2]));
}
console.log(JSON.stringify(out));
await curve.terminate();
""".replace("SEEDS_JSON", json.dumps(SEEDS))
    expected = json.loads(node_eval(source))
    for seed, (fr, g1, g2) in zip(SEEDS, expected):
        stream = ChaChaStream(seed)
        assert int(stream.fr()) == int(fr)
        assert list(stream.g1().to_affine()) == [int(v) for v in g1[:2]]
        x, y = stream.g2().to_affine()
        assert [list(x), list(y)] == [[int(v) for v in c] for c in g2[:2]]


def test_hash_to_g2_equals_snarkjss(node_eval) -> None:  # noqa: F811
    digests = [hashlib.blake2b(bytes([i])).digest() for i in range(3)]
    source = """
import { buildBn128 } from "ffjavascript";
import { hashToG2 } from "./node_modules/snarkjs/src/keypair.js";
const curve = await buildBn128(true);
const out = [];
for (const hex of DIGESTS_JSON) {
  const p = curve.G2.toAffine(hashToG2(curve, Uint8Array.from(Buffer.from(hex, "hex"))));
  out.push(curve.G2.toObject(p).slice(0, 2).map(c => c.map(v => v.toString())));
}
console.log(JSON.stringify(out));
await curve.terminate();
""".replace("DIGESTS_JSON", json.dumps([d.hex() for d in digests]))
    for digest, (x, y) in zip(digests, json.loads(node_eval(source))):
        px, py = hash_to_g2(digest).to_affine()
        assert [list(px), list(py)] == [[int(v) for v in x], [int(v) for v in y]]
