# SPDX-License-Identifier: MIT
"""snarkjs's point encodings that its transcripts hash, vectorised: ``to_compressed``
and the uncompressed ``points_to_evm`` give the same bytes as a per-point derivation
from the affine integers, and as ffjavascript's toRprCompressed / toRprUncompressed
(where node is installed)."""

from __future__ import annotations

import json
import random

import pytest

from tests.ceremony._zkey_node import node_eval  # noqa: F401 (fixture)
from zkcx.curve import G1, G2, G1Vec, G2Vec
from zkcx.curve.encoding import points_to_evm, to_compressed
from zkcx.errors import ArgumentTypeError
from zkcx.params import FQ_MODULUS as P


def _negative(c0: int, c1: int | None = None) -> bool:
    if c1 is None:
        return c0 > (P - 1) // 2
    return c1 > (P - 1) // 2 if c1 else c0 > (P - 1) // 2


def _expected(point) -> tuple[bytes, bytes]:
    """(uncompressed, compressed) of one point from its affine integers."""
    a = point.to_affine()
    size = 64 if isinstance(point, G1) else 128
    if a is None:
        return bytes(size), b"\x40" + bytes(size // 2 - 1)
    if isinstance(point, G1):
        x, y = a
        xs, flag = x.to_bytes(32, "big"), _negative(y)
        ys = y.to_bytes(32, "big")
    else:
        (x0, x1), (y0, y1) = a
        xs, flag = x1.to_bytes(32, "big") + x0.to_bytes(32, "big"), _negative(y0, y1)
        ys = y1.to_bytes(32, "big") + y0.to_bytes(32, "big")
    compressed = bytes([xs[0] | (0x80 if flag else 0)]) + xs[1:]
    return xs + ys, compressed


def _points(kind, n, seed):
    rng = random.Random(seed)
    gen = kind.generator()
    pts = [gen * rng.randrange(1, 2**200) for _ in range(n)]
    pts[n // 2] = kind.identity()
    pts.append(-pts[0])  # the same x, the other y: only the flag differs
    return pts


@pytest.mark.parametrize(("kind", "vec"), [(G1, G1Vec), (G2, G2Vec)])
def test_encodings_match_the_per_point_derivation(kind, vec):
    pts = _points(kind, 30, 1)
    u, c = points_to_evm(vec.from_points(pts)), to_compressed(vec.from_points(pts))
    size = len(u) // len(pts)
    for i, p in enumerate(pts):
        assert (u[i * size : (i + 1) * size], c[i].tobytes()) == _expected(p)
    assert c[0, 0] & 0x80 != c[-1, 0] & 0x80
    assert to_compressed(vec.identities(0)).shape == (0, 32 if kind is G1 else 64)


def test_g2_sign_falls_back_to_c0_when_c1_is_zero():
    # a G2 point with y.c1 = 0 is rare; the rule is checked on the flag helper instead
    assert _negative(P - 1, 0) and not _negative(1, 0)


def test_vectors_only():
    with pytest.raises(ArgumentTypeError, match="G1Vec or G2Vec"):
        to_compressed([G1.generator()])


def test_the_same_bytes_as_ffjavascript(node_eval):  # noqa: F811
    pts1, pts2 = _points(G1, 12, 2), _points(G2, 12, 3)
    lem1 = [p.montgomery_limbs().hex() for p in pts1]
    lem2 = [p.montgomery_limbs().hex() for p in pts2]
    source = """
import { buildBn128 } from "ffjavascript";
const curve = await buildBn128(true);
const hex = (b) => Buffer.from(b).toString("hex");
const enc = (G, points, size) => {
    const u = new Uint8Array(points.length * size);
    const c = new Uint8Array(points.length * size / 2);
    points.forEach((h, i) => {
        const p = new Uint8Array(Buffer.from(h, "hex"));
        G.toRprUncompressed(u, i * size, p);
        G.toRprCompressed(c, i * size / 2, p);
    });
    return [hex(u), hex(c)];
};
console.log(JSON.stringify([...enc(curve.G1, LEM1, 64), ...enc(curve.G2, LEM2, 128)]));
await curve.terminate();
""".replace("LEM1", json.dumps(lem1)).replace("LEM2", json.dumps(lem2))
    theirs = json.loads(node_eval(source))
    ours = [points_to_evm(G1Vec.from_points(pts1)), to_compressed(G1Vec.from_points(pts1)),
            points_to_evm(G2Vec.from_points(pts2)), to_compressed(G2Vec.from_points(pts2))]
    assert [bytes(a).hex() for a in ours] == theirs
