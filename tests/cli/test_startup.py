# SPDX-License-Identifier: MIT
"""The ``zkcx`` command starts light: a command imports its own module only, ``zkcx
prove`` loads nothing of the rollup, the market, the accounts' Ethereum libraries or the
kernels, and ``ZKCX_STOP_AT_WORK=1`` ends a command where its work starts (how
benchmarks/startup_report.py measures start-up; no timing is asserted here).

The child runs ``python -m zkcx`` through a small ``-c`` launcher that lists
``sys.modules`` when the process ends: ``work_starts`` leaves with ``os._exit``, which
skips exit hooks, so the launcher wraps ``os._exit`` itself (``-X importtime`` would miss
modules loaded through ``importlib``, as the lazy command table loads them)."""

from __future__ import annotations

import argparse
import importlib
import os
import pathlib
import subprocess
import sys

import pytest

from tests.cli.conftest import ROOT, run_main

cli_main = importlib.import_module("zkcx.cli.main")  # zkcx.cli.main is also the function

VECTORS = ROOT / "tests" / "vectors" / "multiplier"

#: what `zkcx prove KEY --wtns W` must not import
NOT_FOR_PROVING = ("py_ecc", "eth_keyfile", "eth_keys", "eth_utils", "eth_hash", "coincurve",
                   "Crypto", "pydantic", "sqlite3", "hypothesis", "matplotlib",
                   "concurrent.futures", "fastapi", "uvicorn", "httpx", "dask", "psycopg",
                   "jinja2", "starlette", "distributed", "tqdm",
                   "zkcx.rollup", "zkcx.market", "zkcx.kernels", "zkcx.ceremony",
                   "zkcx.accounts", "zkcx.rewards", "zkcx.gadgets")

#: runs ``python -m zkcx ARGS`` and writes the names in sys.modules to LISTING at the end,
#: whether the command returns, raises SystemExit or leaves through os._exit
_LAUNCHER = """
import os, runpy, sys
listing, args = sys.argv[1], sys.argv[2:]
def write_listing():
    with open(listing, "w") as fh:
        fh.write("\\n".join(sorted(sys.modules)))
def listing_exit(code, _exit=os._exit):
    write_listing()
    _exit(code)
os._exit = listing_exit
sys.argv = ["zkcx", *args]
try:
    runpy.run_module("zkcx", run_name="__main__", alter_sys=True)
finally:
    write_listing()
"""


class Child:
    """A finished child: exit code, output, and the modules it had imported."""

    def __init__(self, proc: subprocess.CompletedProcess, modules: set[str]) -> None:
        self.returncode, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr
        self.modules = modules


