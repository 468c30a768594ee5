"""The apply engine of `manage.py books_import` (docs/interchange.md): a
batch from the core system applied to the records in one transaction.

- run.py: books_import, the service (lock, batch sequence, the run record,
  the transaction, versions after commit);
- staging.py: the staging tables and the mapping of each row onto them;
- checks.py: references between rows and to the database, set-based;
- apply.py: the merges by natural key, running balances, reconciliation;
- sql.py: the few differences between PostgreSQL and SQLite.
"""

from inquiry.interchange.importing.run import books_import

__all__ = ["books_import"]
