"""Command groups of the command line, each in its own module, added to ``dataguard.cli.main``."""
