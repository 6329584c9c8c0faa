# SPDX-License-Identifier: MIT
"""The .ptau reader and writer: snarkjs's files (the vectors, prepared, powers 2, 7, 10)
round-trip byte for byte, and every kind of truncated or inconsistent file is refused
with a FileFormatError naming the problem."""

from __future__ import annotations

import hashlib
import io
import random
import struct

import pytest

from tests.vectors import SNARKJS_VECTORS, VECTORS, curve_vector_generator
from zkcx.ceremony.ptau import Ptau, ptau_bytes, read_ptau, write_ptau
from zkcx.curve import G1, G2
from zkcx.errors import FileFormatError, InvalidArgumentError, PtauPointError
from zkcx.field import FqVec
from zkcx.io import binfile

POWERS = {"multiplier": 2, "matmul4": 7, "poseidon2": 10}


def vector_path(name: str):
    return VECTORS / name / "pot_final.ptau"


@pytest.fixture(scope="module")
def small() -> bytes:
    return vector_path("multiplier").read_bytes()


def sections_of(data: bytes) -> list[tuple[int, bytes]]:
    f = binfile.parse(data, b"ptau", 1)
    return [(sid, bytes(v)) for sid, views in f.sections.items() for v in views]


def rebuilt(data: bytes, **changes) -> bytes:
    """The file with some sections replaced (``s7=b"..."``) or dropped (``s12=None``)."""
    out = []
    for sid, payload in sections_of(data):
        key = f"s{sid}"
        if key in changes:
            if changes[key] is None:
                continue
            payload = changes[key]
        out.append((sid, payload))
    return binfile.build(b"ptau", 1, out)


def section(data: bytes, sid: int) -> bytes:
    return dict(sections_of(data))[sid]


@pytest.mark.parametrize("name", SNARKJS_VECTORS)
def test_snarkjs_files_round_trip_byte_for_byte(name, tmp_path):
    path = vector_path(name)
    data = path.read_bytes()
    ptau = read_ptau(path)
    n = 1 << POWERS[name]
    assert (ptau.power, ptau.ceremony_power, ptau.size) == (POWERS[name], POWERS[name], n)
    assert (len(ptau.tau_g1), len(ptau.tau_g2), len(ptau.alpha_tau_g1),
            len(ptau.beta_tau_g1)) == (2 * n - 1, n, n, n)
    assert ptau.is_prepared and len(ptau.lagrange_g1) == 4 * n - 1
    assert ptau_bytes(ptau) == data
    out = tmp_path / "copy.ptau"
    write_ptau(ptau, out)
    assert out.read_bytes() == data
    buffer = io.BytesIO()
    write_ptau(ptau, buffer)
    assert buffer.getvalue() == data
    assert ptau.file_hash == hashlib.blake2b(data, digest_size=64).digest()
    assert read_ptau(data) == ptau and read_ptau(io.BytesIO(data)) == ptau
    copied = read_ptau(out)  # mapped: writing it onto its own file reads the mapping
    write_ptau(copied, out)
    assert out.read_bytes() == data and ptau_bytes(copied) == data


def test_contributions_are_parsed(small):
    ptau = read_ptau(small)
    first, beacon = ptau.contributions
    assert (first.kind, first.name, first.is_beacon) == (0, "vectors contribution", False)
    assert first.iterations_exp is None and first.beacon_hash is None
    assert (beacon.kind, beacon.name, beacon.iterations_exp) == (1, "Final Beacon", 10)
    assert beacon.beacon_hash == bytes(range(1, 32))
    # the last contribution's points are the file's
    assert beacon.tau_g1 == ptau.tau_g1[1] and beacon.tau_g2 == ptau.tau_g2[1]
    assert beacon.alpha_g1 == ptau.alpha_tau_g1[0] and beacon.beta_g1 == ptau.beta_tau_g1[0]
    assert beacon.beta_g2 == ptau.beta_g2
    assert first.next_challenge != beacon.next_challenge


