"""Staff roles of the application workflow, as Django groups: 受理员, 审核员 and
审批员, each allowed to view applications and to act on its own step only."""

from django.db import migrations

ROLES = {
    "受理员": ("act_accept", "受理业务申请"),
    "审核员": ("act_review", "审核业务申请"),
    "审批员": ("act_approve", "审批业务申请"),
}
VIEW = [("application", "view_application", "Can view 业务申请"), ("applicationstep", "view_applicationstep", "Can view 审批环节")]


def create_roles(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are normally made after migrating (post_migrate); the groups
    # need them now, so they are made here the same way (get_or_create).
    types = {
        model: ContentType.objects.get_or_create(app_label="tasks", model=model)[0]
        for model in ("application", "applicationstep")
    }
    views = [
        Permission.objects.get_or_create(content_type=types[model], codename=codename, defaults={"name": name})[0]
        for model, codename, name in VIEW
    ]
    for group_name, (codename, name) in ROLES.items():
        act = Permission.objects.get_or_create(
            content_type=types["application"], codename=codename, defaults={"name": name}
        )[0]
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(act, *views)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0003_applications"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
