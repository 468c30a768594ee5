"""The hall clerk role (大厅柜员): least privilege for the counter.

A clerk finds members, registers or changes their reserved phone and sends
them messages; the clerk sees ID numbers and phones masked (no
view_full_identity) and views the center's books without changing them
(nobody changes those in admin).
"""

from django.db import migrations

HALL_CLERK = "大厅柜员"
PERMISSIONS = [
    ("inquiry", "view_member"),
    ("inquiry", "change_member"),
    ("inquiry", "view_fundaccount"),
    ("inquiry", "view_ledgerentry"),
    ("inquiry", "view_loancontract"),
    ("inquiry", "view_loanprogressstep"),
    ("inquiry", "view_repayment"),
    ("inquiry", "view_employer"),
    ("tasks", "add_message"),
    ("tasks", "view_message"),
    ("tasks", "add_broadcast"),
    ("tasks", "view_broadcast"),
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=HALL_CLERK)
    for app_label, codename in PERMISSIONS:
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if permission is not None:
            group.permissions.add(permission)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=HALL_CLERK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("inquiry", "0003_member_full_identity_permission"),
        ("tasks", "0002_message_actions_push_broadcast"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
