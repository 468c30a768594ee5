# Joins dec's and imp's 0011 in the seed branch, which merges both. When the
# lead renumbers them into one line on main, this file goes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inquiry", "0011_dec_no_loan_disburser"),
        ("inquiry", "0011_imp_ledger_pending_index"),
    ]

    operations = []
