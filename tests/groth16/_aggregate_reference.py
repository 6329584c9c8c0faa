# SPDX-License-Identifier: MIT
"""An independent verifier of zkcx aggregate proofs in pure Python over py_ecc
(optimized_bn128), written from the scheme and the byte format, for the cross-check of
tests/groth16/test_aggregate_reference.py: it parses the bytes itself, decompresses GT
elements in py_ecc's Fq12, replays the transcript with hashlib, and checks each of the
verifier's equations on its own (no random combination, no multi-exponentiation) with
every statement's vk_x computed separately. Slow: for a handful of proofs only."""

from __future__ import annotations

import hashlib
import struct

from py_ecc import optimized_bn128 as bn

from tests.vectors import curve_vector_generator

P, R = bn.field_modulus, bn.curve_order
MONT_INV = pow(2**256, -1, P)
_conv = curve_vector_generator()


def _fq(data: bytes) -> int:
    value = int.from_bytes(data, "little")
    assert value < P
    return value * MONT_INV % P


def _mont(value: int) -> bytes:
    return (value * 2**256 % P).to_bytes(32, "little")


def _g1(data: bytes):
    x, y = _fq(data[:32]), _fq(data[32:])
    if x == y == 0:
        return bn.Z1
    point = (bn.FQ(x), bn.FQ(y), bn.FQ(1))
    assert bn.is_on_curve(point, bn.b)
    return point


def _g2(data: bytes):
    c = [_fq(data[32 * k:32 * k + 32]) for k in range(4)]
    if not any(c):
        return bn.Z2
    point = (bn.FQ2(c[0:2]), bn.FQ2(c[2:4]), bn.FQ2([1, 0]))
    assert bn.is_on_curve(point, bn.b2)
    return point


def g1_bytes(point) -> bytes:
    if bn.is_inf(point):
        return bytes(64)
    x, y = bn.normalize(point)
    return _mont(int(x)) + _mont(int(y))


def g2_bytes(point) -> bytes:
    if bn.is_inf(point):
        return bytes(128)
    x, y = bn.normalize(point)
    return b"".join(_mont(int(v)) for v in (*x.coeffs, *y.coeffs))


def _fq12(tower_words: list[int]):
    return bn.FQ12(_conv.pyecc_from_tower(tower_words))


def gt_bytes(element) -> bytes:
    return b"".join(_mont(v) for v in _conv.tower_from_pyecc(element.coeffs))


def _gt(form: bytes):
    """(c + w) / (c - w) for c in Fq6 (six Fq, tower order); c = 0 is 1."""
    c = [_fq(form[32 * k:32 * k + 32]) for k in range(6)]
    if not any(c):
        return bn.FQ12.one()
    w = [0] * 12
    w[6] = 1                   # c1.c0 real part: w
    cc = _fq12(c + [0] * 6)
    ww = _fq12(w)
    return (cc + ww) / (cc - ww)


class _Transcript:
    def __init__(self, label: bytes) -> None:
        self.state = hashlib.sha256(b"zkcx-snarkpack-v1").digest()
        self.absorb(b"label", label)

    def absorb(self, tag: bytes, data: bytes) -> None:
        self.state = hashlib.sha256(self.state + len(tag).to_bytes(2, "big") + tag
                                    + len(data).to_bytes(8, "big") + data).digest()

    def challenge(self, tag: bytes) -> int:
        counter = 0
        while True:
            value = int.from_bytes(hashlib.sha512(self.state + b"challenge" + tag
                                                  + counter.to_bytes(4, "big")).digest(),
                                   "big") % R
            if value:
                self.absorb(b"challenge/" + tag, value.to_bytes(32, "big"))
                return value
            counter += 1


