"""The long fuzzing run, started by a person (CI runs the bounded one, tests/test_fuzzing.py):

    python bench/fuzz_long.py                      # 20,000 inputs of each kind
    python bench/fuzz_long.py --inputs 100000 --minutes 60 --kinds harness,torture

Each kind (generated Harness pipelines, YAML torture, byte mutations of ../shared/corpus) is drawn with
fresh random seeds and checked for the properties of tests/fuzz_strategies.py: no exception, ranges inside
the document, the same result twice, no BL000 on valid Harness YAML; an input that takes longer than
--hang-seconds counts as a hang. Prints, per kind, the inputs tried, the failures and the slowest input,
then the peak memory of the run. Every failing input is written to tests/fuzz_regressions/ (replayed by
the test suite from then on); commit it with the fix.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import pathlib
import random
import resource
import signal
import sys
import time
import traceback

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from tests import fuzz_strategies as F  # noqa: E402

REGRESSIONS = ROOT / "tests" / "fuzz_regressions"
KINDS = {
    "harness": (F.harness_pipelines, lambda text: F.check_text(text, valid_harness=True), "text"),
    "torture": (F.yaml_torture, F.check_text, "text"),
    "mutations": (F.corpus_mutations, F.check_bytes, "bytes"),
}
CHUNK = 500  # inputs per hypothesis run (each run gets its own seed)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang


def save(kind: str, value: str | bytes, found: str) -> pathlib.Path:
    raw = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    path = REGRESSIONS / f"{kind}-{hashlib.sha1(raw).hexdigest()[:12]}.json"
    item = {"kind": kind, "found": found,
            "input": value if isinstance(value, str) else base64.b64encode(value).decode()}
    path.write_text(json.dumps(item, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    return path


def run_kind(name: str, inputs: int, seconds: float, hang_seconds: int, rng: random.Random) -> dict:
    strategy, check, storage = KINDS[name]
    stats = {"inputs": 0, "failures": 0, "hangs": 0, "slowest": (0.0, 0, ""), "distinct": {}}
    deadline = time.monotonic() + seconds

    def one(value) -> None:
        if stats["inputs"] >= inputs or time.monotonic() > deadline:
            return
        stats["inputs"] += 1
        start = time.perf_counter()
        signal.alarm(hang_seconds)
        try:
            check(value)
        except Hang:
            stats["hangs"] += 1
            what = f"took more than {hang_seconds} s"
            stats["distinct"].setdefault(("hang",), (what, save(storage, value, f"{name}: {what}")))
        except Exception as exc:  # noqa: BLE001 - a failure to record, not to stop on
            stats["failures"] += 1
            where = traceback.extract_tb(exc.__traceback__)[-1]
            key = (type(exc).__name__, where.filename, where.lineno)
            what = f"{type(exc).__name__}: {str(exc)[:200]} ({pathlib.Path(where.filename).name}:{where.lineno})"
            if key not in stats["distinct"]:
                stats["distinct"][key] = (what, save(storage, value, f"{name}: {what}"))
        finally:
            signal.alarm(0)
        took = time.perf_counter() - start
        if took > stats["slowest"][0]:
            stats["slowest"] = (took, len(value), repr(value[:80]))

    while stats["inputs"] < inputs and time.monotonic() < deadline:
        run = settings(max_examples=min(CHUNK, inputs - stats["inputs"]), database=None, deadline=None,
                       phases=[Phase.generate], suppress_health_check=list(HealthCheck))(given(strategy())(one))
        seed(rng.getrandbits(64))(run)()
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=20_000, help="inputs per kind (default 20000)")
    parser.add_argument("--minutes", type=float, default=30.0, help="time budget per kind (default 30)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {', '.join(KINDS)}")
    parser.add_argument("--hang-seconds", type=int, default=10, help="an input slower than this is a hang (default 10)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the seeds, to repeat a run")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(args.seed)
    total_failures = 0
    print(f"{'kind':<10} {'inputs':>8} {'failures':>9} {'hangs':>6} {'seconds':>8}  slowest input")
    for name in args.kinds.split(","):
        if name == "mutations" and not F.CORPUS_FILES:
            print(f"{name:<10} skipped: ../shared/corpus/real is not here")
            continue
        start = time.monotonic()
        stats = run_kind(name, args.inputs, args.minutes * 60, args.hang_seconds, rng)
        took, size, head = stats["slowest"]
        print(f"{name:<10} {stats['inputs']:>8} {stats['failures']:>9} {stats['hangs']:>6} "
              f"{time.monotonic() - start:>8.1f}  {took * 1000:.0f} ms, {size} chars/bytes: {head}")
        for what, path in stats["distinct"].values():
            print(f"    {what}\n      saved as {path.relative_to(ROOT)}")
        total_failures += stats["failures"] + stats["hangs"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB; {total_failures} failing input{'s' if total_failures != 1 else ''}")
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
