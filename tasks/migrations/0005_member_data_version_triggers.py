"""Messages and applications raise their member's data_version too (inquiry/versioning.py)."""

from django.db import migrations

from inquiry import versioning


def install(apps, schema_editor):
    for statement in versioning.install_sql(schema_editor.connection.vendor, versioning.TASKS_TABLES):
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for statement in versioning.uninstall_sql(schema_editor.connection.vendor, versioning.TASKS_TABLES):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("inquiry", "0005_member_data_version"),
        ("tasks", "0004_application_roles"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