def reference_verify(data: bytes, vk: dict, srs: dict, publics: list[list[int]],
                     label: bytes) -> bool:
    """``vk``: alpha (G1), beta, gamma, delta (G2), ic (list of G1), py_ecc points;
    ``srs``: size, g_a, h_a, g_b, h_b."""
    _, _, count, m = struct.unpack_from(">7sBIB", data)
    n = 1 << m
    pos = 13
    gts = []
    for _ in range(5 + 10 * m):
        gts.append(_gt(data[pos:pos + 192]))
        pos += 192

    def take(size, parse):
        nonlocal pos
        chunk = data[pos:pos + size]
        pos += size
        return parse(chunk)

    z_c = take(64, _g1)
    c_lr = [(take(64, _g1), take(64, _g1)) for _ in range(m)]
    a_f, c_f = take(64, _g1), take(64, _g1)
    w_f = (take(64, _g1), take(64, _g1))
    open_w = (take(64, _g1), take(64, _g1))
    b_f = take(128, _g2)
    v_f = (take(128, _g2), take(128, _g2))
    open_v = (take(128, _g2), take(128, _g2))
    assert pos == len(data)

    rows = [list(p) for p in publics] + [list(publics[-1])] * (n - count)
    t = _Transcript(label)
    srs_digest = hashlib.sha256(b"zkcx-snarkpack-srs-v1" + g1_bytes(srs["g_a"])
                                + g2_bytes(srs["h_a"])
                                + g1_bytes(srs["g_b"]) + g2_bytes(srs["h_b"])).digest()
    t.absorb(b"srs", srs_digest)
    vk_digest = hashlib.sha256(b"zkcx-groth16-vk-v1" + g1_bytes(vk["alpha"])
                               + g2_bytes(vk["beta"]) + g2_bytes(vk["gamma"])
                               + g2_bytes(vk["delta"])
                               + b"".join(g1_bytes(p) for p in vk["ic"])).hexdigest()
    t.absorb(b"vk", vk_digest.encode())
    t.absorb(b"count", count.to_bytes(8, "big"))
    t.absorb(b"public", b"".join((v * 2**256 % R).to_bytes(32, "little")   # Montgomery Fr
                                 for row in rows for v in row))
    t.absorb(b"commitments", b"".join(gt_bytes(g) for g in gts[:4]))
    r = t.challenge(b"r")
    t.absorb(b"aggregated", gt_bytes(gts[4]) + g1_bytes(z_c))
    xs = []
    for j in range(m):
        t.absorb(b"round", b"".join(gt_bytes(g) for g in gts[5 + 10 * j:15 + 10 * j])
                 + g1_bytes(c_lr[j][0]) + g1_bytes(c_lr[j][1]))
        xs.append(t.challenge(b"x"))
    t.absorb(b"final", g1_bytes(a_f) + g2_bytes(b_f) + g1_bytes(c_f) + g2_bytes(v_f[0])
             + g2_bytes(v_f[1]) + g1_bytes(w_f[0]) + g1_bytes(w_f[1]))
    z = t.challenge(b"z")
    inv = [pow(x, -1, R) for x in xs]

    # the Groth16 equation over all statements
    vk_x_sum = bn.Z1
    for i, row in enumerate(rows):
        vk_x = vk["ic"][0]
        for value, point in zip(row, vk["ic"][1:]):
            vk_x = bn.add(vk_x, bn.multiply(point, value))
        vk_x_sum = bn.add(vk_x_sum, bn.multiply(vk_x, pow(r, i, R)))
    total = sum(pow(r, i, R) for i in range(n)) % R
    z_ab = gts[4]
    groth16 = (bn.pairing(vk["beta"], vk["alpha"]) ** total * bn.pairing(vk["gamma"], vk_x_sum)
               * bn.pairing(vk["delta"], z_c))
    if z_ab != groth16:
        return False

    # GIPA: fold the five targets with the challenges
    targets = [gts[4], gts[0], gts[1], gts[2], gts[3]]
    positions = [(0, 1), (2, 4), (3, 5), (6, 8), (7, 9)]
    for j in range(m):
        rnd = gts[5 + 10 * j:15 + 10 * j]
        for k, (left, right) in enumerate(positions):
            targets[k] = targets[k] * rnd[left] ** xs[j] * rnd[right] ** inv[j]
    expected = [bn.pairing(b_f, a_f),
                bn.pairing(v_f[0], a_f) * bn.pairing(b_f, w_f[0]),
                bn.pairing(v_f[1], a_f) * bn.pairing(b_f, w_f[1]),
                bn.pairing(v_f[0], c_f), bn.pairing(v_f[1], c_f)]
    if targets != expected:
        return False
    folded_c = z_c
    s = 1
    for j in range(m):
        folded_c = bn.add(folded_c, bn.add(bn.multiply(c_lr[j][0], xs[j]),
                                           bn.multiply(c_lr[j][1], inv[j])))
        s = s * (1 + inv[j]) % R
    if not bn.eq(folded_c, bn.multiply(c_f, s)):
        return False

    # KZG: the final keys are the folded SRS keys, evaluated coefficient by coefficient
    def fold_coefficient(i: int, challenges: list[int]) -> int:
        value = 1
        for j in range(m):
            if (i >> (m - 1 - j)) & 1:
                value = value * challenges[j] % R
        return value

    r_inv = pow(r, -1, R)
    v_value = sum(fold_coefficient(i, inv) * pow(r_inv * z, i, R) for i in range(n)) % R
    w_value = sum(fold_coefficient(i, xs) * pow(z, n + i, R) for i in range(n)) % R
    g, h = bn.G1, bn.G2
    for key, opening, g_secret in ((v_f[0], open_v[0], srs["g_a"]),
                                   (v_f[1], open_v[1], srs["g_b"])):
        if bn.pairing(opening, bn.add(g_secret, bn.neg(bn.multiply(g, z)))) != \
                bn.pairing(bn.add(key, bn.neg(bn.multiply(h, v_value))), g):
            return False
    for key, opening, h_secret in ((w_f[0], open_w[0], srs["h_a"]),
                                   (w_f[1], open_w[1], srs["h_b"])):
        if bn.pairing(bn.add(h_secret, bn.neg(bn.multiply(h, z))), opening) != \
                bn.pairing(h, bn.add(key, bn.neg(bn.multiply(g, w_value)))):
            return False
    return True
