"""What a running scan tells the person or the log watching it.

The scanner reports three events to a progress sink (``scanner.ProgressSink``):
``item(size)`` when it starts reading an item, ``done(uri, size, findings,
unchanged)`` when the item is finished, and ``problem(problem)`` for every error or
skipped item. An item's name comes when it is done: what detection found in its names is
masked in it (``names.NameMasker``). Two sinks live here:

- ``Display``: on a terminal, a tqdm bar on stderr with the percentage, ETA and rate in
  bytes (once the pre-count knows the total), items done out of the total, findings,
  errors and the last item finished (control characters escaped, long names shortened in the
  middle). Log lines are printed above the bar (``logging_redirect_tqdm``).
- ``Heartbeat``: without a terminal, one INFO log line every ``every_s`` seconds (items,
  bytes, findings, errors, rate), written at the first event after the interval.

Both log each finished item and each problem at DEBUG level (``-v``). The pre-count
(``Precount``) walks the local targets with the same selection as the scan, a bounded
number of entries per event, so it never delays the first result; other targets
(shares, databases) have no total and show a running count and rate.
"""
from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Optional

from dataguard.names import printable

log = logging.getLogger("dataguard.progress")

PRECOUNT_STEP = 256         # entries the pre-count walks per event
ITEM_WIDTH = 48             # characters of the last item finished shown on the bar


def shown_name(uri: str, width: int = ITEM_WIDTH) -> str:
    """``uri`` safe for a terminal line: control and other unprintable characters escaped,
    shortened in the middle to ``width`` characters."""
    text = printable(uri)
    if len(text) <= width:
        return text
    keep = max(1, width - 1)
    return text[:keep // 3] + "…" + text[len(text) - (keep - keep // 3):]


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"      # pragma: no cover


@dataclass
class Counts:
    items: int = 0
    bytes: int = 0
    findings: int = 0
    errors: int = 0
    skipped: int = 0
    unchanged: int = 0


class Precount:
    """Items and bytes of the local targets, counted a step at a time. ``total`` is
    (items, bytes) once every target is counted, None before or when a target is not
    local (or cannot be walked)."""

    def __init__(self, targets: list, step: int = PRECOUNT_STEP):
        self.step = step
        self.items = self.bytes = 0
        self.total: Optional[tuple] = None
        self._walk: Optional[Iterator] = self._entries(targets) if _all_local(targets) else None

    @staticmethod
    def _entries(targets: list) -> Iterator:
        from dataguard.sources import TargetError, open_target
        for uri, opts in targets:
            try:
                with open_target(uri, opts) as source:
                    yield from source.items()
            except TargetError:
                yield None          # counted as nothing: the scan reports the target

    def advance(self) -> None:
        if self._walk is None:
            return
        for _ in range(self.step):
            entry = next(self._walk, StopIteration)
            if entry is StopIteration:
                self._walk, self.total = None, (self.items, self.bytes)
                return
            meta = getattr(entry, "meta", None)
            if meta is not None:
                self.items += 1
                self.bytes += meta.bytes


def _all_local(targets: list) -> bool:
    from dataguard.sources import scheme_of
    return bool(targets) and all(scheme_of(uri) in ("", "file") for uri, _ in targets)


class _Sink:
    """Counting and DEBUG logging shared by the display and the heartbeat."""

    def __init__(self):
        self.counts = Counts()
        self.current = ""

    def item(self, size: int) -> None:
        self._changed()

    def done(self, uri: str, size: int, findings: int, unchanged: bool = False, name_only: bool = False,
             failed: bool = False) -> None:
        c = self.counts
        c.items += 1
        c.bytes += int(size or 0)
        c.findings += findings
        c.unchanged += bool(unchanged)
        self.current = uri
        log.debug("%s %s (%s, %d findings)",
                  "unchanged" if unchanged else "scanned the name of" if name_only else
                  "could not scan" if failed else "scanned", uri,
                  human_bytes(size or 0), findings)
        self._changed()

    def stopped(self, uri: str, size: int, findings: int) -> None:
        self.counts.findings += findings
        log.debug("not scanned %s (%s, the scan stopped before it was analysed%s)", uri, human_bytes(size or 0),
                  f"; {findings} findings in the part that was" if findings else "")
        self._changed()

    def problem(self, problem) -> None:
        if problem.skipped:
            self.counts.skipped += 1
        else:
            self.counts.errors += 1
        log.debug("%s %s: %s: %s", "skipped" if problem.skipped else "error", problem.uri, problem.kind,
                  problem.message)
        self._changed()

    def tick(self) -> None:
        self._changed()

    def _changed(self) -> None:
        pass

    def close(self) -> None:
        pass


class Heartbeat(_Sink):
    """One INFO line every ``every_s`` seconds of the run (at the first event after it; while
    one long item is being read, the waiting scanner's ``tick`` is that event)."""

    def __init__(self, every_s: float, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.every_s = every_s
        self.clock = clock
        self.started = self._last = clock()

    def _changed(self) -> None:
        now = self.clock()
        if now - self._last >= self.every_s:
            self._last = now
            self.beat(now)

    def beat(self, now: float) -> None:
        c = self.counts
        elapsed = max(now - self.started, 1e-9)
        log.info("progress: %d items, %s, %d findings, %d errors, %d skipped, %.1f items/s, %s/s",
                 c.items, human_bytes(c.bytes), c.findings, c.errors, c.skipped, c.items / elapsed,
                 human_bytes(c.bytes / elapsed))


class Display(_Sink):
    """A progress bar on a terminal's stderr, with the pre-count's total when it is known."""

    def __init__(self, precount: Precount, stream):
        super().__init__()
        from tqdm import tqdm
        # no monitor thread: with a second thread running, the detection processes could not
        # be forked (scanner.executors) and would each load the model again
        tqdm.monitor_interval = 0
        self.precount = precount
        self.bar = tqdm(total=None, unit="B", unit_scale=True, unit_divisor=1024, file=stream, leave=False,
                        dynamic_ncols=True, mininterval=0.2,
                        bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}]{postfix}")

    def _changed(self) -> None:
        self.precount.advance()
        c, total = self.counts, self.precount.total
        if total is not None and self.bar.total != max(total[1], c.bytes):
            self.bar.total = max(total[1], c.bytes)
        of = f"/{max(total[0], c.items)}" if total is not None else ""
        self.bar.set_postfix_str(f"{c.items}{of} items, {c.findings} findings, {c.errors} errors  "
                                 f"{shown_name(self.current)}", refresh=False)
        self.bar.update(c.bytes - self.bar.n)

    def close(self) -> None:
        self.bar.close()


@contextlib.contextmanager
def progress_sink(targets: list, *, quiet: bool, tty: bool, stream, heartbeat_s: float) -> Iterator[_Sink]:
    """The sink for one scan: a Display on a terminal (log lines redirected above it),
    else a Heartbeat (``quiet`` too: its lines are INFO, which --quiet keeps off stderr
    but --log-file still receives)."""
    if tty and not quiet:
        from tqdm.contrib.logging import logging_redirect_tqdm
        sink = Display(Precount(targets), stream)
        with logging_redirect_tqdm(loggers=[logging.getLogger("dataguard")]):
            try:
                yield sink
            finally:
                sink.close()
        return
    sink = Heartbeat(heartbeat_s)
    try:
        yield sink
    finally:
        sink.close()
