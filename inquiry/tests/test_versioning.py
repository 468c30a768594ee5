"""The data-version triggers themselves (inquiry/versioning.py): each app
declares its own tables, each migration installs the tables it names (never
today's lists), installs can run again, and a system check finds a declared
table without its triggers. Runs on SQLite and, with DATABASE_URL, on
PostgreSQL."""

import importlib
import inspect

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from inquiry import versioning
from inquiry.models import Member
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory

pytestmark = pytest.mark.django_db
MIGRATIONS = ["inquiry.migrations.0005_member_data_version", "tasks.migrations.0005_member_data_version_triggers"]


def version(member) -> int:
    return Member.objects.values_list("data_version", flat=True).get(pk=member.pk)


class RecordingEditor:
    """Stands in for a schema editor: records the SQL a migration would run."""

    def __init__(self):
        self.connection = connection
        self.statements: list[str] = []

    def execute(self, sql, params=None):
        self.statements.append(sql)


def migration_sql(module: str) -> list[str]:
    """The SQL the migration's trigger operation runs on this database."""
    migration = importlib.import_module(module).Migration
    editor = RecordingEditor()
    for operation in migration.operations:
        if hasattr(operation, "code"):
            operation.code(apps, editor)
    return editor.statements


def test_every_declared_table_has_its_triggers_installed():
    declared = versioning.declared_tables()
    # Each app declares its own tables; both apps' tables are there.
    assert {"inquiry_ledgerentry", "inquiry_fundaccount"} <= set(declared["inquiry"])
    assert {"tasks_message", "tasks_application", "tasks_applicationstep"} <= set(declared["tasks"])
    installed = versioning.installed_triggers(connection)
    for tables in declared.values():
        for table in tables:
            assert versioning.trigger_names(table) <= installed.get(table, set()), table
    assert "inquiry_member_version" in installed[versioning.MEMBER_TABLE]
    assert versioning.triggers_check(databases=["default"]) == []


def test_the_trigger_check_names_a_declared_table_without_its_triggers():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER tasks_message_version_update ON tasks_message")
        else:
            cursor.execute("DROP TRIGGER tasks_message_version_update")
    errors = versioning.triggers_check(databases=["default"])
    assert [error.id for error in errors] == ["inquiry.E001"]
    assert "tasks_message" in errors[0].msg and "tasks_message_version_update" in errors[0].msg
    # Without a database the check has nothing to say (plain `manage.py check`).
    assert versioning.triggers_check(databases=None) == []


def test_the_trigger_check_runs_with_manage_py_check_database():
    call_command("check", "--database", "default", fail_level="ERROR")
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER inquiry_repayment_version_insert ON inquiry_repayment"
            if connection.vendor == "postgresql"
            else "DROP TRIGGER inquiry_repayment_version_insert"
        )
    with pytest.raises(Exception, match="inquiry_repayment"):
        call_command("check", "--database", "default", fail_level="ERROR")


def test_each_app_declares_only_its_own_tables():
    for app_label, tables in versioning.declared_tables().items():
        own = {model._meta.db_table for model in apps.get_app_config(app_label).get_models()}
        assert set(tables) <= own, app_label
    # The records name no table of another app (the arrows: inquiry imports no other app).
    assert "tasks_" not in inspect.getsource(versioning)


@pytest.mark.parametrize("module", MIGRATIONS)
def test_a_migration_installs_the_tables_it_names_not_todays_lists(module, monkeypatch):
    before = migration_sql(module)
    # CONTRIBUTING's advice: a new table goes in its app's list and gets its own
    # migration. The old migration must not try to install it (the table does
    # not exist yet when the old migration runs on a fresh database).
    for app_module in ("inquiry.versioning", "tasks.versioning"):
        declared = importlib.import_module(app_module).VERSIONED_TABLES
        monkeypatch.setitem(declared, "inquiry_added_later", None)
        monkeypatch.setitem(declared, "tasks_added_later", None)
    after = migration_sql(module)
    assert after == before
    assert not any("added_later" in statement for statement in after)
    # The migration names its tables in its own file.
    source = inspect.getsource(importlib.import_module(module))
    assert not any(name in source for name in ("VERSIONED_TABLES", "INQUIRY_TABLES", "TASKS_TABLES"))


@pytest.mark.parametrize("module", MIGRATIONS)
def test_a_migrations_trigger_install_can_run_again(module):
    # The tables are migrated: install over the installed triggers.
    with connection.cursor() as cursor:
        for statement in migration_sql(module):
            cursor.execute(statement)
    account = FundAccountFactory()
    before = version(account.member)
    LedgerEntryFactory(account=account)
    # One trigger per table and event, as before: the version moves by one.
    assert version(account.member) == before + 1
    assert versioning.triggers_check(databases=["default"]) == []
