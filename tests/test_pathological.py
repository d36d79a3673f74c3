"""Pathological inputs, each linted by the real command in a subprocess under a memory limit and a timeout:
it must end, with the exit status it owes (never 3, never a signal), within bounds of time and memory.

The bounds are generous (the CI machine is shared and loaded) but each is far below what the defect it
guards against cost: a hang never ends, /dev/zero grew to 4.4 GB in 10 s, an alias bomb expands without
end. The peak memory is the child's own maximum resident set.
"""

from __future__ import annotations

import os
import pathlib
import random
import subprocess
import sys
import time

import pytest

from bench.generate import pipeline

MB = 2**20
ADDRESS_SPACE = 4096 * MB  # a hard stop: a runaway allocation fails fast instead of swapping the machine

# The child sets its own limit and reports its own peak (VmHWM: ru_maxrss would include what a forked
# child shares with this process).
RUNNER = (
    "import resource, sys\n"
    f"resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE}, {ADDRESS_SPACE}))\n"
    "from barrier_lint.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "try:\n"  # the high-water mark of this process's own memory (ru_maxrss also counts what a fork inherited)
    "    peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
    "except OSError:\n"
    "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print('PEAK_KB', peak, file=sys.stderr)\n"
    "sys.exit(status)\n"
)

STAGE = (
    "        - stage: {{identifier: s{i}, type: Custom, spec: {{execution: {{steps: [{{step: {{type: Barrier, "
    "identifier: w, name: w, spec: {{barrierRef: sync}}, timeout: 10m}}}}]}}}}}}\n"
)
HEAD = "pipeline:\n  identifier: p\n  name: p\n"


def billion_laughs() -> str:
    text = HEAD + "  l0: &l0 [{step: {type: Barrier, spec: {barrierRef: a}}}]\n"
    for i in range(1, 10):
        text += f"  l{i}: &l{i} [" + ", ".join([f"{{parallel: *l{i - 1}}}"] * 10) + "]\n"
    return text + "  stages:\n    - stage: {identifier: s, type: Custom, spec: {execution: {steps: *l9}}}\n"


def write(path: pathlib.Path, content: str | bytes) -> pathlib.Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


