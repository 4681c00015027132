"""Alembic environment: migrations run on the connection dataguard hands over
(``config.attributes["connection"]``), inside its transaction."""
from alembic import context

from dataguard.inventory.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
