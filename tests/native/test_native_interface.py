# SPDX-License-Identifier: MIT
"""The C interface itself: outputs that alias inputs, the generated constants header,
the ABI stamp, and the exact buffer sizes each call touches."""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

from zkcx._lib import ABI_VERSION, ffi, lib
from zkcx.field import FqVec, FrVec
from zkcx.params import FQ_MODULUS, FR_MODULUS

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_constants_header_is_generated_from_params():
    spec = importlib.util.spec_from_file_location("gen", ROOT / "native/gen/gen_constants.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    committed = (ROOT / "native/src/constants.h").read_text()
    assert gen.render() == committed, "run python native/gen/gen_constants.py"


def test_abi_stamp_matches_package():
    assert lib.zkcx_abi_version() == ABI_VERSION == lib.ZKCX_ABI_VERSION
    assert lib.zkcx_limbs() == 4


@pytest.mark.parametrize("Vec,p,prefix", [(FrVec, FR_MODULUS, "fr"), (FqVec, FQ_MODULUS, "fq")])
def test_outputs_may_alias_inputs(Vec, p, prefix):
    def fn(verb):
        return getattr(lib, f"zkcx_{prefix}_{verb}")

    n = 5000
    a = Vec.random(n, seed=11)
    b = Vec.random(n, seed=12)
    ai, bi = a.to_ints(), b.to_ints()
    for verb, expect in [
        ("vec_add", [(x + y) % p for x, y in zip(ai, bi)]),
        ("vec_sub", [(x - y) % p for x, y in zip(ai, bi)]),
        ("vec_mul", [x * y % p for x, y in zip(ai, bi)]),
    ]:
        buf = a.limbs.copy()
        fn(verb)(ffi.from_buffer("uint64_t[]", buf), ffi.from_buffer("uint64_t[]", buf),
                 ffi.from_buffer("uint64_t[]", b.limbs), n)
        assert Vec.from_montgomery(buf).to_ints() == expect, verb
    # out aliases both inputs: squaring in place
    buf = a.limbs.copy()
    ptr = ffi.from_buffer("uint64_t[]", buf)
    fn("vec_mul")(ptr, ptr, ptr, n)
    assert Vec.from_montgomery(buf).to_ints() == [x * x % p for x in ai]
    # batch inversion in place
    buf = a.limbs.copy()
    ptr = ffi.from_buffer("uint64_t[]", buf)
    assert fn("vec_batch_inv")(ptr, ptr, n) == 0
    assert Vec.from_montgomery(buf).to_ints() == [pow(x, -1, p) for x in ai]
    # scalar ops in place
    x = ffi.new("uint64_t[4]")
    ffi.memmove(x, a.limbs[0].tobytes(), 32)
    fn("mul")(x, x, x)
    fn("add")(x, x, x)
    assert int.from_bytes(bytes(ffi.buffer(x)), "little") == (2 * ai[0] ** 2 * 2**256) % p
    assert fn("inv")(x, x) == lib.ZKCX_OK


def test_native_calls_touch_only_their_n_elements():
    # Guard rows around the slice a call may write: they must come back untouched.
    n = 4100
    guard = np.full((n + 2, 4), 0xA5A5A5A5A5A5A5A5, dtype=np.uint64)
    a = FrVec.random(n, seed=1).limbs
    out = ffi.from_buffer("uint64_t[]", guard[1:-1])
    for verb in ("vec_mul", "vec_add", "vec_sub"):
        getattr(lib, f"zkcx_fr_{verb}")(out, ffi.from_buffer("uint64_t[]", a),
                                         ffi.from_buffer("uint64_t[]", a), n)
        assert (guard[0] == 0xA5A5A5A5A5A5A5A5).all() and (guard[-1] == 0xA5A5A5A5A5A5A5A5).all()
    lib.zkcx_fr_vec_batch_inv(out, ffi.from_buffer("uint64_t[]", a), n)
    lib.zkcx_fr_vec_powers(out, ffi.from_buffer("uint64_t[]", a), n)
    assert (guard[0] == 0xA5A5A5A5A5A5A5A5).all() and (guard[-1] == 0xA5A5A5A5A5A5A5A5).all()


def test_zero_inverse_error_code():
    z = ffi.new("uint64_t[4]")
    out = ffi.new("uint64_t[4]")
    assert lib.zkcx_fr_inv(out, z) == lib.ZKCX_ERR_ZERO_INVERSE
    assert lib.zkcx_fq_inv(out, z) == lib.ZKCX_ERR_ZERO_INVERSE


_BOTH_MULTIPLIERS_SCRIPT = r"""
import random, sys
import zkcx
from zkcx._lib import ffi, lib
from zkcx.field import FqVec, FrVec
from zkcx.params import FQ_MODULUS, FR_MODULUS
zkcx.set_simd(False)                      # the scalar multiplier on every element
info = ffi.string(lib.zkcx_build_info()).decode()
rng = random.Random(5)
for Vec, p in ((FrVec, FR_MODULUS), (FqVec, FQ_MODULUS)):
    edges = [0, 1, 2, p - 1, p - 2, (p - 1) // 2, 2**64 - 1, 2**128, 2**192 + 7]
    a = edges + [rng.randrange(p) for _ in range(3000)]
    b = [rng.randrange(p) for _ in range(3000)] + edges
    got = (Vec.from_ints(a) * Vec.from_ints(b)).to_ints()
    assert got == [x * y % p for x, y in zip(a, b)], Vec.__name__
    got = Vec.from_ints(a).square().to_ints()
    assert got == [x * x % p for x in a], Vec.__name__
print(info)
"""


@pytest.mark.parametrize("forced_portable", [False, True])
def test_both_montgomery_multipliers_agree_with_python_integers(forced_portable):
    """field_arith.h multiplies with MULX/ADX assembly when the CPU has BMI2 and ADX and
    with portable C otherwise; ZKCX_NO_ADX=1 forces the portable one, so both are checked
    here against Python integers on this machine."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if forced_portable:
        env["ZKCX_NO_ADX"] = "1"
    else:
        env.pop("ZKCX_NO_ADX", None)
    out = subprocess.run([sys.executable, "-c", _BOTH_MULTIPLIERS_SCRIPT], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    if forced_portable:
        assert "cpu_adx=0" in out.stdout
