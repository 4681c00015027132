"""Built-in defaults, each defined once. Flags and the site configuration override them."""
from __future__ import annotations

from dataguard.vocab import Severity

MAX_EVIDENCE = 10                 # evidence entries per finding (--max-evidence)
FAIL_ON = Severity.LOW            # lowest severity that makes the exit code 1 (--fail-on)
LANGUAGE = "en"                   # language of the NLP model (--language)
SAMPLE_ROWS = 10_000              # rows sampled per database table (--sample-rows); None: every row
SAMPLE_SEED = 42                  # seed of the database samplers (same sample on every run)
STATEMENT_TIMEOUT_S = 30.0        # per SQL statement
ITEM_TIMEOUT_S = 300.0            # per item (file, archive member, table) before it is a timeout error
HEARTBEAT_S = 60.0                # a progress line in the log this often when stderr is not a terminal