# name -> (make the input in a folder and return the CLI arguments, exit status, seconds, peak MB)
CASES = {
    "million-line-pipeline": (lambda d: [write(d / "big.yaml", pipeline(1_000_000))], 0, 300, 2600),
    "nesting-flow-10k": (lambda d: [write(d / "f.yaml", HEAD + "  x: " + "[" * 10_000 + "]" * 10_000 + "\n")], 1, 60, 200),
    "nesting-flow-100k": (lambda d: [write(d / "f.yaml", HEAD + "  x: " + "{a: " * 100_000 + "}" * 100_000 + "\n")], 1, 60, 200),
    "nesting-block-10k": (lambda d: [write(d / "b.yaml", HEAD + "  x:\n    " + "- " * 10_000 + "x\n")], 1, 60, 200),
    "nesting-block-100k": (lambda d: [write(d / "b.yaml", HEAD + "  x:\n    " + "- " * 100_000 + "x\n")], 1, 60, 200),
    "alias-bomb": (lambda d: [write(d / "bomb.yaml", billion_laughs())], 1, 60, 300),
    "scalar-50mb": (lambda d: [write(d / "s.yaml", HEAD.replace("name: p", "name: " + "x" * (50 * MB)))], 0, 120, 800),
    "declarations-100k": (
        lambda d: [write(d / "decl.yaml", HEAD + "  flowControl:\n    barriers:\n"
                         + "".join(f"      - {{name: b{i}, identifier: b{i}}}\n" for i in range(100_000)))],
        0, 180, 1000,
    ),
    "parallel-stages-10k": (
        lambda d: [write(d / "par.yaml", HEAD + "  flowControl: {barriers: [{name: s, identifier: sync}]}\n  stages:\n"
                         "    - parallel:\n" + "".join(STAGE.format(i=i) for i in range(10_000)))],
        0, 180, 800,
    ),
    "binary": (lambda d: [write(d / "bin.yaml", random.Random(8).randbytes(4 * MB))], 1, 60, 200),
    "invalid-utf8": (lambda d: [write(d / "u.yaml", b"pipeline:\n  name: caf\xe9\n")], 1, 60, 200),
    "utf16-bom": (lambda d: [write(d / "w.yaml", "\ufeffpipeline:\n  identifier: p\n".encode("utf-16-le"))], 1, 60, 200),
    "nul": (lambda d: [write(d / "n.yaml", b"pipeline:\n  identifier: p\x00\n")], 1, 60, 200),
    "empty": (lambda d: [write(d / "e.yaml", b"")], 0, 60, 200),
    "comments-only": (lambda d: [write(d / "c.yaml", "# a comment\n" * 200_000)], 0, 60, 200),
    "fifo": (lambda d: (os.mkfifo(d / "p.yaml"), [d / "p.yaml"])[1], 1, 60, 200),
    "fifo-in-a-walk": (lambda d: (os.mkfifo(d / "p.yaml"), [d])[1], 0, 60, 200),
    "dev-zero": (lambda d: ["/dev/zero"], 1, 60, 200),
    "symlink-to-dev-zero-in-a-walk": (lambda d: ((d / "z.yaml").symlink_to("/dev/zero"), [d])[1], 0, 60, 200),
    "symlink-loop": (lambda d: ((d / "loop.yaml").symlink_to("loop.yaml"), [d / "loop.yaml"])[1], 2, 60, 200),
    # Root reads any file whatever its permissions; /proc/self/mem is a regular file that fails to read (EIO).
    "unreadable": (lambda d: ((d / "mem.yaml").symlink_to("/proc/self/mem"), [d / "mem.yaml"])[1], 2, 60, 200),
    "unreadable-in-a-walk": (lambda d: ((d / "mem.yaml").symlink_to("/proc/self/mem"), [d])[1], 0, 60, 200),
}

MEASURED: dict[str, tuple[float, float]] = {}


def run_bounded(args: list[str], seconds: float, stdin=None) -> tuple[subprocess.CompletedProcess, float, float]:
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, "-q", "--no-respect-gitignore", *args],
        capture_output=True, timeout=seconds, stdin=stdin if stdin is not None else subprocess.DEVNULL,
    )
    elapsed = time.monotonic() - start
    peaks = [line for line in result.stderr.decode(errors="replace").splitlines() if line.startswith("PEAK_KB ")]
    peak = int(peaks[-1].split()[1]) / 1024 if peaks else float("nan")
    return result, elapsed, peak


@pytest.mark.timeout(400)
@pytest.mark.parametrize("name", list(CASES))
def test_pathological_input_ends_within_bounds(name, tmp_path):
    make, status, seconds, megabytes = CASES[name]
    if name.startswith(("fifo",)) and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    if ("zero" in name and not os.path.exists("/dev/zero")) or ("unreadable" in name and not os.path.exists("/proc/self/mem")):
        pytest.skip("needs Linux's /dev/zero and /proc/self/mem")
    args = [str(a) for a in make(tmp_path)]
    result, elapsed, peak = run_bounded(args, seconds)
    MEASURED[name] = (elapsed, peak)
    print(f"{name}: {elapsed:.1f} s, {peak:.0f} MB peak")
    stderr = result.stderr.decode(errors="replace")
    assert result.returncode == status, stderr[-2000:]
    assert "internal error" not in stderr
    assert peak < megabytes, f"{name}: {peak:.0f} MB peak, bound {megabytes} MB"


@pytest.mark.timeout(120)
def test_standard_input_from_dev_zero_is_bounded():
    if not os.path.exists("/dev/zero"):
        pytest.skip("needs /dev/zero")
    with open("/dev/zero", "rb") as zero:
        result, elapsed, peak = run_bounded(["-"], 60, stdin=zero)
    assert result.returncode == 1
    assert result.stdout.decode() == "-:1:1: BL000 [error] the file is larger than 64 MiB; barrier-lint does not read files this large\n"
    assert peak < 200
