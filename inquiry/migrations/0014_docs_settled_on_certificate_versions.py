"""LoanContract.settled_on (贷款结清日期, DKJQRQ), and certificates raise their
member's data_version (inquiry/versioning.py): the cached 缴存支取信息 and
贷款信息 pages carry the one-time token of an issuing form, so a page must
not outlive the certificate its token issued."""

from django.db import migrations, models

from inquiry import versioning

# The tables this migration installs, as they were when it was written (never
# the live VERSIONED_TABLES: a later table gets its own migration).
TABLES = {"inquiry_certificate": None}


class Migration(migrations.Migration):

    dependencies = [
        ('inquiry', '0013_certificates'),
    ]

    operations = [
        migrations.AddField(
            model_name='loancontract',
            name='settled_on',
            field=models.DateField(blank=True, null=True, verbose_name='结清日期'),
        ),
        versioning.triggers_operation(TABLES),
    ]
