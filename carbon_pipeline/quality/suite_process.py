"""great-expectations in a helper process, for the runs a process starts itself.

Importing great-expectations costs about 3 s of interpreter time (scipy, sqlalchemy and its own modules:
docs/performance.md, Profile 28; 2.5 s in the helper, which hides the engines it never uses: UNUSED_ENGINES). Imported
by the run's own process, in a thread beside the first steps, it held the interpreter lock those steps need:
`carbon-pipeline run` on the demo took 13.3-13.5 s of pipeline against 9.5-11.0 s with the import taken out of the
run. A run started by `run_inventory` (the CLI, the tests, the benchmarks) therefore starts one helper process first
(`carbon-pipeline run` even before it imports the CLI and Dagster: carbon_pipeline/console.py, Profile 44); it imports
great-expectations on the other core while the raw steps work (at the lowest priority, so that a large month's raw
statement keeping both cores busy is not slowed by it: ``at_lowest_priority``, Profile 38), and runs the contract
suites on the frames the checks send it. The frames are the bounded ones quality/expectations.py builds (at most
MAX_ROWS rows of the columns a contract reads), so what crosses the pipe is small. At the end of the run the report
writes half of its years there while this process writes the other half, and the hourly option's monthly charts are
shared the same way (``in_two_halves`` over ``submit``: the request goes out, the answer is read later;
docs/performance.md, Profile 36). A run whose delivery being staged reaches LARGE_INPUT_BYTES retires its helper
(``make_room_for``, Profile 39): the helper's memory would add to the peak of a run that grows with its month, and the
import it hides is a small part of such a run. Steps Dagster runs in processes of their own (the UI's multiprocess
executor) never start a helper: they validate in-process, as everything does when no helper was started.

The helper is a plain `python -c` child speaking pickles over its stdin and stdout, not a multiprocessing pool:
multiprocessing's spawn re-runs the parent's main script in the child, which for a user's script without a
``__main__`` guard would run the user's pipeline a second time. The child reads only what its parent writes and
ends when its parent closes the pipe (or dies). Results are the same either way (the same function on the same
frame); a helper that died (killed for memory, say) is replaced by validating in-process.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

T = TypeVar("T")
# imported by the helper after great-expectations, whenever no request waits (between the run's checks): the report
# and the hourly intensity charts hand it half of their work (in_two_halves), and matplotlib's import would otherwise
# come out of that half's time. None of them imports Dagster.
WARM_MODULES = ("carbon_pipeline.reporting.html_report", "carbon_pipeline.orchestration.plots_hourly")
# The engines great-expectations tries to import when it is imported (its ``compatibility`` modules) and the
# helper never uses: it validates pandas frames. Installed here for Spark, Dagster's storage and S3, they were
# 0.7 s of its 3.1 s import (pyspark.ml, sqlalchemy, boto3); the helper hides them from itself, so
# great-expectations finds them missing, as it would in an install without them (Profile 45). The run's own
# process is untouched: validating there (no helper) imports great-expectations whole.
UNUSED_ENGINES = ("pyspark", "sqlalchemy", "boto3", "botocore")
_HEADER = struct.Struct(">Q")
_lock = threading.Lock()
_helper: subprocess.Popen | None = None
# Once a delivery's staged bytes reach this, the rest of the run goes without the helper (``make_room_for``). With
# it, a run peaked at 1,894 MB for a 1 GB month (10M gzip CSV line items) and at 2,110 MB for a 10 GB month (100M):
# the helper is a flat 0.47 GB while the run's own process grows with the month (about 25 MB per GB between
# those two), so the 2 GB budget is crossed near 5 GB; retiring it from 2 GiB on keeps a margin. Below that it
# stays: at 10M a run without it was 1.5 s slower (the import no longer hidden) for 0.3 GB less (Profile 39).
LARGE_INPUT_BYTES = 2 * 2**30
# The peaks at the moment the helper was retired (bytes: the helper's, this process's), for the benchmarks' peak
# of the process tree: after it only this process counts.
retired_peaks: tuple[int, int] | None = None


def _write(stream: IO[bytes], value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the helper process closed its pipe")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the helper process closed its pipe")
    return pickle.loads(data)


def serve() -> None:
    """The helper's loop: import great-expectations, then answer (module, function, args) requests with
    (True, result) or (False, exception) until the parent closes stdin. Anything printed, by Python or by a C
    library writing to file descriptor 1, goes to stderr: the answers have the pipe to themselves."""
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for name in UNUSED_ENGINES:
        sys.modules.setdefault(name, None)  # `import name` raises ImportError: great-expectations goes without it
    at_lowest_priority(warm_up)
    warming = list(WARM_MODULES)
    while True:
        while warming and not _request_waiting(requests):
            at_lowest_priority(
                functools.partial(importlib.import_module, warming.pop(0)),
                idle_until=functools.partial(_request_waiting, requests, WANTED_POLL_SECONDS),
            )
        try:
            module, name, args = _read(requests)
        except EOFError:
            return
        try:
            answer = (True, getattr(importlib.import_module(module), name)(*args))
        except Exception as exc:  # noqa: BLE001 - handed back to the caller, which raises it
            answer = (False, exc)
        try:
            _write(answers, answer)  # pickled whole before a byte is written
        except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled: its text instead
            _write(answers, (False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]} ({exc})")))


IMPORT_NICENESS = 19


def warm_up() -> None:
    """What the helper imports before it answers: great-expectations. WARM_MODULES come after, one at a time
    and only while no request waits: on a large month the run's first contract check is waiting by then, and
    it used to wait for the chart modules' 0.5 s too (docs/performance.md, Profile 45)."""
    importlib.import_module("carbon_pipeline.quality.expectations").great_expectations()


