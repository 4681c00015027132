"""Durations as people write them: ``90``, ``90s``, ``45m``, ``2h``, ``1h30m``."""
from __future__ import annotations

import re
from typing import Union

_NUMBER = re.compile(r"\d+(\.\d+)?")
_HMS = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_duration(value: Union[str, int, float]) -> float:
    """Seconds (> 0) of ``value``: a number of seconds or ``[Nh][Nm][Ns]``.

    Raises ValueError (the message never repeats more than the value given)."""
    if isinstance(value, bool):
        raise ValueError("must be a duration such as 90m, 2h or a number of seconds")
    if isinstance(value, (int, float)):
        secs = float(value)
    else:
        t = str(value).strip().lower()
        if _NUMBER.fullmatch(t):
            secs = float(t)
        else:
            m = _HMS.fullmatch(t)
            if not m or not any(m.groups()):
                raise ValueError(f"cannot read duration {value!r} (use e.g. 90s, 45m, 2h)")
            h, mi, s = (int(x or 0) for x in m.groups())
            secs = float(h * 3600 + mi * 60 + s)
    if secs <= 0:
        raise ValueError("must be positive")
    return secs
