# SPDX-License-Identifier: MIT
"""Every environment variable zkcx reads has its effect, is read in one place, and is
listed in docs/configuration.md; the C sources read none."""

from __future__ import annotations

import ast
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

import zkcx
from zkcx._config import read_settings, switch_is_on
from zkcx.errors import ConfigurationError

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "configuration.md"
RUNTIME = ("ZKCX_THREADS", "ZKCX_NO_SIMD", "ZKCX_NO_ADX", "OMP_WAIT_POLICY", "GOMP_SPINCOUNT",
           "ZKCX_TABLE_MEMORY_MB")

_PROBE = """
import json, zkcx
print(json.dumps({"threads": zkcx.get_threads(), "simd": zkcx.simd_in_use(),
                  "adx": zkcx.adx_in_use(), "info": zkcx.build_info()}))
"""


def _probe(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in RUNTIME}
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                            timeout=120, cwd=ROOT,
                            env={**clean, "PYTHONPATH": str(ROOT), **env})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def _zkcx_info(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in RUNTIME}
    result = subprocess.run([sys.executable, "-m", "zkcx", "info"], capture_output=True,
                            text=True, timeout=120, cwd=ROOT,
                            env={**clean, "PYTHONPATH": str(ROOT), **env})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_zkcx_threads_sets_the_native_thread_count():
    assert _probe(ZKCX_THREADS="1")["threads"] == 1
    assert _probe(ZKCX_THREADS=" 3 ")["threads"] == 3
    default = _probe()
    assert default["threads"] == int(default["info"]["cores"])


@pytest.mark.parametrize("raw", ["0", "-2", "two", "1.5"])
def test_a_bad_zkcx_threads_stops_the_import_with_a_configuration_error(raw):
    clean = {k: v for k, v in os.environ.items() if k not in RUNTIME}
    result = subprocess.run([sys.executable, "-c", "import zkcx"], capture_output=True,
                            text=True, timeout=120, cwd=ROOT,
                            env={**clean, "PYTHONPATH": str(ROOT), "ZKCX_THREADS": raw})
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr and "ZKCX_THREADS" in result.stderr


def test_zkcx_no_simd_turns_the_ifma_kernels_off():
    if zkcx.build_info()["cpu_ifma"] != "1":
        pytest.skip("this CPU has no AVX-512 IFMA, so there is nothing to turn off")
    assert _probe()["simd"] is True
    for value in ("1", "yes", "TRUE"):
        probe = _probe(ZKCX_NO_SIMD=value)
        assert probe["simd"] is False and probe["info"]["simd"] == "none"
    for value in ("0", "", "false", "No"):
        assert _probe(ZKCX_NO_SIMD=value)["simd"] is True


def test_zkcx_no_adx_turns_the_mulx_adx_multiplier_off():
    if not _probe()["adx"]:
        pytest.skip("this CPU has no BMI2/ADX, so there is nothing to turn off")
    assert "cpu_adx=1," in _zkcx_info()
    assert _probe(ZKCX_NO_ADX="1")["adx"] is False
    assert "cpu_adx=0," in _zkcx_info(ZKCX_NO_ADX="1")
    assert _probe(ZKCX_NO_ADX="0")["adx"] is True


def test_omp_wait_policy_set_by_the_user_is_left_alone():
    assert _probe()["info"]["wait_policy"] == "passive"
    assert _probe(OMP_WAIT_POLICY="ACTIVE")["info"]["wait_policy"] == "active"
    assert _probe(GOMP_SPINCOUNT="1000")["info"]["wait_policy"] == "spincount"


def test_set_adx_switches_at_run_time_and_results_do_not_change():
    a, b = zkcx.FqVec.random(50, seed=1), zkcx.FqVec.random(50, seed=2)
    before = zkcx.adx_in_use()
    try:
        zkcx.set_adx(False)
        assert not zkcx.adx_in_use()
        portable = [x * y for x, y in zip(a, b)]
        zkcx.set_adx(True)
        fast = [x * y for x, y in zip(a, b)]
    finally:
        zkcx.set_adx(before)
    assert portable == fast == [zkcx.Fq(int(x) * int(y) % x.modulus) for x, y in zip(a, b)]


