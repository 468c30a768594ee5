"""Member.data_version and the triggers that raise it (inquiry/versioning.py)."""

from django.db import migrations, models

from inquiry import versioning

# The tables whose triggers this migration installs, with their paths to the
# member, as they were when it was written: never the app's live list, so that
# a table declared later (with its own migration) is not installed here before
# it exists.
TABLES = {
    "inquiry_employer": ("id", "inquiry_fundaccount", "employer_id"),
    "inquiry_fundaccount": None,
    "inquiry_ledgerentry": ("account_id", "inquiry_fundaccount", "id"),
    "inquiry_loancontract": None,
    "inquiry_loanprogressstep": ("contract_id", "inquiry_loancontract", "id"),
    "inquiry_repayment": ("contract_id", "inquiry_loancontract", "id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("inquiry", "0004_loan_disburse_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="data_version",
            field=models.PositiveBigIntegerField(db_default=0, default=0, editable=False, verbose_name="数据版本"),
        ),
        versioning.triggers_operation(TABLES, member_row=True),
    ]
