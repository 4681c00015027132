"""Command groups beyond ``scan`` and ``rules``: keys, baseline, report, inventory."""
from __future__ import annotations

import click


def register(main: click.Group) -> None:
    from dataguard.commands import baseline, inventory, keys, report
    for group in (keys.keys, baseline.baseline, report.report, inventory.inventory):
        main.add_command(group)
