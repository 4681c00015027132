"""Command groups of the command line, each in its own module, added to ``dataguard.cli.main``."""
from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add the groups ``keys``, ``baseline``, ``report``, ``inventory`` and ``config`` to ``main``."""
    from dataguard.commands import baseline, config, inventory, keys, report
    for group in (keys.keys, baseline.baseline, report.report, inventory.inventory, config.config):
        main.add_command(group)
