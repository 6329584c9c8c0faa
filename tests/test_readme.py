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