def _request_waiting(requests: IO[bytes], wait_seconds: float = 0.0) -> bool:
    """Whether the parent has written a request (or closed the pipe) that the helper has not read yet, waiting up
    to ``wait_seconds`` for one. The pipe itself is asked: the reader's buffer is empty between requests, because
    the parent writes one request and waits for its answer before the next (``submit`` holds the lock), and
    ``_read`` takes each one whole."""
    return bool(select.select([requests], [], [], wait_seconds)[0])


WANTED_POLL_SECONDS = 0.05  # how often an idle-policy import looks for a request that now waits for it


def at_lowest_priority(work: Callable[[], None], *, idle_until: Callable[[], bool] | None = None) -> None:
    """Run ``work`` in a thread of the lowest CPU priority and wait for it (Linux: ``setpriority`` on a thread id
    sets that thread's nice value only; the process keeps its own). Why: the helper's imports (about 3 s of CPU for
    great-expectations) run while the run's first steps work, and when those steps keep both cores busy (a large
    month's raw statement) imports at equal priority made them 3.2 s longer for a 10M-line gzip month
    (docs/performance.md, Profile 38). At the lowest priority they take only a core the run leaves idle; on the
    demo, where the run is mostly one interpreter, they end as early as before. What the helper does after (contract
    suites, report pages) keeps normal priority: the run waits for those answers. Where a thread's priority cannot
    be set (another system) ``work`` simply runs at normal priority; its exception is raised here.

    ``idle_until``: for work nothing waits for yet (the chart modules), Linux's SCHED_IDLE as well, until this
    callable (which may block briefly) says something now waits for it. A nice-19 thread still takes 5-7 % of
    a busy machine (a nice-19 busy loop made the 10M-line raw statement 1-1.5 s longer), an idle-policy one only
    what nothing else wants (Profile 45). Once a request waits, the thread goes back to the normal policy at nice
    19: on a machine other work keeps busy, an idle-policy thread may get no CPU at all, and the answer would
    wait on it."""
    failure: list[BaseException] = []
    started = threading.Event()

    def run() -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), IMPORT_NICENESS)
            if idle_until is not None:  # pid 0: this thread (Linux schedules threads)
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        started.set()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread below
            failure.append(exc)

    worker = threading.Thread(target=run, name="helper-warm-up")
    worker.start()
    if idle_until is not None:
        started.wait()  # its policy is set: a lift cannot come before it and be undone
        while worker.is_alive() and not idle_until():
            pass
        if worker.is_alive():
            with contextlib.suppress(OSError, AttributeError):
                os.sched_setscheduler(worker.native_id, os.SCHED_OTHER, os.sched_param(0))
    worker.join()
    if failure:
        raise failure[0]


