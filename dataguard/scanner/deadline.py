"""The time budget of a scan and the reason it stopped early (signal or budget)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

BUDGET_EXHAUSTED = "time budget (--max-duration) exhausted"


@dataclass(frozen=True)
class Clock:
    """Where a scan reads the time: ``monotonic`` for its budget and duration, ``wall``
    (seconds since the epoch) for the report's times and the rules' ages. Tests pass fakes."""
    monotonic: Callable[[], float] = field(default=time.monotonic)
    wall: Callable[[], float] = field(default=time.time)


class Deadline:
    """``stop(reason)`` (a signal handler) or the budget running out ends a scan early;
    ``expired()`` is asked between items and between chunks."""

    def __init__(self, budget_s: Optional[float] = None, clock: Clock = Clock()):
        self._monotonic = clock.monotonic
        self.started = self._monotonic()
        self._end = self.started + budget_s if budget_s else None
        self.reason: Optional[str] = None

    def stop(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason

    def expired(self) -> bool:
        """True once the scan must stop (and from then on)."""
        if self.reason is None and self._end is not None and self._monotonic() > self._end:
            self.reason = BUDGET_EXHAUSTED
        return self.reason is not None

    @property
    def stopped(self) -> bool:
        return self.reason is not None

    def elapsed(self) -> float:
        return self._monotonic() - self.started
