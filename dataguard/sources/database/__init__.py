"""Database targets: SQLite, PostgreSQL, MariaDB/MySQL through SQLAlchemy.

One item per table or PostgreSQL materialized view (a partitioned table is read
through its partitions; views are not read); its chunks are PER COLUMN (the location
unit of a database finding is a column).  Values of one column are batched into chunks (one
``Anchor`` per value pointing at the row's primary key, or the rowid / row
number), with the column and table names as context words.

Everything is read-only and bounded:

* SQLite is opened with ``mode=ro``, or ``immutable=1`` for a WAL database nobody has
  open (the file is never written, nothing is created beside it);
* PostgreSQL sessions run with ``default_transaction_read_only=on`` and a
  ``statement_timeout``;
* MariaDB/MySQL sessions run ``SET SESSION TRANSACTION READ ONLY`` and
  ``max_statement_time`` (MariaDB) / ``max_execution_time`` (MySQL).

Sampling (``options.sample_rows``, default 10000; None reads every row) is
seeded (``options.sample_seed``) and never sorts a big table:

=====================  ======================================================
method                 used for
=====================  ======================================================
``all``                table estimated at <= N rows (read with LIMIT N)
``tablesample-system`` PostgreSQL big tables (``TABLESAMPLE SYSTEM (pct) REPEATABLE (seed)``)
``tablesample-bernoulli`` PostgreSQL big tables with few pages
``pk-range``           MariaDB/MySQL big tables with an integer primary key:
                       seeded random windows over [min(pk), max(pk)]
``rand-filter``        MariaDB/MySQL big tables without one: ``WHERE RAND(seed) < p``
``rowid``              SQLite big tables: seeded random rowid set
``rowid-range``        SQLite big tables with sparse rowids: seeded random rowid windows
``first-rows``         fallback (SQLite WITHOUT ROWID tables): the first N rows
=====================  ======================================================

Each table read is recorded in ``info["tables"]`` (method, seed, rows_read,
rows_estimate); ``rows_sampled`` is the total number of rows read.

Modules: ``engine`` (URL, display form, read-only engines), ``values`` (column
classes, cell texts, context words), ``errors`` (failure kinds and messages),
``table`` (the per-column chunks), ``source`` (connection and discovery), and
one sampler per dialect (``sqlite``, ``postgresql``, ``mysql``) on ``sampling``.
"""
from __future__ import annotations

from dataguard.sources.database.source import DatabaseSource
from dataguard.sources.database.table import DatabaseTable

__all__ = ["DatabaseSource", "DatabaseTable"]
