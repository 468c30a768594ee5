"""放款 is the core system's now (its 借款合同 and 贷款账户 files turn a contract
正常): the portal's 放款 action is gone, and with it the 放款员 role and its
「可放款」 permission. The role's staff keep their other groups."""

import importlib

from django.db import migrations

ROLE = "放款员"


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()
    # Django never deletes a permission whose model option went away.
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="inquiry", codename="disburse_loancontract"
    ).delete()


def restore_role(apps, schema_editor):
    importlib.import_module("inquiry.migrations.0008_loan_disburser_role").create_role(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("inquiry", "0010_interchange_fields_and_import_runs"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="loancontract",
            options={"ordering": ["applied_on", "id"], "verbose_name": "借款合同", "verbose_name_plural": "借款合同"},
        ),
        migrations.RunPython(remove_role, restore_role),
    ]
