# SPDX-License-Identifier: MIT
"""The README's Python examples run as written, and it opens with the two set-up
commands that .ci/run uses."""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_python_examples_run():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks, "README has no python examples"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_opens_with_the_two_setup_commands():
    commands = re.findall(r"^    (python3 -m pip install .*)$", README, flags=re.M)[:2]
    assert commands[0] == "python3 -m pip install -e . && python3 -m zkcx demo"
    assert commands[1] == "python3 -m pip install -e '.[test]' && python3 -m pytest"
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


def test_readme_catalogue_table_matches_the_constraint_counts_file():
    import csv

    counts = {row["kernel"]: row for row in csv.DictReader(
        (ROOT / "tests/kernels/constraint_counts.csv").open())}
    table = dict(re.findall(r"^\| `(\w+)` \| \w+ \| ([\d,]+) \|", README, flags=re.M))
    assert set(table) == {p.stem for p in (ROOT / "circuits").glob("*.toml")}
    for name, constraints in table.items():
        assert int(constraints.replace(",", "")) == int(counts[name]["constraints"]), name


# -- the command-line tour -------------------------------------------------------------
#: what each step of the tour must print (a substring of its stdout), by command prefix
TOUR_OUTPUT = {
    "zkcx compile": "constraints     11709",
    "zkcx verify": "OK: the proof is valid",
    "zkcx export calldata": '["0x',
    "zkcx kernel register": "binding         public signal 3",
    "zkcx node register": "capacity",
    "zkcx task post": "task id         0",
    "zkcx block build --tx register.json":
        "task 0 assigned to 0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb",
    "zkcx task list": "assigned",
    "zkcx claim make": "checked         against the chain's registry",
    "zkcx block build claim.json": "accepted",
    "zkcx block verify --chain chain.db": "1 accepted and 0 rejected",
    "zkcx account list": "0x",
    "zkcx account show": "tier",
    "zkcx tx stake": "chain id 4242, nonce 2",
    "zkcx block build --tx stake.json": "operation stake by",
    "zkcx gov propose": "kind_weights.compute: 1 -> 2",
    "zkcx block build --tx vote.json": "operation vote by",
    "zkcx gov show": "proposal 0 by 0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb: passed",
    "zkcx chain init": "chain id        4242",
    "zkcx block show 1": "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb",
    "zkcx rewards show": "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb",
    "zkcx demo": "Continue by hand",
    "zkcx block verify --chain run/chain.db": "OK: 17 blocks",  # 6, then the models' 11
    "zkcx block build run/claims": "bad-nonce",
    "zkcx info": "self-check passed",
}
#: tour lines not run here, with the reason
TOUR_SKIPPED = {"zkcx bench": "needs the bench extra (pip install -e '.[bench]') and "
                              "peers (snarkjs, groth16py); tests/cli/test_bench_command.py "
                              "covers the command"}


def tour_steps() -> list[str]:
    """The README's command-line tour: its bash block, split into steps: each `zkcx`
    line alone, each run of other lines (a heredoc...) together."""
    section = README[README.index("## The command line"):]
    block = re.search(r"```bash\n(.*?)```", section, flags=re.S).group(1)
    block = block.replace("\\\n", " ")  # continuation lines
    steps: list[str] = []
    shell: list[str] = []
    for line in block.splitlines():
        if line.startswith("zkcx "):
            if shell:
                steps.append("\n".join(shell))
                shell = []
            steps.append(line)
        elif line.strip() and not (line.startswith("#") and not shell):
            shell.append(line)
    if shell:
        steps.append("\n".join(shell))
    return steps


def _run_zkcx(line: str, folder: pathlib.Path) -> tuple[int, str, str]:
    """A `zkcx ...` line run in-process through zkcx.cli.main, its globs expanded."""
    import contextlib
    import glob
    import io
    import shlex

    from zkcx.cli import main

    argv = []
    for word in shlex.split(line, comments=True)[1:]:
        matches = sorted(glob.glob(word)) if any(c in word for c in "*?[") else []
        argv += matches or [word]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(argv)
    return code, stdout.getvalue(), stderr.getvalue()


def test_readme_cli_tour_runs_from_nothing_in_order(tmp_path, monkeypatch):
    import os
    import subprocess

    monkeypatch.chdir(tmp_path)
    steps = tour_steps()
    assert any(s.startswith("zkcx prove") and "--node" in s for s in steps)
    seen = set()
    for step in steps:
        skipped = next((r for p, r in TOUR_SKIPPED.items() if step.startswith(p)), None)
        if skipped:
            seen.add(step)
            continue
        if step.startswith("export ") and "\n" not in step:  # for the steps after it
            name, _, value = step.split("#")[0].split(None, 1)[1].strip().partition("=")
            monkeypatch.setenv(name, value)
            code, out, err = 0, "", ""
        elif step.startswith("zkcx "):
            code, out, err = _run_zkcx(step, tmp_path)
        else:
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(  # this tree's zkcx first
                [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
            proc = subprocess.run(["bash", "-euo", "pipefail", "-c", step], cwd=tmp_path,
                                  capture_output=True, text=True, timeout=60, env=env)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        assert code == 0, (step, out[-2000:], err[-2000:])
        for prefix, expected in TOUR_OUTPUT.items():
            if step.startswith(prefix):
                assert expected in out, (step, expected, out[-2000:])
                seen.add(prefix)
    assert seen >= set(TOUR_OUTPUT), set(TOUR_OUTPUT) - seen
    # the demo's folder holds what its message names, so that one can go on by hand
    for kept in ("run/chain.db", "run/kernels/dot_256.toml", "run/kernels/dot_256.zkey",
                 "run/kernels/dot_256.vk.json", "run/claims/block2_0_mallory.json"):
        assert (tmp_path / kept).is_file(), kept
