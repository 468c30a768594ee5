"""Who sees issued certificates (电子证明) in admin, and who may void one.

- 大厅柜员 and 审核员 view them (and their verification log): members and
  the units that received a certificate ask at the counter or call whether it
  was issued, whether it is still valid and who checked it; the reviewer
  checks records against the books and is asked the same.
- Only 审核员 voids (可以作废电子证明). A staff void withdraws a document a
  bank or an office relies on, and the member reads the reason: it is a
  correction of the records (a certificate issued on figures the core system
  corrected since) or a response to misuse, both a reviewer's judgment, not
  the counter's. A member voids their own certificates online without staff;
  someone at the counter asking for a void goes to the reviewer, so that one
  clerk facing one visitor cannot withdraw a member's certificate.
- 受理员 and 审批员 get neither: their work is the applications' steps.
"""

from django.db import migrations

VIEW = ("view_certificate", "可查看电子证明")
VOID = ("void_certificate", "可以作废电子证明")
ROLES = {"大厅柜员": [VIEW], "审核员": [VIEW, VOID]}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are normally made after migrating (post_migrate); the groups
    # need them now, so they are made here the same way (get_or_create).
    certificate = ContentType.objects.get_or_create(app_label="inquiry", model="certificate")[0]
    for group_name, permissions in ROLES.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.add(
            *(
                Permission.objects.get_or_create(content_type=certificate, codename=codename, defaults={"name": name})[
                    0
                ]
                for codename, name in permissions
            )
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES):
        codenames = [codename for codename, _ in ROLES[group.name]]
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="inquiry", codename__in=codenames))


class Migration(migrations.Migration):
    # Only auth and contenttypes: the records' migrations name no other app
    # (the arrows run one way). Every role migration gets or creates its groups,
    # so whichever runs first makes 大厅柜员 / 审核员 and the others add to them.
    dependencies = [
        ("inquiry", "0014_docs_settled_on_certificate_versions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