def test_read_settings_parses_each_variable():
    s = read_settings({"ZKCX_THREADS": "4", "ZKCX_NO_SIMD": "1", "OMP_WAIT_POLICY": "x"})
    assert (s.threads, s.simd, s.adx, s.omp_wait_policy, s.gomp_spincount) == \
        (4, False, True, "x", False)
    assert read_settings({}).threads is None
    with pytest.raises(ConfigurationError, match="ZKCX_THREADS"):
        read_settings({"ZKCX_THREADS": "0"})
    assert [switch_is_on({"X": v}, "X") for v in ("1", "on", " 0 ", "FALSE", "no", "")] == \
        [True, True, False, False, False, False]
    assert read_settings({}).table_memory == 256 * 2**20
    assert read_settings({"ZKCX_TABLE_MEMORY_MB": " 64 "}).table_memory == 64 * 2**20
    assert read_settings({"ZKCX_TABLE_MEMORY_MB": "0"}).table_memory == 0
    for raw in ("-1", "1.5", "lots"):
        with pytest.raises(ConfigurationError, match="ZKCX_TABLE_MEMORY_MB"):
            read_settings({"ZKCX_TABLE_MEMORY_MB": raw})


def test_zkcx_table_memory_mb_sets_the_provers_table_limit():
    probe = "import zkcx.groth16 as g; print(g.get_table_memory())"
    clean = {k: v for k, v in os.environ.items() if k not in RUNTIME}
    for raw, expected in (("12", 12 * 2**20), (None, 256 * 2**20)):
        env = {**clean, "PYTHONPATH": str(ROOT)}
        if raw is not None:
            env["ZKCX_TABLE_MEMORY_MB"] = raw
        result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                timeout=120, cwd=ROOT, env=env)
        assert result.returncode == 0, result.stderr[-2000:]
        assert int(result.stdout) == expected


def _names_read_in_python() -> dict[str, set[str]]:
    """Environment variable name -> the files that read it (os.environ.get/[...],
    os.getenv, ``in os.environ``, and the config and build helpers)."""
    readers = {"get", "getenv", "switch_is_on"}
    found: dict[str, set[str]] = {}
    files = sorted((ROOT / "zkcx").rglob("*.py")) + [ROOT / "native" / "build_ffi.py"]
    for path in files:
        tree = ast.parse(path.read_text())
        constants = {t.id: n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name)
                     and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
        env_names: set[str] = set()
        for node in ast.walk(tree):
            args: list[ast.expr] = []
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in readers and "environ" in ast.unparse(node) or name == "getenv":
                    args = list(node.args)
                elif name == "switch_is_on":
                    args = list(node.args[1:])
            elif isinstance(node, ast.Compare) and "environ" in ast.unparse(node):
                args = [node.left]
            elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
                  and "environ" in ast.unparse(node.value)):
                args = [node.slice]
            for arg in args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    env_names.add(arg.value)
                elif isinstance(arg, ast.Name) and arg.id in constants:
                    env_names.add(constants[arg.id])
        if path.name == "build_ffi.py":
            env_names |= set(re.findall(r'^    "(ZKCX_\w+)":', path.read_text(), re.M))
        for name in env_names:
            if re.fullmatch(r"[A-Z][A-Z0-9_]+", name):
                found.setdefault(name, set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_the_configuration_page_lists_every_variable_the_code_reads():
    read = _names_read_in_python()
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", DOC.read_text(), re.M))
    for name in RUNTIME + ("ZKCX_MARCH_NATIVE", "ZKCX_NO_OPENMP", "ZKCX_DEBUG",
                           "ZKCX_PASSWORD"):
        assert name in read, f"the scan did not find where {name} is read"
    assert set(read) - {"PYTHONPATH"} <= documented, \
        f"undocumented in docs/configuration.md: {sorted(set(read) - documented)}"
    assert documented <= set(read), f"documented but never read: {documented - set(read)}"


def test_each_native_setting_is_read_in_one_python_module():
    read = _names_read_in_python()
    for name in ("ZKCX_THREADS", "ZKCX_NO_SIMD", "ZKCX_NO_ADX", "OMP_WAIT_POLICY",
                 "GOMP_SPINCOUNT", "ZKCX_TABLE_MEMORY_MB"):
        assert read[name] == {"zkcx/_config.py"}, (name, read[name])
    for name in ("ZKCX_MARCH_NATIVE", "ZKCX_NO_OPENMP", "ZKCX_DEBUG"):
        assert read[name] == {"native/build_ffi.py"}, (name, read[name])


def test_the_c_sources_read_no_environment_variable():
    for path in sorted((ROOT / "native").rglob("*.[ch]")):
        if "tests" in path.relative_to(ROOT / "native").parts:
            continue
        text = path.read_text()
        assert not re.search(r"\b(getenv|secure_getenv|environ)\b", text), path
