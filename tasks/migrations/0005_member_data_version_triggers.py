"""Messages and applications raise their member's data_version too (inquiry/versioning.py)."""

from django.db import migrations

from inquiry import versioning


class Migration(migrations.Migration):
    dependencies = [
        ("inquiry", "0005_member_data_version"),
        ("tasks", "0004_application_roles"),
    ]

    operations = [versioning.triggers_operation(versioning.TASKS_TABLES)]