def test_lagrange_blocks(small):
    ptau = read_ptau(small)
    n = ptau.size
    for size in (1, 2, 4, 8):
        block = ptau.lagrange_block(12, size)
        assert len(block) == size
        # the Lagrange polynomials sum to 1: each block sums to the generator
        assert sum(block, G1.identity()) == G1.generator()
    assert sum(ptau.lagrange_block(13, n), G2.identity()) == G2.generator()
    assert sum(ptau.lagrange_block(14, n), G1.identity()) == ptau.alpha_tau_g1[0]
    for bad in (0, 3, 2 * n):
        with pytest.raises(InvalidArgumentError, match="power of two up to 4"):
            ptau.lagrange_block(15, bad)
    with pytest.raises(InvalidArgumentError, match="12, 13, 14, 15"):
        ptau.lagrange_block(2, 1)


def test_an_unprepared_file_round_trips(small):
    data = rebuilt(small, s12=None, s13=None, s14=None, s15=None)
    ptau = read_ptau(data)
    assert not ptau.is_prepared and ptau_bytes(ptau) == data
    with pytest.raises(InvalidArgumentError, match="not prepared"):
        ptau.lagrange_block(12, 1)


def test_section_order_is_kept(small):
    items = sections_of(small)
    swapped = binfile.build(b"ptau", 1, [items[0], items[2], items[1], *items[3:]])
    assert ptau_bytes(read_ptau(swapped)) == swapped


def _header(power=2, ceremony=2, n8=32, q=None):
    q = q if q is not None else (21888242871839275222246405745257275088696311157297823662689037894645226208583).to_bytes(32, "little")  # noqa: E501
    return struct.pack("<I32sII", n8, q, power, ceremony)


@pytest.mark.parametrize("cut", [0, 5, 11, 40, 200, 3000, -1])
def test_truncated_files_are_refused(small, cut):
    with pytest.raises(FileFormatError, match="ptau"):
        read_ptau(small[:cut] if cut >= 0 else small[:-1])


@pytest.mark.parametrize(("change", "message"), [
    (dict(s1=_header()[:-4]), "header is 40 bytes"),
    (dict(s1=_header(q=bytes(32))), "not BN254"),
    (dict(s1=_header(n8=48)), "not BN254"),
    (dict(s1=_header(power=0, ceremony=0)), "power 0 is outside"),
    (dict(s1=_header(power=29, ceremony=29)), "power 29 is outside"),
    (dict(s1=_header(power=2, ceremony=1)), "ceremony power 1 is below"),
    (dict(s1=_header(power=3, ceremony=3)), r"section 2 \(tauG1\) has 448 bytes, expected 15"),
    (dict(s2=None), r"section 2 \(tauG1\) is missing"),
    (dict(s6=None), r"section 6 \(betaG2\) is missing"),
    (dict(s7=None), r"section 7 \(contributions\) is missing"),
    (dict(s13=None), "section 13 is missing"),
    (dict(s12=None, s13=None, s14=None), "section 15|section 12"),
])
def test_inconsistent_files_are_refused(small, change, message):
    with pytest.raises(FileFormatError, match=message):
        read_ptau(rebuilt(small, **change))


def test_unknown_and_repeated_sections_are_refused(small):
    items = sections_of(small)
    with pytest.raises(FileFormatError, match="unexpected section 8"):
        read_ptau(binfile.build(b"ptau", 1, [*items, (8, b"")]))
    with pytest.raises(FileFormatError, match="appears 2 times"):
        read_ptau(binfile.build(b"ptau", 1, [*items, items[3]]))
    with pytest.raises(FileFormatError, match="not a ptau file"):
        read_ptau(b"zkey" + small[4:])


@pytest.mark.parametrize(("sid", "index", "size"), [(2, 3, 64), (3, 2, 128), (4, 1, 64),
                                                    (5, 0, 64), (6, 0, 128), (12, 9, 64),
                                                    (13, 4, 128), (14, 6, 64), (15, 2, 64)])
