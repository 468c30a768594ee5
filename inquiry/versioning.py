"""Member data version: one number per member that changes whenever anything a
member page shows about them changes, in the database itself.

`Member.data_version` is raised by database triggers, not by Python code, so
no write can forget it: services, admin, `QuerySet.update()`, `bulk_create`,
COPY from the center's core system and hand-run SQL all raise it, in the
same transaction as the change. The member pages' cache (zzgjj_portal.pagecache)
keys on it, so a cached page can only be served while nothing it shows has
changed.

The member row itself: any UPDATE sets `data_version = old + 1`, whatever
value the statement wrote. A stale `Member.save()` (an instance loaded before
a posting) therefore cannot move the number back to one already used as a
cache key.

Rows that belong to a member through other rows name the path to the member
here, as SQL over the changed rows. PostgreSQL runs one statement-level
trigger per statement with transition tables (a broadcast to 100,000 members
or a COPY of a day's postings costs one UPDATE, not one per row); SQLite, for
development and tests, runs row-level triggers.

A bulk writer that touches many members in one long transaction (a
broadcast to 100,000 members) would hold every one of their member rows
locked until it commits, and any member's write meanwhile (标为已阅, a
booking) would wait for it. Such a writer defers instead: `DEFER_SQL` in its
transaction turns the PostgreSQL triggers off for that transaction only, and
it raises the versions itself after commit, in short batches
(inquiry.services.member_versions_defer / member_versions_raise). Until then,
seconds at most (PAGE_CACHE_SECONDS should the process stop in between), a
cached page may not show what that transaction wrote.

Each app declares its own tables in its `versioning` module
(`VERSIONED_TABLES`: this module for the records, tasks/versioning.py for
messages and applications); no app names another's. A migration installs the
triggers of the tables it names itself, as they were when it was written
(`triggers_operation(TABLES)`), never today's lists: a table added later gets
its triggers from its own, later migration (CONTRIBUTING.md). The installs
replace what is there (CREATE OR REPLACE, DROP TRIGGER IF EXISTS), so a later
migration may install a table again, e.g. with a new path. A system check
(`manage.py check --database default`, and before every `migrate`) reports a
declared table whose triggers are missing.
"""

import importlib
import importlib.util

from django.core import checks

# Every name in this SQL is a constant of a versioning module or a migration; no value from outside.
# ruff: noqa: S608
MEMBER_TABLE = "inquiry_member"
MEMBER_TRIGGER = "inquiry_member_version"

# table -> how its rows lead to their member: the row's own `member_id`
# (None), or (column of the row, parent table, parent column): the members
# of the parent rows whose parent column equals the row's column.
VIA_ACCOUNT = ("account_id", "inquiry_fundaccount", "id")
VIA_CONTRACT = ("contract_id", "inquiry_loancontract", "id")
VIA_EMPLOYER = ("id", "inquiry_fundaccount", "employer_id")

# The records' tables that member pages show (the member row has its own trigger).
VERSIONED_TABLES = {
    "inquiry_employer": VIA_EMPLOYER,
    "inquiry_fundaccount": None,
    "inquiry_ledgerentry": VIA_ACCOUNT,
    "inquiry_loancontract": None,
    "inquiry_loanprogressstep": VIA_CONTRACT,
    "inquiry_repayment": VIA_CONTRACT,
    # Not shown by a cached page, but the cached pages with an issuing form
    # (缴存支取信息's 打印, 贷款信息's 开具贷款结清证明) carry its one-time token:
    # issuing (or voiding) must retire the cached page and its token with it.
    "inquiry_certificate": None,
}
EVENTS = ("insert", "delete", "update")


def _members_of_rows(path, rows: str) -> str:
    """PostgreSQL: the member ids of the rows in transition table `rows`."""
    if path is None:
        return f"SELECT r.member_id FROM {rows} r"
    column, parent, parent_column = path
    return f"SELECT p.member_id FROM {parent} p JOIN {rows} r ON p.{parent_column} = r.{column}"


def _members_of_row(path, row: str) -> str:
    """SQLite: the member ids of trigger row `row` (NEW or OLD)."""
    if path is None:
        return f"SELECT {row}.member_id"
    column, parent, parent_column = path
    return f"SELECT member_id FROM {parent} WHERE {parent_column} = {row}.{column}"


_BUMP = f"UPDATE {MEMBER_TABLE} SET data_version = data_version + 1 WHERE id IN ({{ids}})"
# A transaction-local setting (PostgreSQL only): SET LOCAL, so it ends with the transaction.
DEFERRED = "zzgjj.member_version_deferred"
DEFER_SQL = f"SET LOCAL {DEFERRED} = 'on'"


def _member_trigger(vendor: str) -> tuple[list[str], list[str]]:
    if vendor == "postgresql":
        return (
            [
                "CREATE OR REPLACE FUNCTION inquiry_member_version_next() RETURNS trigger AS $$ "
                "BEGIN NEW.data_version := OLD.data_version + 1; RETURN NEW; END $$ LANGUAGE plpgsql",
                f"DROP TRIGGER IF EXISTS {MEMBER_TRIGGER} ON {MEMBER_TABLE}",
                f"CREATE TRIGGER {MEMBER_TRIGGER} BEFORE UPDATE ON {MEMBER_TABLE} "
                "FOR EACH ROW EXECUTE FUNCTION inquiry_member_version_next()",
            ],
            [
                f"DROP TRIGGER IF EXISTS {MEMBER_TRIGGER} ON {MEMBER_TABLE}",
                "DROP FUNCTION IF EXISTS inquiry_member_version_next()",
            ],
        )
    # SQLite cannot assign NEW in a BEFORE trigger; its triggers do not fire
    # themselves again (recursive_triggers is off), so this UPDATE ends here.
    return (
        [
            f"DROP TRIGGER IF EXISTS {MEMBER_TRIGGER}",
            f"CREATE TRIGGER {MEMBER_TRIGGER} AFTER UPDATE ON {MEMBER_TABLE} FOR EACH ROW "
            f"BEGIN UPDATE {MEMBER_TABLE} SET data_version = OLD.data_version + 1 WHERE id = NEW.id; END",
        ],
        [f"DROP TRIGGER IF EXISTS {MEMBER_TRIGGER}"],
    )


