"""The hall clerk (大厅柜员) sees the record of the phone changes they make:
the 预留手机号变更记录 on a member's page and those rows of 安全审计 (the
permission zzgjj_portal.view_phone_changes), not the rest of the trail."""

from django.db import migrations

HALL_CLERK = "大厅柜员"


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=HALL_CLERK)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="zzgjj_portal", codename="view_phone_changes")
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(content_type__app_label="zzgjj_portal", codename="view_phone_changes")
    for group in Group.objects.filter(name=HALL_CLERK):
        group.permissions.remove(*permission)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_hall_clerk_group"),
        ("zzgjj_portal", "0004_audit_phone_changes_permission"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
