"""What a running scan shows: terminal display, heartbeat lines, pre-count, -v details."""
from __future__ import annotations

import io
import logging

from dataguard.progress import Display, Heartbeat, Precount, shown_name
from dataguard.sources import SourceOptions
from dataguard.types import Problem


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _tree(tmp_path, n: int, size: int = 10):
    for i in range(n):
        (tmp_path / f"f{i:03}.txt").write_bytes(b"x" * size)
    return [(str(tmp_path), SourceOptions())]


def test_shown_name_escapes_and_shortens():
    assert shown_name("a\nb\x1b[31m.txt") == "a\\nb\\x1b[31m.txt"
    long = "/srv/" + "x" * 200 + "/end.txt"
    short = shown_name(long, 30)
    assert len(short) == 30 and short.startswith("/srv/") and short.endswith("end.txt") and "…" in short


def test_heartbeat_every_interval_with_counts(caplog):
    clock = FakeClock()
    beat = Heartbeat(60, clock=clock)
    caplog.set_level(logging.INFO, logger="dataguard.progress")
    beat.done("/a", 1024, 2)
    clock.now += 30
    beat.done("/b", 1024, 0)
    beat.problem(Problem("/c", "corrupt", "cannot parse"))
    assert not [r for r in caplog.records if r.levelno == logging.INFO]
    clock.now += 31
    beat.done("/d", 2048, 1)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(lines) == 1
    assert "3 items" in lines[0] and "4.0 KiB" in lines[0] and "3 findings" in lines[0] and "1 errors" in lines[0]
    beat.done("/e", 1, 0)          # the next line only after another interval
    assert len([r for r in caplog.records if r.levelno == logging.INFO]) == 1


def test_heartbeat_beats_while_one_long_item_is_read(caplog):
    """No item finishes for minutes: the waiting scanner's ticks still give a line per interval."""
    clock = FakeClock()
    beat = Heartbeat(60, clock=clock)
    caplog.set_level(logging.INFO, logger="dataguard.progress")
    beat.item(10 ** 9)
    for _ in range(3):
        clock.now += 61
        beat.tick()
        beat.tick()                # within the same interval: no second line
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(lines) == 3 and all("0 items" in line for line in lines)


def test_items_and_problems_at_debug_level(caplog):
    caplog.set_level(logging.DEBUG, logger="dataguard.progress")
    beat = Heartbeat(60, clock=FakeClock())
    beat.done("/share/a.txt", 10, 1)
    beat.problem(Problem("/share/b.pdf", "encrypted", "PDF is password protected"))
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any("/share/a.txt" in m for m in debug) and any("/share/b.pdf: encrypted" in m for m in debug)


def test_precount_walks_a_step_at_a_time(tmp_path):
    targets = _tree(tmp_path, 10, size=100)
    count = Precount(targets, step=4)
    count.advance()
    assert count.total is None and count.items == 4
    for _ in range(3):
        count.advance()
    assert count.total == (10, 1000)


def test_precount_has_no_total_for_remote_targets(tmp_path):
    count = Precount([(str(tmp_path), SourceOptions()), ("smb://fs01/share", SourceOptions())])
    count.advance()
    assert count.total is None


def test_display_shows_percentage_items_and_current_item(tmp_path):
    targets = _tree(tmp_path, 4, size=256)
    stream = io.StringIO()
    display = Display(Precount(targets), stream)
    display.bar.mininterval = 0
    for i in range(2):
        uri = str(tmp_path / f"f{i:03}.txt")
        display.item(256)
        display.done(uri, 256, 1)
    display.bar.refresh()
    text = stream.getvalue()
    assert "50%" in text and "2/4 items" in text and "2 findings" in text and "f001.txt" in text
    display.close()


def test_display_starts_no_thread(tmp_path):
    import threading
    before = threading.active_count()
    display = Display(Precount(_tree(tmp_path, 2)), io.StringIO())
    display.done(str(tmp_path / "f000.txt"), 10, 0)
    assert threading.active_count() == before
    display.close()
