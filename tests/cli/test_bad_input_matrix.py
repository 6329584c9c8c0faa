# SPDX-License-Identifier: MIT
"""Every file argument of every command against every kind of bad file: exit code 2, one
error line naming the file, no traceback, and nothing created or changed.

The bad kinds: missing; a directory; unreadable (the tests run as root, for whom
``chmod 000`` changes nothing, so unreadable is made three other ways: a symlink to
``/proc/self/mem``, a regular file whose reads fail with EIO; a symlink loop; a path
through a regular file); empty; one byte; a FIFO (a reader that opened it would block:
an alarm turns a hang into a failure); wrong type (another zkcx file, binary junk,
UTF-16 text); truncated (the first half of a valid file); huge (a 1 TiB sparse file; a
binary header declaring a 2^60-byte section; 100,000 nested brackets; a 5,000-digit
integer; a .npy header declaring 2^40 values). Runs in-process through
``zkcx.cli.main``; FIFOs and a closed stdout are also tried in a subprocess."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import pathlib
import signal
import struct
import subprocess
import sys

import numpy as np
import pytest

from tests.cli.conftest import ROOT
from tests.vectors import VECTORS
from zkcx import groth16, kernels
from zkcx.accounts import Signer, encrypt_key
from zkcx.cli import main
from zkcx.r1cs import write_r1cs, write_wtns
from zkcx.rollup import claim_binding

SPEC = 'kernel = "dot"\nn = 4\nfrac_bits = 8\nbound_bits = 16\nbinding = true\n'
#: the node's key (a fixed test key), its address and the key file's password
KEY = Signer(bytes(31) + bytes([9]))
NODE = str(KEY.address)
OTHER = str(Signer(bytes(31) + bytes([10])).address)
PASSWORD = "matrix-password"


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("ZKCX_PASSWORD", PASSWORD)


class Hang(BaseException):
    """Raised by the alarm: a command blocked (not an Exception, so no handler eats it)."""


def run(argv: list, timeout: int = 20) -> tuple[int, str, str]:
    """``zkcx ARGV`` in-process; an alarm stops a command that blocks."""
    def alarm(signum, frame):
        raise Hang(f"zkcx {argv} blocked for {timeout} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(timeout)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in argv])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> dict[str, pathlib.Path]:
    """One valid file of each kind, all of the same small bound kernel."""
    d = tmp_path_factory.mktemp("valid")
    f = {name: d / name for name in ("k.toml", "k.r1cs", "k.zkey", "vk.json", "k.wtns",
                                     "in.json", "x.npy", "y.npy", "proof.json",
                                     "public.json", "chain.db", "empty_chain.db",
                                     "claim.json", "key.json", "tx.json", "m.toml",
                                     "m_vk.json", "bench.json", "market.db", "k.ptau")}
    f["key.json"].write_text(json.dumps(encrypt_key(KEY, PASSWORD, "pbkdf2", 1000)))
    f["k.ptau"].write_bytes((VECTORS / "multiplier" / "pot_final.ptau").read_bytes())
    f["k.toml"].write_text(SPEC)
    kernel = kernels.load(f["k.toml"])
    r1cs = kernel.circuit()
    write_r1cs(r1cs, f["k.r1cs"])
    pk = groth16.setup(r1cs)
    groth16.write_zkey(pk, f["k.zkey"])
    groth16.write_verifying_key(pk.verifying_key, f["vk.json"])
    x, y = [0.5, -0.25, 1.0, 2.0], [1.5, 0.75, -1.0, 0.125]
    f["in.json"].write_text(json.dumps({"x": x, "y": y}))
    np.save(f["x.npy"], np.array(x))
    np.save(f["y.npy"], np.array(y))
    witness = kernel.witness(x=np.array(x), y=np.array(y),
                             claim_binding=claim_binding(NODE, "t1"))
    write_wtns(witness, f["k.wtns"])
    proof, public = groth16.prove(pk, witness, r1cs)
    groth16.write_proof(proof, f["proof.json"])
    groth16.write_public(public, f["public.json"])
    for chain in ("chain.db", "empty_chain.db"):
        assert run(["chain", "init", f[chain]])[0] == 0
    # a market: a task-ready kernel (inputs committed), the key's account granted tokens
    f["m.toml"].write_text(SPEC + '\n[visibility]\nx = "committed"\ny = "committed"\n')
    market_pk = groth16.setup(kernels.load(f["m.toml"]).circuit())
    groth16.write_verifying_key(market_pk.verifying_key, f["m_vk.json"])
    f["bench.json"].write_text(json.dumps({"cases": [{
        "name": "chain 2^10", "constraints": 1022, "results": {"zkcx": {"prove": 0.05}}}]}))
    assert run(["chain", "init", f["market.db"], "--grant", f"{NODE}=100"])[0] == 0
    assert run(["kernel", "register", f["m_vk.json"], "--chain", f["market.db"], "--kernel",
                f["m.toml"], "--kind", "compute", "--unsafe-local-setup"])[0] == 0
    assert run(["kernel", "register", f["vk.json"], "--chain", f["chain.db"], "--kernel",
                f["k.toml"], "--kind", "compute", "--unsafe-local-setup"])[0] == 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZKCX_PASSWORD", PASSWORD)
        # offline (no task answers it: with --chain, claim make would refuse it)
        code, _, err = run(["claim", "make", f["proof.json"], f["public.json"], "--vk",
                            f["vk.json"], "--task", "t1", "--kind", "compute", "--chain-id",
                            "1337", "--nonce", "0", "--key-file", f["key.json"], "-o",
                            f["claim.json"]])
        assert code == 0, err
        code, _, err = run(["tx", "stake", "1", "--chain", f["chain.db"], "--key-file",
                            f["key.json"], "-o", f["tx.json"]])
    assert code == 0, err
    return f


#: (command, its argv with {slot} placeholders); every {slot} is tried with bad files
COMMANDS = [
    "compile {k.toml} -o out.r1cs",
    "input template {k.toml} -o out_in.json",
    "setup {k.r1cs} out.zkey --vk out_vk.json",
    "prove {k.zkey} --wtns {k.wtns} --r1cs {k.r1cs}",
    f"prove {{k.zkey}} --kernel {{k.toml}} --input {{in.json}} --node {NODE} --task t1",
    f"prove {{k.zkey}} --kernel {{k.toml}} --input x={{x.npy}} --input y={{y.npy}} --node {NODE} "
    "--task t1",
    "verify {vk.json} {public.json} {proof.json}",
    "export solidity {vk.json} out.sol",
    "export calldata {public.json} {proof.json}",
    "kernel register {vk.json} --chain {empty_chain.db} --kernel {k.toml} --kind compute "
    "--unsafe-local-setup",
    "kernel list --chain {chain.db}",
    "claim make {proof.json} {public.json} --vk {vk.json} --task t1 --kind compute "
    "--chain {chain.db} --key-file {key.json} -o out_claim.json",
    "block build {claim.json} --chain {chain.db}",
    "block verify --chain {chain.db}",
    "block show --chain {chain.db}",
    "rewards show --chain {chain.db}",
    "bench --sizes 8 --kernel {k.toml}",
    f"account show {NODE} --chain {{chain.db}}",
    "tx stake 1 --chain {chain.db} --key-file {key.json} -o out_tx.json",
    f"tx transfer {OTHER} 1 --chain-id 1337 --nonce 0 --key-file {{key.json}} -o out_tx.json",
    "block build --tx {tx.json} --chain {chain.db}",
    "gov propose --chain {chain.db} --set emission_ppb=60 --key-file {key.json} -o out_tx.json",
    "gov vote 0 yes --chain-id 1337 --nonce 0 --key-file {key.json} -o out_tx.json",
    "gov show --chain {chain.db}",
    "task post --vk {m_vk.json} --kernel {m.toml} --input {in.json} --fee 1 "
    "--chain {market.db} --key-file {key.json} -o out_tx.json",
    "task cancel 0 --chain-id 1337 --nonce 0 --key-file {key.json} -o out_tx.json",
    "task list --chain {market.db}",
    "task show 0 --chain {market.db}",
    "node register --bench {bench.json} --chain-id 1337 --nonce 0 --key-file {key.json} "
    "-o out_tx.json",
    f"model register m --price 1 --serve {'ab' * 32}:1 --commitment 1 --chain {{market.db}} "
    "--key-file {key.json} -o out_tx.json",
    "model show m --chain {market.db}",
    "model price m --price 1 --chain {market.db} --key-file {key.json} -o out_tx.json",
    "model freeze m --chain {market.db} --key-file {key.json} -o out_tx.json",
    f"job post m --gradient-kernel {'ab' * 32} --aggregate-kernel {'cd' * 32} --shard-file "
    "{x.npy} --kernel {k.toml} --data-tensor x --steps 1 --gradient-fee 1 --aggregate-fee 1 "
    "--chain {market.db} --key-file {key.json} -o out_tx.json",
    "job show 0 --chain {market.db}",
    "job cancel 0 --chain {market.db} --key-file {key.json} -o out_tx.json",
    "ptau contribute {k.ptau} out.ptau -n=x",
    "ptau beacon {k.ptau} out.ptau 0102 10",
    "ptau verify {k.ptau}",
    "ptau prepare {k.ptau} out.ptau",
]

#: another zkcx file standing for each kind of argument
WRONG_TYPE = {"k.toml": "in.json", "k.r1cs": "k.zkey", "k.zkey": "k.r1cs", "k.wtns": "k.zkey",
              "vk.json": "proof.json", "proof.json": "vk.json", "public.json": "claim.json",
              "in.json": "vk.json", "x.npy": "k.wtns", "y.npy": "in.json",
              "chain.db": "claim.json", "empty_chain.db": "k.zkey", "claim.json": "proof.json",
              "key.json": "vk.json", "tx.json": "claim.json", "m.toml": "in.json",
              "m_vk.json": "proof.json", "bench.json": "vk.json", "market.db": "k.zkey",
              "k.ptau": "k.zkey"}
BINARY = {"k.r1cs": b"r1cs", "k.zkey": b"zkey", "k.wtns": b"wtns", "k.ptau": b"ptau"}


def bad_files(slot: str, valid: dict, d: pathlib.Path) -> dict[str, pathlib.Path]:
    """Name -> a bad file standing for a valid ``slot`` file."""
    d.mkdir(exist_ok=True)
    good = valid[slot].read_bytes()
    suffix = valid[slot].suffix
    out: dict[str, pathlib.Path] = {}

    def make(name: str, data: bytes) -> None:
        out[name] = d / f"{name}{suffix}"
        out[name].write_bytes(data)

    out["missing"] = d / f"missing{suffix}"
    out["directory"] = d / f"dir{suffix}"
    out["directory"].mkdir()
    out["unreadable-eio"] = d / f"eio{suffix}"
    out["unreadable-eio"].symlink_to("/proc/self/mem")
    out["unreadable-loop"] = d / f"loop{suffix}"
    out["unreadable-loop"].symlink_to(out["unreadable-loop"])
    make("a-file", b"x")
    out["through-a-file"] = out["a-file"] / f"x{suffix}"
    del out["a-file"]
    make("empty", b"")
    make("one-byte", good[:1])
    out["fifo"] = d / f"fifo{suffix}"
    os.mkfifo(out["fifo"])
    make("wrong-type", valid[WRONG_TYPE[slot]].read_bytes())
    make("binary-junk", np.random.default_rng(5).bytes(3000))
    make("utf-16", good.decode("latin-1").encode("utf-16"))
    make("truncated", good[:len(good) // 2])
    out["huge-sparse"] = d / f"sparse{suffix}"
    with open(out["huge-sparse"], "wb") as fh:
        fh.truncate(1 << 40)
    if slot in BINARY:  # a header declaring a 2^60-byte section
        make("huge-count", BINARY[slot] + struct.pack("<IIIQ", 1, 1, 1, 1 << 60) + b"\0" * 64)
    elif suffix == ".npy":
        header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776,), }"
        make("huge-count", b"\x93NUMPY\x01\x00" + struct.pack("<H", 118)
             + header.ljust(117).encode() + b"\n" + b"\0" * 64)
    elif suffix == ".json":
        make("deeply-nested", b"[" * 100_000 + b"]" * 100_000)
        make("huge-integer", b'{"x": [' + b"7" * 5000 + b'], "y": [1]}')
        if slot == "in.json":
            make("ragged", b'{"x": [[1, 2], [3]], "y": [1, 2, 3, 4]}')
            make("booleans", b'{"x": [true, false, true, false], "y": [1, 2, 3, 4]}')
    return out


def _cases():
    for command in COMMANDS:
        for slot in [w.split("}")[0] for w in command.split("{")[1:]]:
            yield command, slot


@pytest.mark.parametrize(("command", "slot"), list(_cases()))
def test_every_bad_file_exits_2_naming_it(command, slot, valid, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    digests = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in valid.items()}
    failures = []
    for kind, bad in bad_files(slot, valid, tmp_path / "bad").items():
        before = None if not bad.is_file() or kind.startswith("huge-sparse") \
            else bad.read_bytes() if not bad.is_symlink() else None
        argv = command
        for name, path in valid.items():
            argv = argv.replace("{" + name + "}", str(bad if name == slot else path))
        code, out, err = run(argv.split())
        lines = [line for line in err.splitlines() if ": error: " in line]
        if code != 2 or "Traceback" in err or len(lines) != 1 or str(bad) not in lines[0]:
            failures.append((kind, code, err[-600:]))
        if os.environ.get("ZKCX_SHOW_MESSAGES"):
            print(f"{command} / {slot} / {kind}: {lines}")
        if before is not None and bad.read_bytes() != before:
            failures.append((kind, "the bad file was changed"))
    after = {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in valid.items()}
    assert after == digests, "a valid file changed"
    assert not failures, failures


def test_read_only_commands_leave_tiny_chain_files_unchanged(valid, tmp_path):
    for size in (0, 1):
        chain = tmp_path / f"chain{size}.db"
        chain.write_bytes(b"S"[:size])
        for argv in (["block", "show", "--chain", chain], ["block", "verify", "--chain", chain],
                     ["rewards", "show", "--chain", chain], ["kernel", "list", "--chain", chain],
                     ["block", "build", "--chain", chain],
                     ["account", "show", NODE, "--chain", chain],
                     ["gov", "show", "--chain", chain],
                     ["task", "list", "--chain", chain], ["task", "show", "0", "--chain", chain],
                     ["tx", "stake", "1", "--chain", chain, "--key-file", valid["key.json"],
                      "-o", tmp_path / "tx.json"],
                     ["claim", "make", valid["proof.json"], valid["public.json"],
                      "--key-file", valid["key.json"],
                      "--task", "t", "--kind", "compute", "--vk", valid["vk.json"], "--chain",
                      chain, "-o", tmp_path / "c.json"]):
            code, _, err = run(argv)
            assert code == 2 and "not a zkcx chain" in err, (argv, err)
            assert chain.read_bytes() == b"S"[:size]
        assert sorted(p.name for p in tmp_path.iterdir()) == [f"chain{s}.db"
                                                             for s in range(size + 1)]


def test_a_chain_that_is_another_sqlite_database_is_refused_untouched(tmp_path):
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    before = other.read_bytes()
    for argv in (["block", "build", "--chain", other], ["rewards", "show", "--chain", other],
                 ["kernel", "register", "x.json", "--chain", other, "--units", "5",
                  "--kind", "compute", "--unsafe-local-setup"]):
        code, _, err = run(argv)
        assert code == 2 and str(other) in err or "x.json" in err, err
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


def test_chain_init_refuses_any_existing_path_and_demo_a_file_as_folder(tmp_path):
    existing = {"empty": b"", "one-byte": b"x", "chain": None}
    for name, data in existing.items():
        path = tmp_path / f"{name}.db"
        if data is None:
            assert run(["chain", "init", path])[0] == 0
        else:
            path.write_bytes(data)
        before = path.read_bytes()
        code, _, err = run(["chain", "init", path])
        assert code == 2 and "already exists" in err and path.read_bytes() == before
    code, _, err = run(["chain", "init", tmp_path])
    assert code == 2 and str(tmp_path) in err
    code, _, err = run(["chain", "init", tmp_path / "no" / "such" / "chain.db"])
    assert code == 2 and "is not an existing folder" in err
    code, _, err = run(["demo", "--dir", tmp_path / "empty.db"])
    assert code == 2 and "not a directory" in err


def test_chain_init_grants_genesis_balances_from_the_pool_and_refuses_bad_grants(tmp_path):
    from zkcx.rewards import SUPPLY, TOKEN
    from zkcx.rollup import SQLiteChainStore

    a, b = "0x" + "11" * 20, "0x" + "22" * 20
    path = tmp_path / "granted.db"
    code, out, err = run(["--json", "chain", "init", path, "--grant", f"{a}=1.5",
                          "--grant", f"{b}=2"])
    assert code == 0, err
    assert json.loads(out)["grants"] == {a: str(3 * TOKEN // 2), b: str(2 * TOKEN)}
    with SQLiteChainStore.open(path, read_only=True) as store:
        acc = store.load_state().ledger  # the market's ledger
    assert acc.account(a).balance == 3 * TOKEN // 2 and acc.account(b).balance == 2 * TOKEN
    assert acc.pool + sum(acc.totals()) == SUPPLY and acc.height == -1
    for grant, word in ((f"{a}=0", "positive"), (f"{a}", "ADDRESS=TOKENS"),
                        ("bob=5", "bob"), (f"{a}=300000000", "exceed the supply"),
                        (f"{a}=1e-19", "decimals")):
        bad = tmp_path / "bad.db"
        code, _, err = run(["chain", "init", bad, "--grant", grant])
        assert code == 2 and word in err and "Traceback" not in err and not bad.exists(), \
            (grant, err)
    code, _, err = run(["chain", "init", tmp_path / "twice.db", "--grant", f"{a}=1",
                        "--grant", f"{a}=2"])
    assert code == 2 and "twice" in err and not (tmp_path / "twice.db").exists()


def test_bad_numbers_and_arguments_exit_2(valid):
    for argv in (["block", "show", str(10**30), "--chain", valid["chain.db"]],
                 ["block", "show", "-1", "--chain", valid["chain.db"]],
                 ["block", "show", "99", "--chain", valid["chain.db"]],
                 ["chain", "init", "x.db", "--emission-ppb", str(10**30)],
                 ["block", "build", "--chain", valid["chain.db"], "--op",
                  f"stake:bob:{10**30}"],
                 ["kernel", "register", valid["vk.json"], "--chain", valid["chain.db"],
                  "--units", str(10**30), "--kind", "compute", "--unsafe-local-setup"],
                 ["claim", "make", valid["proof.json"], valid["public.json"], "--kernel-id",
                  "ab", "--node", "n", "--task", "t", "--kind", "compute"],
                 ["claim", "make", valid["proof.json"], valid["public.json"], "--vk",
                  valid["vk.json"], "--node", "", "--task", "t", "--kind", "compute"],
                 ["no-such-command"], ["block"], ["verify", "only-one"]):
        code, _, err = run(argv)
        assert code == 2 and "Traceback" not in err and "error:" in err, (argv, err)


def test_json_mode_reports_errors_as_json(valid):
    code, out, _ = run(["--json", "verify", "missing.json", valid["public.json"],
                        valid["proof.json"]])
    assert code == 2
    report = json.loads(out)
    assert report["exit_code"] == 2 and "missing.json" in report["error"]["message"]
    code, out, _ = run(["--json", "block", "show", "x", "--chain", valid["chain.db"]])
    assert code == 2 and json.loads(out)["error"]["command"] == "block show"


# -- in a subprocess: FIFOs, a closed stdout ------------------------------------------
def _zkcx(*args, **kw) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "zkcx", *map(str, args)], env=env,
                            stdin=subprocess.DEVNULL, text=True, **kw)


def test_fifo_arguments_do_not_block(valid, tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for args in (["verify", fifo, valid["public.json"], valid["proof.json"]],
                 ["block", "show", "--chain", fifo],
                 ["prove", valid["k.zkey"], "--kernel", valid["k.toml"], "--input", fifo,
                  "--node", "alice", "--task", "t1"]):
        proc = _zkcx(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 2 and "not a regular file" in err, (args, err)


def test_a_closed_stdout_ends_quietly(valid):
    read, write = os.pipe()
    os.close(read)  # nobody reads: the first write gets EPIPE
    proc = _zkcx("export", "calldata", valid["public.json"], valid["proof.json"],
                 stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode == 141


OUTPUTS = [
    "compile {k.toml} -o OUT",
    "input template {k.toml} -o OUT",
    "setup {k.r1cs} OUT",
    "setup {k.r1cs} fine.zkey --vk OUT",
    "prove {k.zkey} --wtns {k.wtns} --proof OUT",
    "prove {k.zkey} --wtns {k.wtns} --public OUT",
    "export solidity {vk.json} OUT",
    "claim make {proof.json} {public.json} --vk {vk.json} --task t1 "
    "--kind compute --key-file {key.json} -o OUT",
    "chain init OUT",
    "tx stake 1 --chain-id 1337 --nonce 0 --key-file {key.json} -o OUT",
    "gov vote 0 yes --chain {chain.db} --key-file {key.json} -o OUT",
    "task post --vk {m_vk.json} --kernel {m.toml} --input {in.json} --fee 1 "
    "--chain {market.db} --key-file {key.json} -o OUT",
    "task cancel 0 --chain-id 1337 --nonce 0 --key-file {key.json} -o OUT",
    "node register --bench {bench.json} --chain-id 1337 --nonce 0 --key-file {key.json} "
    "-o OUT",
]


@pytest.mark.parametrize("command", OUTPUTS)
def test_every_unwritable_output_exits_2_writing_nothing(command, valid, tmp_path,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_bytes(b"x")
    (tmp_path / "a-dir").mkdir()
    for out in ("a-dir", "no/such/folder/out", "a-file/out"):
        argv = command.replace("OUT", out)
        for name, path in valid.items():
            argv = argv.replace("{" + name + "}", str(path))
        code, _, err = run(argv.split())
        assert code == 2 and "Traceback" not in err and out in err, (argv, err)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a-dir", "a-file"], argv
        assert not any((tmp_path / "a-dir").iterdir())


def test_deep_json_is_refused_before_the_recursive_parser(valid, tmp_path):
    """With a raised recursion limit (as some libraries set it) Python's json parser
    crashes the process on deep input instead of raising: the depth is checked first."""
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 200_000 + b"]" * 200_000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)
    try:
        code, _, err = run(["verify", deep, valid["public.json"], valid["proof.json"]])
    finally:
        sys.setrecursionlimit(limit)
    assert code == 2 and "nested 200000 levels deep" in err, err
