"""Built-in defaults, each defined once. Flags and the site configuration override them."""
from __future__ import annotations

import re

from dataguard.vocab import Severity

MAX_EVIDENCE = 10                 # evidence entries per finding (--max-evidence)
FAIL_ON = Severity.LOW            # lowest severity that makes the exit code 1 (--fail-on)
LANGUAGE = "auto"                 # NER model: each chunk's language's, or en / fr for all (--language)
# countries whose national formats (phone numbers, national IDs, tax and health numbers) are
# recognised when the site configuration names none: Headquarters and its main duty stations
COUNTRIES = ("US", "GB", "FR", "CH", "KE")
SAMPLE_ROWS = 10_000              # rows sampled per database table (--sample-rows); None: every row
SAMPLE_SEED = 42                  # seed of the database samplers (same sample on every run)
STATEMENT_TIMEOUT_S = 30.0        # per SQL statement
ITEM_TIMEOUT_S = 300.0            # per item (file, archive member, table) before it is a timeout error
PATTERN_TIMEOUT_S = 5.0           # a rule pack's pattern on one chunk before the item is a timeout error
# a rule pack's patterns are compiled with these (Presidio's); a plain int: the regex module's parser
# tests the flags thousands of times a pattern, and an enum's '&' is a Python call (a third of its time)
PACK_FLAGS = int(re.IGNORECASE | re.MULTILINE | re.DOTALL)
HEARTBEAT_S = 60.0                # a progress line in the log this often when stderr is not a terminal
INVENTORY_DB = "dataguard-inventory.db"   # the inventory database (``inventory --db``)
INVENTORY_DB_ENV = "DATAGUARD_INVENTORY"  # the environment variable naming it
