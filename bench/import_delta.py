"""The daily delta of bench/imports.py, written from the database's own
figures as a core system would send them: for every account not closed the
next month's 汇缴 (a GRMX row of GRYJCE + DWYJCE) and the account's row with its new
balance (GRZHXX); a closed account's row unchanged. Numbered after the last
applied batch. Usage: `import_delta.py <folder>` with the bench's environment."""

import os
import shutil
import sys
from pathlib import Path

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from inquiry.interchange.writer import batch_write  # noqa: E402
from inquiry.models import CLOSED_STATUSES, FundAccount, ImportRun  # noqa: E402
from zzgjj_portal.money import to_cents  # noqa: E402

folder = Path(sys.argv[1])
shutil.rmtree(folder, ignore_errors=True)
today = timezone.localdate()
# The month after the latest one paid for: a second delta on the same
# database books the next month, never the same postings again.
latest = FundAccount.objects.aggregate(top=Max("paid_through"))["top"] or f"{today:%Y%m}"
year, month = divmod(int(latest[:4]) * 12 + int(latest[4:]), 12)
period = f"{year}{month + 1:02d}"
last = ImportRun.objects.filter(status=ImportRun.Status.APPLIED).aggregate(top=Max("batch_no"))["top"] or 0
fields = (
    "account_no", "employer__account_no", "status", "opened_on", "deposit_base", "employer_rate", "personal_rate",
    "balance", "paid_through", "bank_account_no", "closed_on",
)  # fmt: skip
ledger, accounts = [], []
for row in FundAccount.objects.order_by("account_no").values_list(*fields).iterator(chunk_size=5000):
    account = dict(zip(fields, row, strict=True))
    personal = to_cents(account["deposit_base"] * account["personal_rate"])
    employer = to_cents(account["deposit_base"] * account["employer_rate"])
    balance, paid_through = account["balance"], account["paid_through"] or None
    if account["status"] not in CLOSED_STATUSES:
        balance += personal + employer
        paid_through = period
        ledger.append(
            {
                "GRZH": account["account_no"],
                "JZRQ": today,
                "GJHTQYWLX": "01",
                "FSE": personal + employer,
                "YWLSH": f"{account['account_no']}H{period}",
                "HJNY": period,
                "ZY": "单位汇缴",
            }
        )
    accounts.append(
        {
            "GRZH": account["account_no"],
            "DWZH": account["employer__account_no"],
            "GRZHZT": account["status"],
            "KHRQ": account["opened_on"],
            "GRJCJS": account["deposit_base"],
            "DWJCBL": account["employer_rate"].normalize(),
            "GRJCBL": account["personal_rate"].normalize(),
            "GRYJCE": personal,
            "DWYJCE": employer,
            "GRZHYE": balance,
            "JZNY": paid_through,
            "GRCKZHHM": account["bank_account_no"] or None,
            "XHRQ": account["closed_on"],
        }
    )
manifest = batch_write(
    folder, batch_no=last + 1, kind="delta", as_of=timezone.now(), tables={"GRZHXX": accounts, "GRMX": ledger}
)
print(f"delta batch {manifest.batch_no}: {len(accounts):,} GRZHXX + {len(ledger):,} GRMX rows in {folder}")
