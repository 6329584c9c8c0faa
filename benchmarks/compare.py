# SPDX-License-Identifier: MIT
"""Peer comparison (issue 7): zkcx against snarkjs 0.7.6, groth16py (arkworks) and, when
$RAPIDSNARK names its prover binary, rapidsnark, on the same circuits, .zkey and .wtns in
one run: setup, prove and verify time, peak memory of the prover process, and ratios.
Multiplication chains of 2^10..2^16 rows (2^18 with --large) and the catalogue's
matmul_16x16x16. Writes a Markdown table (stdout and --out) and a PNG plot of prove
time against constraints beside it.

This is ``zkcx bench`` with the full default sizes; the measuring code lives in
zkcx/cli/_peers.py, _bench_run.py and _bench_report.py.

    python benchmarks/compare.py [--large] [--sizes 10,12] [--out benchmarks/compare.md]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from zkcx.cli import _bench_report, _bench_run
from zkcx.cli._output import UsageError
from zkcx.cli.bench_commands import add_bench_arguments, options_from, write_outputs

HERE = pathlib.Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_bench_arguments(parser)
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "compare.md",
                        help="Markdown table to write; the plot goes beside it as .png "
                             "(default benchmarks/compare.md)")
    args = parser.parse_args(argv)
    try:
        options = options_from(args, lambda text: print(text, file=sys.stderr, flush=True))
    except UsageError as exc:
        parser.error(str(exc))
    record = _bench_run.run_comparison(options)
    print(_bench_report.markdown(record))
    for what, path in write_outputs(record, args.out).items():
        print(f"{what}: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
