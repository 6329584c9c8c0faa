# SPDX-License-Identifier: MIT
"""Prover comparison (issues 7 and 17): the zkcx command against rapidsnark (when
$RAPIDSNARK names its prover binary), groth16py (arkworks) and snarkjs 0.7.6, each a whole
process proving from the same .zkey (made by `zkcx setup`) and .wtns, runs interleaved:
circom chains of 2^12 and 2^16 rows (2^18 with --large), circom's 32x32x32 matrix product
and the catalogue's matmul_16x16x16; median and range of wall time, CPU, peak memory and
the CPU the rest of the machine used; every proof verified; zkcx's start-up. Writes a
Markdown table (stdout and --out) and a PNG plot beside it.

This is ``zkcx bench``; the measuring code lives in zkcx/cli/_peers.py, _bench_cases.py,
_bench_run.py and _bench_report.py.

    RAPIDSNARK=/path/to/prover python benchmarks/compare.py [--large] [--out benchmarks/compare.md]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # the checkout's zkcx, whatever is installed
    sys.path.insert(0, str(HERE.parent))

from zkcx.cli import _bench_report, _bench_run  # noqa: E402
from zkcx.cli.bench_commands import add_bench_arguments, options_from, write_outputs  # noqa: E402
from zkcx.cli.errors import UsageError  # noqa: E402


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