def trigger_names(table: str) -> set[str]:
    """The names of the triggers that raise the versions for `table`'s rows."""
    return {f"{table}_version_{event}" for event in EVENTS}


def _table_triggers(vendor: str, table: str, path) -> tuple[list[str], list[str]]:
    """The triggers that raise the version of the members whose rows of `table` change."""
    install, uninstall = [], []
    if vendor == "postgresql":
        for event, referencing, ids in (
            ("INSERT", "NEW TABLE AS new_rows", _members_of_rows(path, "new_rows")),
            ("DELETE", "OLD TABLE AS old_rows", _members_of_rows(path, "old_rows")),
            (
                "UPDATE",
                "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                f"{_members_of_rows(path, 'new_rows')} UNION {_members_of_rows(path, 'old_rows')}",
            ),
        ):
            name = f"{table}_version_{event.lower()}"
            install += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                f"IF current_setting('{DEFERRED}', true) IS DISTINCT FROM 'on' THEN "
                f"{_BUMP.format(ids=ids)}; END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
            uninstall += [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]
        return install, uninstall
    for event, rows in (("INSERT", ["NEW"]), ("DELETE", ["OLD"]), ("UPDATE", ["NEW", "OLD"])):
        name = f"{table}_version_{event.lower()}"
        ids = " UNION ".join(_members_of_row(path, row) for row in rows)
        install += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {_BUMP.format(ids=ids)}; END",
        ]
        uninstall.append(f"DROP TRIGGER IF EXISTS {name}")
    return install, uninstall


def install_sql(vendor: str, tables: dict, *, member_row: bool = False) -> list[str]:
    """Statements that install (or replace) the triggers of `tables`, a
    {table: path} dict that the migration names; `member_row` adds the member
    row's own trigger (the records' first migration of them)."""
    statements = _member_trigger(vendor)[0] if member_row else []
    for table, path in tables.items():
        statements += _table_triggers(vendor, table, path)[0]
    return statements


def uninstall_sql(vendor: str, tables: dict, *, member_row: bool = False) -> list[str]:
    statements = []
    for table, path in tables.items():
        statements += _table_triggers(vendor, table, path)[1]
    return statements + (_member_trigger(vendor)[1] if member_row else [])


def triggers_operation(tables: dict, *, member_row: bool = False):
    """The migration operation that installs the triggers of `tables` (the
    migration's own copy of them) for the database it runs on, and removes
    them when migrated back."""
    from django.db import migrations

    tables = dict(tables)

    def install(apps, schema_editor):
        for statement in install_sql(schema_editor.connection.vendor, tables, member_row=member_row):
            schema_editor.execute(statement)

    def uninstall(apps, schema_editor):
        for statement in uninstall_sql(schema_editor.connection.vendor, tables, member_row=member_row):
            schema_editor.execute(statement)

    return migrations.RunPython(install, uninstall)


def declared_tables() -> dict[str, dict]:
    """{app label: its VERSIONED_TABLES} of every installed app with a
    `versioning` module (found by name: this app imports no other)."""
    from django.apps import apps

    declared = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.versioning"
        if importlib.util.find_spec(name) is None:
            continue
        tables = getattr(importlib.import_module(name), "VERSIONED_TABLES", None)
        if tables is not None:
            declared[config.label] = tables
    return declared


def installed_triggers(connection) -> dict[str, set[str]]:
    """{table: names of its enabled triggers} in `connection`'s database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND pg_catalog.pg_table_is_visible(c.oid)"
            )
        else:
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        rows = cursor.fetchall()
    found: dict[str, set[str]] = {}
    for table, name in rows:
        found.setdefault(table, set()).add(name)
    return found


def triggers_check(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: every declared table (and the member row) has its
    triggers in each database checked. A database with migrations still to
    apply is skipped: `migrate` runs this check before it installs them."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    errors = []
    for alias in databases or []:
        connection = connections[alias]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            continue
        installed = installed_triggers(connection)
        expected = {MEMBER_TABLE: {MEMBER_TRIGGER}}
        for tables in declared_tables().values():
            for table in tables:
                expected.setdefault(table, set()).update(trigger_names(table))
        for table, names in sorted(expected.items()):
            missing = sorted(names - installed.get(table, set()))
            if missing:
                errors.append(
                    checks.Error(
                        f"{table} has no data-version trigger {', '.join(missing)} in database {alias!r}: "
                        "changes to it would not reach the member page cache.",
                        hint="Install its triggers in a migration: versioning.triggers_operation({table: path}) "
                        "(CONTRIBUTING.md, The page cache and the member's data version).",
                        obj=table,
                        id="inquiry.E001",
                    )
                )
    return errors