def test_points_off_the_curve_are_refused(small, sid, index, size):
    payload = bytearray(section(small, sid))
    payload[index * size + 7] ^= 1
    fields = {2: "tau_g1", 3: "tau_g2", 4: "alpha_tau_g1", 5: "beta_tau_g1", 12: "lagrange_g1",
              13: "lagrange_g2", 14: "lagrange_alpha_g1", 15: "lagrange_beta_g1"}

    def load() -> None:  # a point section is checked when first used
        ptau = read_ptau(rebuilt(small, **{f"s{sid}": bytes(payload)}))
        if sid in fields:
            getattr(ptau, fields[sid])

    with pytest.raises(FileFormatError, match=f"section {sid} .*point {index} "):
        load()


@pytest.mark.parametrize(("sid", "index", "size"), [(2, 5, 64), (13, 4, 128), (12, 9, 64)])
def test_a_bad_point_is_found_when_its_block_is_used(small, sid, index, size):
    """Blocks around a bad point are usable; the block holding it, or the whole section,
    raises PtauPointError naming the point, however often it is asked for, and whatever
    blocks around it were checked before."""
    payload = bytearray(section(small, sid))
    payload[index * size + 7] ^= 1
    ptau = read_ptau(rebuilt(small, **{f"s{sid}": bytes(payload)}))
    assert len(ptau.section_points(sid, 0, index)) == index
    ptau.section_points(sid, index + 1, index + 2)
    for _ in range(2):
        with pytest.raises(PtauPointError, match=f"section {sid} .*point {index} "):
            ptau.section_points(sid, index - 1, index + 1)
    # a block over checked blocks on both sides checks the run between them
    with pytest.raises(PtauPointError, match=f"section {sid} .*point {index} "):
        ptau.section_points(sid, 0, index + 2)
    if sid == 13:
        with pytest.raises(PtauPointError, match=f"point {index} "):
            ptau.lagrange_block(13, 4)
        assert ptau.lagrange_block(13, 2).equals(ptau.section_points(13, 1, 3))


def _not_generator(small, sid, size):
    payload = bytearray(section(small, sid))
    other = G1.generator() * 5 if size == 64 else G2.generator() * 5
    payload[:size] = other.montgomery_limbs()
    return rebuilt(small, **{f"s{sid}": bytes(payload)})


def test_the_first_powers_must_be_the_generators(small):
    with pytest.raises(FileFormatError, match=r"section 2 .*not the G1 generator"):
        read_ptau(_not_generator(small, 2, 64))
    with pytest.raises(FileFormatError, match=r"section 3 .*not the G2 generator"):
        read_ptau(_not_generator(small, 3, 128))
    with pytest.raises(FileFormatError, match="section 14: the size-1 Lagrange block"):
        read_ptau(_not_generator(small, 14, 64))


def _twist_point_bytes() -> bytes:
    """A point of the twist curve outside the order-r subgroup, in file layout."""
    pytest.importorskip("py_ecc")
    x0, x1, y0, y1 = curve_vector_generator().random_twist_point(random.Random(5))
    return FqVec.from_ints([x0, x1, y0, y1]).limbs.tobytes()


def test_g2_points_outside_the_subgroup_are_refused(small):
    twist = _twist_point_bytes()
    with pytest.raises(FileFormatError, match=r"section 6 \(betaG2\).*subgroup"):
        read_ptau(rebuilt(small, s6=twist))
    record = bytearray(section(small, 7))
    tau_g2 = 4 + 64
    record[tau_g2 : tau_g2 + 128] = twist
    with pytest.raises(FileFormatError, match="contribution #1: tauG2: .*subgroup"):
        read_ptau(rebuilt(small, s7=bytes(record)))


# -- section 7 ---------------------------------------------------------------------------
RECORD = 3 * 64 + 2 * 128 + 6 * 64 + 3 * 128  # points and public key
PARTIAL = 4 + RECORD  # offset of the first record's partial hash


def _records(small):
    s7 = section(small, 7)
    return s7[:4], s7[4:]