def _child(*args: str, cwd: pathlib.Path, stop: bool = True) -> Child:
    """``zkcx ARGS`` in a child process (with ``ZKCX_STOP_AT_WORK=1`` if ``stop``)."""
    env = {k: v for k, v in os.environ.items() if k != "ZKCX_STOP_AT_WORK"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    if stop:
        env["ZKCX_STOP_AT_WORK"] = "1"
    listing = cwd.parent / f"{cwd.name}.modules"
    proc = subprocess.run([sys.executable, "-c", _LAUNCHER, str(listing), *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    modules = set(listing.read_text().split()) if listing.exists() else set()
    listing.unlink(missing_ok=True)
    return Child(proc, modules)


def _loaded(modules: set[str], forbidden: tuple[str, ...]) -> list[str]:
    """The modules of ``modules`` that are, or are inside, one of ``forbidden``."""
    return sorted(m for m in modules for f in forbidden if m == f or m.startswith(f + "."))


def _prove_args(tmp_path: pathlib.Path) -> tuple[str, ...]:
    return ("prove", str(VECTORS / "circuit_final.zkey"),
            "--wtns", str(VECTORS / "witness.wtns"),
            "--proof", str(tmp_path / "proof.json"), "--public", str(tmp_path / "public.json"))


def test_the_listing_sees_what_a_command_loads(tmp_path):
    """A command that does load the rollup is caught (so an empty finding means something)."""
    run = _child("chain", "init", "chain.db", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert {"zkcx.cli.chain_commands", "zkcx.rollup", "zkcx.accounts", "sqlite3"} <= run.modules
    assert _loaded(run.modules, NOT_FOR_PROVING)


def test_prove_stops_where_its_work_starts_having_imported_only_what_proving_needs(tmp_path):
    run = _child(*_prove_args(tmp_path), cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert not (tmp_path / "proof.json").exists() and not (tmp_path / "public.json").exists()
    modules = run.modules
    assert {"zkcx.cli.main", "zkcx.cli.proof_commands", "zkcx.cli._startup"} <= modules
    assert _loaded(modules, NOT_FOR_PROVING) == []
    # no other command's module is loaded either
    others = {f"zkcx.cli.{module}" for module, _, _ in cli_main.COMMANDS.values()}
    assert sorted(modules & (others - {"zkcx.cli.proof_commands"})) == []


@pytest.mark.parametrize("witnesses", [1, 2])
def test_prove_with_positional_witnesses_stops_too(tmp_path, witnesses):
    """``zkcx prove KEY W.wtns`` and the several-witness path (``prove_many``)."""
    run = _child("prove", str(VECTORS / "circuit_final.zkey"),
                 *[str(VECTORS / "witness.wtns")] * witnesses, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert list(tmp_path.iterdir()) == []
    assert _loaded(run.modules, NOT_FOR_PROVING) == []


#: what a whole `zkcx prove KEY WTNS` run (one key, one witness, no --r1cs) must not load:
#: it proves through the numpy-free prover (zkcx.groth16.lean)
NOT_FOR_LEAN_PROVING = (*NOT_FOR_PROVING, "numpy", "zkcx.field", "zkcx.curve", "zkcx.poly",
                        "zkcx.r1cs", "zkcx.groth16.prove", "zkcx.groth16.zkey")


def test_without_the_switch_the_same_command_proves(tmp_path):
    run = _child(*_prove_args(tmp_path), cwd=tmp_path, stop=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "proof.json").is_file() and (tmp_path / "public.json").is_file()


@pytest.mark.parametrize("form", ["--wtns", "positional"])
def test_a_whole_proof_loads_no_numpy(tmp_path, form):
    """Not only up to where the work starts: the modules after a real proof, written and
    then checked here by the numpy path (``groth16.verify``)."""
    from zkcx.groth16 import read_proof, read_public, read_verifying_key, verify

    args = list(_prove_args(tmp_path))
    if form == "positional":
        args.remove("--wtns")
    run = _child(*args, cwd=tmp_path, stop=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "zkcx.groth16.lean" in run.modules
    assert _loaded(run.modules, NOT_FOR_LEAN_PROVING) == []
    vk = read_verifying_key(VECTORS / "verification_key.json")
    public = read_public(tmp_path / "public.json")
    assert public == read_public(VECTORS / "public.json")
    assert verify(vk, public, read_proof(tmp_path / "proof.json"))


#: what a whole `zkcx zkey new CIRCUIT PTAU KEY` run must not load: it computes on the
#: numpy-free layouts of its files (zkcx.io.r1cs, zkcx.io.ptau, zkcx.ceremony.zkey_new)
NOT_FOR_ZKEY_NEW = ("numpy", "zkcx.field", "zkcx.curve", "zkcx.poly", "zkcx.r1cs",
                    "zkcx.groth16.zkey", "zkcx.groth16.keys", "zkcx.ceremony.ptau",
                    "zkcx.ceremony.zkey_transcript", "zkcx.rollup", "zkcx.market",
                    "zkcx.accounts", "py_ecc", "sqlite3")


def test_a_whole_zkey_new_loads_no_numpy(tmp_path):
    """The modules after a real ``zkey new`` (its key compared with snarkjs's): only the
    standard library, cffi and the native core besides the command's own modules."""
    run = _child("zkey", "new", str(VECTORS / "circuit.r1cs"), str(VECTORS / "pot_final.ptau"),
                 str(tmp_path / "new.zkey"), cwd=tmp_path, stop=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "new.zkey").read_bytes() == (VECTORS / "circuit_0000.zkey").read_bytes()
    assert {"zkcx.ceremony.zkey_new", "zkcx.io.r1cs", "zkcx.io.ptau"} <= run.modules
    assert _loaded(run.modules, NOT_FOR_ZKEY_NEW) == []


@pytest.mark.parametrize("value", ["0", "", "yes"])
def test_only_the_value_1_stops(tmp_path, value):
    env = dict(os.environ, ZKCX_STOP_AT_WORK=value,
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run([sys.executable, "-m", "zkcx", *_prove_args(tmp_path)], cwd=tmp_path,
                         env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "proof.json").is_file()


def test_version_loads_no_numpy_and_no_command(tmp_path):
    run = _child("--version", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.startswith("zkcx "), run.stderr[-2000:]
    modules = run.modules
    assert _loaded(modules, ("numpy", "zkcx.field", "zkcx._bindings", "zkcx.curve",
                             "zkcx.groth16", *NOT_FOR_PROVING)) == []
    assert sorted(m for m in modules if m.startswith("zkcx.cli.")) == [
        "zkcx.cli._output", "zkcx.cli.errors", "zkcx.cli.main"]


@pytest.mark.parametrize("command", [
    ("setup", "{circuit}", "out.zkey"),
    ("verify", "{vk}", "{public}", "{proof}"),
    ("export", "calldata", "{public}", "{proof}"),
    ("zkey", "new", "{circuit}", "{ptau}", "out.zkey"),
    ("zkey", "verify", "{circuit}", "{ptau}", "{zkey}"),
    ("zkey", "contribute", "{zkey}", "out.zkey"),
    ("zkey", "export", "verificationkey", "{zkey}", "vk.json"),
    ("ptau", "verify", "{ptau}"),
    ("ptau", "prepare", "{ptau}", "out.ptau"),
    ("compile", "{spec}", "-o", "out.r1cs"),
    ("input", "template", "{spec}", "-o", "in.json"),
    ("info",),
], ids=lambda c: " ".join(w for w in c if w.isalpha()))
def test_other_commands_stop_where_their_work_starts(tmp_path, command):
    files = {"circuit": VECTORS / "circuit.r1cs", "ptau": VECTORS / "pot_final.ptau",
             "zkey": VECTORS / "circuit_final.zkey", "vk": VECTORS / "verification_key.json",
             "public": VECTORS / "public.json", "proof": VECTORS / "proof.json",
             "spec": ROOT / "circuits" / "matmul_16x16x16.toml"}
    args = [word.format(**files) for word in command]
    run = _child(*args, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == "" and list(tmp_path.iterdir()) == []  # nothing read, nothing written
    modules = run.modules
    assert _loaded(modules, ("zkcx.rollup", "zkcx.market", "zkcx.accounts", "eth_keyfile",
                             "py_ecc", "coincurve", "sqlite3")) == []


# -- the table behind `zkcx --help` ----------------------------------------------------------

def _commands_of(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    """name -> help line of a parser's commands, in its order."""
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a.help for a in sub._choices_actions}


def test_the_help_table_is_what_the_command_modules_register():
    full = _commands_of(cli_main.build_parser("*"))
    table = {name: help_line for name, (_, _, help_line) in cli_main.COMMANDS.items()}
    assert full == {**table, "info": "version, native build and a self-check"}, \
        "zkcx.cli.main.COMMANDS must copy each command's help line from its module"
    assert list(full) == [*table, "info"]  # the order of `zkcx --help` too
    for module, register, _ in cli_main.COMMANDS.values():
        sub = argparse.ArgumentParser().add_subparsers()
        getattr(cli_main._MODULES[module](), register)(sub)
        assert set(sub.choices) == {name for name, (m, r, _) in cli_main.COMMANDS.items()
                                    if (m, r) == (module, register)}


def test_each_command_gets_its_real_parser_and_the_others_their_help_line():
    for name in cli_main.COMMANDS:
        parser = cli_main.build_parser(name)
        (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        assert len(sub.choices[name]._actions) > 1  # more than -h: the module's parser
        assert _commands_of(parser) == _commands_of(cli_main.build_parser(None))


def test_help_lists_every_command_with_its_line():
    run = run_main("--help")
    assert run.code == 0
    text = " ".join(run.stdout.split())
    for name, (_, _, help_line) in cli_main.COMMANDS.items():
        assert f"{name} {' '.join(help_line.split())}" in text


@pytest.mark.parametrize("name", [*cli_main.COMMANDS, "info"])
def test_each_command_has_its_own_help(name):
    run = run_main(name, "--help")
    assert run.code == 0, run.stderr
    assert run.stdout.startswith(f"usage: zkcx {name}")


def test_an_unknown_command_is_a_usage_error_listing_the_commands():
    run = run_main("proove", "x.zkey")
    assert run.code == 2
    assert "invalid choice: 'proove'" in run.stderr and "'prove'" in run.stderr
    run = run_main("--json", "proove")
    assert run.code == 2 and run.json()["error"]["type"] == "UsageError"


def test_the_command_asks_openblas_for_one_thread_unless_told(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.delitem(sys.modules, "numpy")  # as in a fresh `zkcx` process
    cli_main._one_blas_thread()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")  # the user's choice stands
    cli_main._one_blas_thread()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "2"


def test_once_numpy_is_loaded_the_setting_is_left_alone(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    import numpy  # noqa: F401

    cli_main._one_blas_thread()
    assert "OPENBLAS_NUM_THREADS" not in os.environ
