# SPDX-License-Identifier: MIT
"""The catalogue in circuits/: every TOML file loads and builds, and its constraint
count is the one committed in constraint_counts.csv (a cost change fails here until the
file is deliberately regenerated: ``python -m tests.kernels.test_catalogue``)."""

from __future__ import annotations

import csv
import pathlib

import pytest

import zkcx.kernels as K

ROOT = pathlib.Path(__file__).resolve().parents[2]
CIRCUITS = ROOT / "circuits"
COUNTS = pathlib.Path(__file__).with_name("constraint_counts.csv")
FILES = sorted(CIRCUITS.glob("*.toml"))


def _needs_commitment(kernel: K.Kernel) -> bool:
    return any(t.visibility == "committed" for t in kernel.spec.tensors)


def _commitment_available() -> bool:
    try:
        import zkcx.gadgets.commitment  # noqa: F401
    except ImportError:
        return False
    return True


def committed_counts() -> dict[str, tuple[int, int, int]]:
    with COUNTS.open() as fh:
        return {r["kernel"]: (int(r["constraints"]), int(r["wires"]), int(r["public"]))
                for r in csv.DictReader(fh)}


def test_the_catalogue_is_not_empty():
    assert len(FILES) >= 10


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_catalogue_kernel_loads_builds_and_costs_what_the_csv_says(path):
    kernel = K.load(path)
    assert kernel.spec.name == path.stem
    if _needs_commitment(kernel) and not _commitment_available():
        pytest.skip("zkcx.gadgets.commitment is not there yet")
    r1cs = kernel.circuit()
    counts = committed_counts()
    assert path.stem in counts, f"{path.stem} is missing from {COUNTS.name}"
    assert (r1cs.n_constraints, r1cs.n_wires, r1cs.n_public) == counts[path.stem]


def test_the_csv_lists_only_catalogue_kernels():
    assert set(committed_counts()) <= {p.stem for p in FILES}


def regenerate() -> None:
    rows = []
    for path in FILES:
        kernel = K.load(path)
        if _needs_commitment(kernel) and not _commitment_available():
            continue
        r = kernel.circuit()
        rows.append((path.stem, r.n_constraints, r.n_wires, r.n_public))
    with COUNTS.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["kernel", "constraints", "wires", "public"])
        out.writerows(rows)


if __name__ == "__main__":
    regenerate()
