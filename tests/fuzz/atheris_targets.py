# SPDX-License-Identifier: MIT
"""Coverage-guided fuzzing of one decoder with atheris (optional: ``pip install
zkcx[fuzz]``), seeded with the valid inputs of tests/fuzz/targets.py:

    python tests/fuzz/atheris_targets.py r1cs -atheris_runs=100000 -rss_limit_mb=3072
    python tests/fuzz/atheris_targets.py --list

Arguments after the decoder name go to libFuzzer (``-max_total_time=60``,
``-rss_limit_mb``, ``-timeout``, a corpus directory...). An undocumented exception is
re-raised, which libFuzzer reports as a crash and saves as ``crash-<sha1>``. Without
atheris the script says so and exits 0 (the test suite skips its test).
"""

from __future__ import annotations

import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def make_test_one_input(name: str):
    """The libFuzzer entry point for decoder ``name``."""
    from tests.fuzz.targets import TARGETS, run_one

    target = TARGETS[name]

    def test_one_input(data: bytes) -> None:
        finding = run_one(target, data)
        if finding is not None:
            raise finding

    return test_one_input


def seed_corpus(name: str) -> str:
    """A temporary directory holding the decoder's seeds (libFuzzer's starting corpus)."""
    from tests.fuzz.targets import TARGETS

    folder = pathlib.Path(tempfile.mkdtemp(prefix=f"zkcx-fuzz-{name}-"))
    for i, data in enumerate(TARGETS[name].seeds()):
        (folder / f"seed-{i}").write_bytes(data)
    return str(folder)


def main(argv: list[str]) -> int:
    try:
        import atheris
    except ImportError:
        print("atheris is not installed (pip install 'zkcx[fuzz]'); nothing to do")
        return 0
    from tests.fuzz.targets import TARGETS, available

    if not argv or argv[0] in ("--list", "-h", "--help"):
        print("decoders:", " ".join(sorted(n for n in TARGETS if available(TARGETS[n]))))
        return 0
    name, rest = argv[0], argv[1:]
    if name not in TARGETS:
        print(f"unknown decoder {name!r}; known: {sorted(TARGETS)}", file=sys.stderr)
        return 2
    entry = make_test_one_input(name)
    TARGETS[name].seeds()  # imports every decoder and builds the seeds, uninstrumented
    atheris.instrument_all()  # then every loaded Python function reports coverage
    if not any(not a.startswith("-") for a in rest):
        rest = [*rest, seed_corpus(name)]
    atheris.Setup([sys.argv[0], *rest], entry)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