def start() -> None:
    """Start the helper process (once per process); it imports great-expectations at once. A helper that cannot
    be started (no interpreter at ``sys.executable``, no process or file slots left) is no reason to fail a
    run: the checks then validate in-process."""
    global _helper, retired_peaks
    with _lock:
        if _helper is None or _helper.poll() is not None:
            retired_peaks = None
            try:
                _helper = subprocess.Popen(
                    [sys.executable, "-c", "from carbon_pipeline.quality.suite_process import serve; serve()"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
            except OSError:
                _helper = None


def started() -> bool:
    return _helper is not None and _helper.poll() is None


def make_room_for(input_bytes: int) -> bool:
    """Retire the helper once a delivery being staged in this process reaches ``input_bytes`` (its objects so far,
    the next statement's included), if that is at least LARGE_INPUT_BYTES; True if a live helper was retired. Why:
    the run's own process grows with the month while the helper's memory (about 0.47 GB once great-expectations is
    imported) stays, and at 100M line items the two passed 2 GB; the 3 s of import it hides are nothing in a run of
    minutes (Profile 39). The checks after it validate in this process, as when no helper was started. It holds no
    state and no request is outstanding (the lock), so it is killed rather than asked to finish its import."""
    global _helper, retired_peaks
    if input_bytes < LARGE_INPUT_BYTES:
        return False
    with _lock:
        helper = _helper
        if helper is None or helper.poll() is not None:
            return False  # none, or one that died: ``submit`` already works here without it
        _helper = None
        retired_peaks = (_peak_rss(helper.pid) or 0, _peak_rss("self") or 0)
        helper.kill()
        _reap(helper)
    return True


def peak_rss_bytes() -> int | None:
    """The live helper's peak resident memory (Linux: VmHWM), for the benchmarks' peak of the process tree."""
    helper = _helper
    if helper is None or helper.poll() is not None:
        return None
    return _peak_rss(helper.pid)


def _peak_rss(pid: int | str) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return None if kib is None else int(kib) * 1024


def call(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in the helper when one was started and is alive, else here. ``function`` must be a
    module-level function (the helper imports it by name)."""
    return submit(function, *args)()


def submit(function: Callable[..., T], *args: Any) -> Callable[[], T]:
    """Hand ``function(*args)`` to the helper and return at once, so this process can work meanwhile; the
    returned callable waits for the result (or raises the helper's exception). Without a live helper, or if it
    dies before answering, the callable computes it here. The helper serves one request at a time: until the
    result is taken, other calls wait, so the caller must take it (in a ``finally`` if it can fail first)."""
    global _helper
    _lock.acquire()
    helper = _helper
    if helper is None or helper.poll() is not None:
        _lock.release()
        return lambda: function(*args)
    try:
        _write(helper.stdin, (function.__module__, function.__name__, args))
    except OSError:
        _helper = None  # died: work here from now on
        _reap(helper)
        _lock.release()
        return lambda: function(*args)
    except BaseException:  # arguments that cannot be pickled, an interrupt: nothing was sent
        _lock.release()
        raise

    def result() -> T:
        global _helper
        try:
            ok, value = _read(helper.stdout)
        except (EOFError, OSError):
            _helper = None  # died while working: do it here, and everything after
            _reap(helper)
            ok, value = None, None
        finally:
            _lock.release()
        if ok is None:
            return function(*args)
        if ok:
            return value
        raise value

    return result


def in_two_halves(function: Callable[..., list[T]], *args: Any) -> list[T]:
    """``function(*args, items)`` for ``items`` the last of ``args``, computed as two halves: the first in the helper
    (when a run started one) while this process computes the second, the results concatenated in order. For pure
    Python work, such as charts, that would otherwise take turns on this process's interpreter; ``function`` returns
    a list for the items it is given."""
    *fixed, items = args
    half = len(items) // 2
    if half == 0:  # one item (a one-year report, a one-month run): nothing to share
        return function(*fixed, items)
    theirs = submit(function, *fixed, items[:half])
    try:
        ours = function(*fixed, items[half:])
    except BaseException:
        with contextlib.suppress(Exception):  # the helper's answer is still taken (the lock), but this error wins
            theirs()
        raise
    return theirs() + ours


def _reap(helper: subprocess.Popen) -> None:
    """Close the helper's pipes and wait for it to end (killed after 10 s): no zombie, no open descriptors."""
    with contextlib.suppress(OSError):  # its reader may be gone already
        helper.stdin.close()
    try:
        helper.wait(timeout=10)
    except subprocess.TimeoutExpired:
        helper.kill()
        helper.wait()
    helper.stdout.close()


@atexit.register
def stop() -> None:
    """Stop the helper (at exit, and for tests)."""
    global _helper
    with _lock:
        helper, _helper = _helper, None
    if helper is not None:
        _reap(helper)
