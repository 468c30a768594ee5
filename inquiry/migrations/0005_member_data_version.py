"""Member.data_version and the triggers that raise it (inquiry/versioning.py)."""

from django.db import migrations, models

from inquiry import versioning


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
        versioning.triggers_operation(versioning.INQUIRY_TABLES),
    ]
