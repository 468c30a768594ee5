"""The few differences between PostgreSQL and SQLite the import's SQL meets,
in one place, so every step is written once.

PostgreSQL is the production database: staging rows go in with COPY and
the changed rows are collected by data-modifying CTEs, without a round trip
through Python. SQLite (development, tests) gets the same statements, with
executemany for COPY and RETURNING fetched into Python for the CTEs.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice

# Every table name in this SQL is a constant of the import; values go in as parameters.
# ruff: noqa: S608

SQLITE_CHUNK = 5_000  # rows per executemany on SQLite


class Sql:
    def __init__(self, connection):
        self.connection = connection
        self.pg = connection.vendor == "postgresql"
        self.cursor = connection.cursor()

    # --- dialect -------------------------------------------------------------

    def ne(self, a: str, b: str) -> str:
        """`a` differs from `b`, NULL being a value like any other."""
        return f"({a} IS DISTINCT FROM {b})" if self.pg else f"({a} IS NOT {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"MAX({a}, {b})"

    def money(self, expression: str) -> str:
        """A money result of arithmetic. SQLite computes decimals as binary
        floats: rounded to the cent, a value equals the one Django stored, so
        an unchanged balance compares equal and is not written again."""
        return expression if self.pg else f"ROUND({expression}, 2)"

    def stamp(self, moment: datetime):
        """An aware datetime as a parameter: SQLite keeps naive UTC text, as Django writes it."""
        return moment if self.pg else moment.astimezone(UTC).replace(tzinfo=None)

    def temp(self, name: str) -> str:
        """The temporary table `name`, qualified, so a DROP never reaches a real table."""
        return f"pg_temp.{name}" if self.pg else f"temp.{name}"

    # --- statements ----------------------------------------------------------

    def run(self, sql: str, params: Sequence = ()) -> int:
        self.cursor.execute(sql, list(params))
        return self.cursor.rowcount

    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        self.cursor.execute(sql, list(params))
        return self.cursor.fetchall()

    def value(self, sql: str, params: Sequence = ()):
        self.cursor.execute(sql, list(params))
        row = self.cursor.fetchone()
        return row[0] if row else None

    def stream(self, sql: str, params: Sequence = (), size: int = 10_000) -> Iterator[tuple]:
        self.cursor.execute(sql, list(params))
        while batch := self.cursor.fetchmany(size):
            yield from batch

    def table_create(self, name: str, columns: Sequence[tuple[str, str]]) -> None:
        self.run(f"DROP TABLE IF EXISTS {self.temp(name)}")
        body = ", ".join(f"{column} {kind}" for column, kind in columns)
        self.run(f"CREATE TEMP TABLE {name} ({body})")

    def table_from(self, name: str, select: str, params: Sequence = ()) -> None:
        self.run(f"DROP TABLE IF EXISTS {self.temp(name)}")
        self.run(f"CREATE TEMP TABLE {name} AS {select}", params)

    def table_drop(self, name: str) -> None:
        self.run(f"DROP TABLE IF EXISTS {self.temp(name)}")

    def index(self, table: str, columns: str) -> None:
        name = f"{table}_{columns.replace(', ', '_').replace(',', '_')}_idx"
        self.run(f"CREATE INDEX {name} ON {table} ({columns})")

    def analyze(self, table: str) -> None:
        # Autovacuum never analyzes temporary tables: without statistics the
        # planner guesses a few rows and picks nested loops over millions.
        self.run(f"ANALYZE {table}")

    def load(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        """Write `rows` into `table`: COPY on PostgreSQL, executemany on SQLite."""
        count = 0
        names = ", ".join(columns)
        if self.pg:
            with self.cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join("%s" for _ in columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        iterator = iter(rows)
        while chunk := list(islice(iterator, SQLITE_CHUNK)):
            self.cursor.executemany(sql, chunk)
            count += len(chunk)
        return count

    def empty_locked(self, table: str) -> bool:
        """PostgreSQL: whether `table` is empty, and if so it is locked
        (ACCESS EXCLUSIVE, to the end of the transaction) so that it stays so
        until bulk_insert fills it."""
        if not self.pg or self.value(f"SELECT EXISTS (SELECT 1 FROM {table})"):
            return False
        self.run(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        return not self.value(f"SELECT EXISTS (SELECT 1 FROM {table})")

    @contextmanager
    def bulk_insert(self, table: str, triggers: Iterable[str] = ()) -> Iterator[None]:
        """PostgreSQL, into an EMPTY `table` (an initial load): the rows go in
        without its secondary indexes, unique and foreign-key constraints and
        the named `triggers`, which are put back exactly as they were (their
        definitions read from the catalog) after the block. Building an index
        from millions of sorted rows, and checking a foreign key with one
        join, is many times cheaper than keeping them row by row (random
        inserts into a unique index that does not fit in shared_buffers, one
        deferred RI check per row at COMMIT). The table stays locked (ACCESS
        EXCLUSIVE) to the end of the transaction: only for a table nobody
        reads yet (see empty_locked). Elsewhere (SQLite) the block runs as it is."""
        if not self.pg:
            yield
            return
        # Primary key kept: its ids grow, so its inserts only append.
        indexes = self.rows(
            "SELECT i.relname, pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary ORDER BY i.relname",
            [table],
        )
        foreign = self.rows(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        enabled = [
            row[0]
            for row in self.rows(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
                "AND tgenabled <> 'D' AND tgname = ANY(%s)",
                [table, list(triggers)],
            )
        ]
        if foreign:
            # Dropping a foreign key alters the table it references, which
            # PostgreSQL refuses while that table has deferred checks queued
            # (the rows this transaction wrote before): run them now; a
            # violation fails the import here rather than at COMMIT.
            self.run("SET CONSTRAINTS ALL IMMEDIATE")
            self.run("SET CONSTRAINTS ALL DEFERRED")
        for name, _ in foreign:
            self.run(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for index, _, constraint, _ in indexes:
            if constraint:
                self.run(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            else:
                self.run(f'DROP INDEX "{index}"')
        for name in enabled:
            self.run(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
        yield
        for name in enabled:
            self.run(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
        for _, index_def, constraint, constraint_def in indexes:
            if constraint:
                self.run(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraint_def}')
            else:
                self.run(index_def)
        for name, definition in foreign:
            self.run(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        # The table was empty: its statistics say so until analyzed.
        self.run(f"ANALYZE {table}")

    def track(self, dml: str, params: Sequence, returning: str, into: str, columns: str) -> None:
        """Run an INSERT, UPDATE or DELETE and add what RETURNING `returning`
        gives (the ids of the rows it changed) to the table `into`."""
        if self.pg:
            self.run(
                f"WITH changed AS ({dml} RETURNING {returning}) INSERT INTO {into} ({columns}) SELECT * FROM changed",
                params,
            )
            return
        found = self.rows(f"{dml} RETURNING {returning}", params)
        if found:
            marks = ", ".join("%s" for _ in found[0])
            self.cursor.executemany(f"INSERT INTO {into} ({columns}) VALUES ({marks})", found)
