"""Messages and applications raise their member's data_version too (inquiry/versioning.py)."""

from django.db import migrations

from inquiry import versioning

# The tables this migration installs, as they were when it was written (never
# tasks/versioning.py's live list: a later table gets its own migration).
TABLES = {
    "tasks_message": None,
    "tasks_application": None,
    "tasks_applicationstep": ("application_id", "tasks_application", "id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("inquiry", "0005_member_data_version"),
        ("tasks", "0004_application_roles"),
    ]

    operations = [versioning.triggers_operation(TABLES)]
