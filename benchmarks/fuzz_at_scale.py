# SPDX-License-Identifier: MIT
"""Fuzz every decoder at scale (issue 12 §3): N mutated inputs per decoder, each decoder
in its own worker process with a memory cap (RLIMIT_AS) and a per-input time limit.

    python benchmarks/fuzz_at_scale.py                  # 10^6 inputs per decoder
    python benchmarks/fuzz_at_scale.py --n 10000 --jobs 2 --only r1cs zkey

Inputs are deterministic: input i of decoder D is mutated from D's seeds by a
``random.Random(f"{D}:{seed}:{i}")`` (tests/fuzz/targets.py: bit flips, truncations,
splices, interesting 32/64-bit counts, interesting JSON/TOML tokens; half of the binary
containers get their section sizes fixed up so the payload decoders see them). Each
input is classified as

- ok: decoded, or refused with a documented exception (a ``ZkcxError``; the CLI's
  ``UsageError`` for the ``--input`` loaders);
- undocumented: any other exception (or a round trip that is not stable);
- allocation beyond the cap: ``MemoryError`` under ``--mem-mb`` of address space;
- hang: over ``--timeout`` seconds (a SIGALRM in the worker; a worker stuck in native
  code is killed by the supervisor after 5x the limit and restarted after the input);
- crash: the worker died (a signal such as SIGSEGV); it is restarted after the input.

One example of each kind of finding per decoder is saved (the input's bytes and a
traceback) under ``--findings`` (default ``fuzz-findings/``). The summary is a Markdown
table on stdout and a JSON file (``--json``). The run prints an estimate of its total
time once each decoder has run a few seconds. Decoders run one per process, ``--jobs``
at a time (default: every core).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import pathlib
import platform
import queue
import random
import signal
import sys
import time
import traceback

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KINDS = ("undocumented", "memory", "hang", "crash")


def make_input(target, seeds: list[bytes], seed: int, i: int) -> bytes:
    """Input ``i`` of a run: 1-4 mutations of a seed (deterministic)."""
    from tests.fuzz.targets import container_fixup, mutate

    rng = random.Random(f"{target.name}:{seed}:{i}")
    data = rng.choice(seeds)
    for _ in range(rng.randrange(1, 5)):
        data = mutate(data, rng)
    if target.binary_container and rng.random() < 0.5:
        data = container_fixup(data)
    return data


class _Timeout(BaseException):
    """Raised by SIGALRM in a worker (a BaseException so decoders cannot swallow it)."""


def _on_alarm(signum, frame):
    raise _Timeout()


def worker(name: str, start: int, stop: int, seed: int, mem_mb: int, timeout: float,
           progress, counters, findings) -> None:
    """Run inputs [start, stop) of decoder ``name``; ``progress.value`` is the input
    being run (for the supervisor), ``counters`` = [done, undocumented, memory, hang]."""
    import resource

    from tests.fuzz.targets import TARGETS, run_one

    target = TARGETS[name]
    seeds = target.seeds()  # made before the cap: setup and proving are not under test
    limit = mem_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _on_alarm)
    seen: set[str] = set()
    for i in range(start, stop):
        progress.value = i
        data = make_input(target, seeds, seed, i)
        kind = finding = None
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            finding = run_one(target, data)
            if finding is not None:
                kind = "undocumented"
        except _Timeout:
            kind, finding = "hang", TimeoutError(f"over {timeout} s")
        except MemoryError as exc:
            kind, finding = "memory", exc
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        counters[0] += 1
        if kind is not None:
            counters[1 + KINDS.index(kind)] += 1
            if kind not in seen:
                seen.add(kind)
                text = "".join(traceback.format_exception(finding))
                findings.put((name, kind, i, data, text))
    progress.value = stop


#: decoder -> (shared counters, start time) of the running supervisors (for estimates)
_LIVE: dict[str, tuple[object, float]] = {}


def supervise(name: str, args, findings) -> dict:
    """Run decoder ``name`` to ``args.n`` inputs, restarting its worker after a crash or
    a hang it cannot interrupt; returns its counts."""
    ctx = mp.get_context("spawn")
    counters = ctx.Array("q", 4, lock=False)
    progress = ctx.Value("q", 0, lock=False)
    crashes = killed = 0
    start, began = 0, time.monotonic()
    _LIVE[name] = (counters, began)
    while start < args.n:
        progress.value = start
        proc = ctx.Process(target=worker, args=(name, start, args.n, args.seed, args.mem_mb,
                                                args.timeout, progress, counters, findings))
        proc.start()
        last, last_change, was_killed = progress.value, time.monotonic(), False
        while proc.is_alive():
            proc.join(1.0)
            now = time.monotonic()
            if progress.value != last:
                last, last_change = progress.value, now
            elif now - last_change > 5 * args.timeout + 60:  # stuck in native code
                proc.kill()
                proc.join()
                killed += 1
                was_killed = True
                findings.put((name, "hang", last, None, "killed by the supervisor"))
        if proc.exitcode == 0:
            break
        if not was_killed:
            crashes += 1
            findings.put((name, "crash", progress.value, None,
                          f"worker exit code {proc.exitcode}"))
        start = progress.value + 1
    _LIVE.pop(name, None)
    done, undocumented, memory, hang = list(counters)
    return {"decoder": name, "inputs": done + crashes + killed, "undocumented": undocumented,
            "memory": memory, "hang": hang + killed, "crash": crashes,
            "seconds": round(time.monotonic() - began, 1)}


def _save(folder: pathlib.Path, item, saved: dict, seed: int) -> None:
    name, kind, i, data, text = item
    key = (name, kind)
    saved[key] = saved.get(key, 0) + 1
    if saved[key] > 1:
        return
    out = folder / name
    out.mkdir(parents=True, exist_ok=True)
    if data is None:  # a crash or a kill: regenerate the input from its index
        data = regenerate(name, seed, i)
    (out / f"{kind}-{i}.bin").write_bytes(data)
    (out / f"{kind}-{i}.txt").write_text(text)


def _save_queued(folder: pathlib.Path, findings, saved: dict, seed: int) -> None:
    """``_save`` every finding waiting in the queue, without blocking."""
    while True:
        try:
            _save(folder, findings.get_nowait(), saved, seed)
        except queue.Empty:
            return


def regenerate(name: str, seed: int, i: int) -> bytes:
    """The bytes of input ``i`` of decoder ``name`` (to replay a crash or a hang)."""
    from tests.fuzz.targets import TARGETS

    target = TARGETS[name]
    return make_input(target, target.seeds(), seed, i)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10**6, help="inputs per decoder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--mem-mb", type=int, default=3072,
                        help="address-space cap of each worker (RLIMIT_AS), MiB")
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per input")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="decoders to run (default: all)")
    parser.add_argument("--findings", default="fuzz-findings")
    parser.add_argument("--json", default=None, help="write the summary here as JSON")
    args = parser.parse_args(argv)

    from concurrent.futures import ThreadPoolExecutor

    from tests.fuzz.targets import TARGETS, available

    names = [n for n in (args.only or sorted(TARGETS))]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown decoders {unknown}; known: {sorted(TARGETS)}")
    skipped = [n for n in names if not available(TARGETS[n])]
    names = [n for n in names if n not in skipped]
    for n in skipped:
        print(f"skipping {n}: needs {TARGETS[n].extra['needs']}", file=sys.stderr)
    folder = pathlib.Path(args.findings)
    findings = mp.get_context("spawn").Manager().Queue()
    print(f"fuzzing {len(names)} decoders x {args.n:,} inputs, {args.jobs} at a time, "
          f"{args.mem_mb} MiB and {args.timeout} s per input", file=sys.stderr)
    began = time.monotonic()
    saved: dict = {}
    results: dict[str, dict] = {}
    with ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(supervise, n, args, findings): n for n in names}
        estimated = False
        while not all(f.done() for f in futures):
            time.sleep(2)
            _save_queued(folder, findings, saved, args.seed)
            elapsed = time.monotonic() - began
            if not estimated and elapsed > 15:
                estimated = _estimate(names, args, elapsed)
        for f, n in futures.items():
            results[n] = f.result()
    _save_queued(folder, findings, saved, args.seed)
    total = time.monotonic() - began
    rows = [results[n] for n in names]
    print(_table(rows, args, total, skipped))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(
            {"n": args.n, "mem_mb": args.mem_mb, "timeout": args.timeout, "seed": args.seed,
             "seconds": round(total, 1), "machine": platform.platform(), "decoders": rows,
             "skipped": skipped}, indent=1))
    bad = sum(r[k] for r in rows for k in KINDS)
    return 1 if bad else 0


def _estimate(names: list[str], args, elapsed: float) -> bool:
    """Print the projected total from the inputs the running workers have done (decoders
    run ``jobs`` at a time; those not started yet are assumed as fast as the running
    ones). False while no worker has done enough inputs to tell."""
    rates = []
    now = time.monotonic()
    for counters, began in list(_LIVE.values()):
        done = counters[0]
        if done >= 200:
            rates.append(done / (now - began))
    if not rates:
        return False
    rate = sum(rates) / len(rates)
    per_decoder = args.n / rate
    waves = -(-len(names) // args.jobs)
    print(f"after {elapsed:.0f} s: estimated total about {per_decoder * waves / 3600:.2f} h "
          f"({per_decoder / 60:.1f} min per decoder at ~{rate:.0f} inputs/s per worker, "
          f"{len(names)} decoders {args.jobs} at a time)", file=sys.stderr, flush=True)
    return True


def _table(rows: list[dict], args, total: float, skipped: list[str]) -> str:
    lines = [f"Fuzzed {args.n:,} inputs per decoder (seed {args.seed}), memory cap "
             f"{args.mem_mb} MiB of address space per worker, {args.timeout} s per input, "
             f"{args.jobs} workers; {total / 60:.1f} min in all.", "",
             "| decoder | inputs | undocumented exceptions | crashes | hangs | "
             "allocations beyond the cap | minutes |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['decoder']} | {r['inputs']:,} | {r['undocumented']} | "
                     f"{r['crash']} | {r['hang']} | {r['memory']} | {r['seconds'] / 60:.1f} |")
    if skipped:
        lines.append("")
        lines.append(f"Not run (their loaders are absent): {', '.join(skipped)}.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
