"""What a scan reports while it runs, to whoever shows it (``dataguard.progress``)."""
from __future__ import annotations

from dataguard.types import Problem


class ProgressSink:
    """The events of a running scan; this one ignores them all.

    ``item``: an item of ``size`` bytes is being read; ``done``: an item is finished
    (``unchanged``: reused from the state without reading; ``name_only``: skipped whole, only
    its name was scanned) with the number of its findings;
    ``stopped``: the scan stopped (a signal, ``--max-duration``, a lost executor) before the
    item was analysed, or all of it: it is not scanned (nor counted, nor stored in the state),
    and ``findings`` are those of the part that was; ``problem``: an error or a skipped item
    was recorded. The names come with ``done``, ``stopped`` and ``problem``, once detection has
    looked at them: what it found in them is masked (unless ``--show-data``)."""

    def item(self, size: int) -> None:
        pass

    def done(self, uri: str, size: int, findings: int, unchanged: bool = False, name_only: bool = False,
             failed: bool = False) -> None:
        pass

    def stopped(self, uri: str, size: int, findings: int) -> None:
        pass

    def problem(self, problem: Problem) -> None:
        pass

    def tick(self) -> None:
        """The scan is waiting for its executor (asked about every quarter second while an item
        takes long): time passes without an event."""
