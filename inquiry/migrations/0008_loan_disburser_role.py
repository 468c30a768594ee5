"""The 放款员 role, as a Django group: pays out approved loans (the 借款合同
list's 放款 action) and sees the contracts, their progress and repayments.

A role of its own, not 审批员's: who approves a loan is not who releases its
money (loan_disburse also refuses anyone who handled an earlier node of the
same loan), and nobody needs a superuser for it."""

from django.db import migrations

ROLE = "放款员"
PERMISSIONS = [
    ("loancontract", "disburse_loancontract", "可放款"),
    ("loancontract", "view_loancontract", "Can view 借款合同"),
    ("loanprogressstep", "view_loanprogressstep", "Can view 贷款进度"),
    ("repayment", "view_repayment", "Can view 还款明细"),
]


def create_role(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    # Permissions are normally made after migrating (post_migrate); the group
    # needs them now, so they are made here the same way (get_or_create).
    permissions = [
        Permission.objects.get_or_create(
            content_type=ContentType.objects.get_or_create(app_label="inquiry", model=model)[0],
            codename=codename,
            defaults={"name": name},
        )[0]
        for model, codename, name in PERMISSIONS
    ]
    group, _ = Group.objects.get_or_create(name=ROLE)
    group.permissions.add(*permissions)


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inquiry", "0007_progress_step_handled_by"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role, remove_role)]