def test_contribution_count_beyond_the_section_is_refused(small):
    s7 = bytearray(section(small, 7))
    s7[:4] = struct.pack("<I", 1000)
    with pytest.raises(FileFormatError, match="declares 1000 contributions"):
        read_ptau(rebuilt(small, s7=bytes(s7)))
    s7[:4] = struct.pack("<I", 1)
    with pytest.raises(FileFormatError, match="bytes after its 1 contributions"):
        read_ptau(rebuilt(small, s7=bytes(s7)))
    with pytest.raises(FileFormatError, match="contribution #2: truncated in its parameters"):
        read_ptau(rebuilt(small, s7=section(small, 7)[:-3]))
    with pytest.raises(FileFormatError, match="truncated in its contribution count"):
        read_ptau(rebuilt(small, s7=b"\x00"))


def _with_tail(small, kind: int, params: bytes) -> bytes:
    """The file whose first contribution has this type and these parameters."""
    s7 = section(small, 7)
    at = PARTIAL + 216 + 64
    old_len = struct.unpack_from("<I", s7, at + 4)[0]
    record = s7[:at] + struct.pack("<II", kind, len(params)) + params
    return rebuilt(small, s7=record + s7[at + 8 + old_len:])


@pytest.mark.parametrize(("kind", "params", "message"), [
    (2, b"", "unknown type 2"),
    (0, b"\x01\x02ab\x01\x01c", "parameter 1 after 1"),
    (0, b"\x04\x00", "unknown parameter type 4"),
    (0, b"\x01\x05ab", "parameters end inside the name"),
    (0, b"\x01\x02\xff\xfe", "name is not UTF-8"),
    (1, b"\x01\x01a", "beacon without its iterations"),
    (1, b"\x02\x0a", "beacon without its iterations"),
    (0, b"\x02\x0a\x03\x01\x00", "contribution .type 0. with beacon parameters"),
])
def test_bad_contribution_parameters_are_refused(small, kind, params, message):
    with pytest.raises(FileFormatError, match=f"contribution #1: .*{message}"):
        read_ptau(_with_tail(small, kind, params))


def test_parameters_round_trip(small):
    for kind, params in [(0, b""), (0, b"\x01\x00"), (0, "é✓".encode().join([b"\x01\x05", b""])),
                         (1, b"\x02\x0c\x03\x02\xab\xcd")]:
        data = _with_tail(small, kind, params)
        assert ptau_bytes(read_ptau(data)) == data


@pytest.mark.parametrize(("offset", "value", "message"), [
    (192, 7, "not a whole number of 128-byte blocks"),
    (200, 129, "buffer fill 129 exceeds"),
    (208, 1, "finalised"),
])
def test_malformed_partial_hash_states_are_refused(small, offset, value, message):
    s7 = bytearray(section(small, 7))
    struct.pack_into("<Q", s7, PARTIAL + offset, value)
    with pytest.raises(FileFormatError, match=f"contribution #1: the partial hash.*{message}"):
        read_ptau(rebuilt(small, s7=bytes(s7)))


def test_ptau_equality_is_by_file_bytes(small):
    a, b = read_ptau(small), read_ptau(small)
    assert a == b and a is not b
    other = read_ptau(_with_tail(small, 0, b"\x01\x01z"))
    assert a != other
    assert isinstance(a, Ptau) and a != "ptau"



def test_a_ptau_checks_its_own_shape(small):
    import dataclasses

    ptau = read_ptau(small)
    with pytest.raises(InvalidArgumentError, match="tau_g1 must be a G1Vec of 7 points"):
        dataclasses.replace(ptau, tau_g1=ptau.tau_g1[:5])
    with pytest.raises(InvalidArgumentError, match="all four Lagrange sections"):
        dataclasses.replace(ptau, lagrange_g2=None)
    with pytest.raises(InvalidArgumentError, match="power <= ceremony_power"):
        dataclasses.replace(ptau, ceremony_power=1)
    with pytest.raises(InvalidArgumentError, match="beta_g2 must be a G2"):
        dataclasses.replace(ptau, beta_g2=G1.generator())
