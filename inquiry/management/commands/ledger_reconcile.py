"""`manage.py ledger_reconcile`: every fund account's books agree.

For every account: `balance` equals the sum of its ledger's amounts, 待入账
entries included (they count against the balance), and the `balance_after`
of its last booked entry (by booking date, then id) equals the sum of the
booked ones: a booked row carries the core system's running balance, which
knows nothing of the portal's 待入账 decisions. An account without entries
has a zero balance. Prints the counts and the first
mismatching account numbers, and exits non-zero on any mismatch, so the
restore drill (deploy/restore_drill.sh) and the nightly check can rely on
its exit status. Read-only.

Two queries at any scale: the sums in one GROUP BY over the ledger, and
each account's last entry through the (account, booked_on, id) index.
"""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db.models import OuterRef, Subquery, Sum

from inquiry.models import FundAccount, LedgerEntry
from zzgjj_portal.money import to_cents

SHOWN = 20


def ledger_mismatches() -> tuple[int, int, list[str]]:
    """(accounts checked, ledger entries, account numbers that do not reconcile)."""
    totals = dict(
        LedgerEntry.objects.order_by().values("account").annotate(total=Sum("amount")).values_list("account", "total")
    )
    pending = dict(
        LedgerEntry.objects.filter(pending=True)
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    entries = LedgerEntry.objects.count()
    booked = LedgerEntry.objects.filter(account=OuterRef("pk"), pending=False)
    last = booked.order_by("-booked_on", "-id").values("balance_after")[:1]
    accounts = FundAccount.objects.order_by("pk").annotate(last_balance=Subquery(last))
    checked, mismatched = 0, []
    for pk, account_no, balance, last_balance in accounts.values_list(
        "pk", "account_no", "balance", "last_balance"
    ).iterator(chunk_size=5000):
        checked += 1
        # SQLite sums decimals as floats (a zero comes back as 1.46e-10):
        # to the cent, which every amount is, before comparing.
        total = to_cents(totals.get(pk, Decimal("0.00")))
        booked_total = total - to_cents(pending.get(pk, Decimal("0.00")))
        expected_last = Decimal("0.00") if last_balance is None else last_balance
        if not (balance == total and booked_total == expected_last):
            mismatched.append(account_no)
    return checked, entries, mismatched


class Command(BaseCommand):
    help = "对账: 每个个人账户的余额 = 全部明细发生额之和(含待入账); 最后一笔已入账明细的余额 = 已入账明细之和"

    def handle(self, *args, **options):
        checked, entries, mismatched = ledger_mismatches()
        self.stdout.write(
            f"ledger_reconcile: {checked} accounts, {entries} ledger entries, {len(mismatched)} mismatches"
        )
        if mismatched:
            shown = ", ".join(mismatched[:SHOWN])
            more = f" (and {len(mismatched) - SHOWN} more)" if len(mismatched) > SHOWN else ""
            raise CommandError(f"账户余额与明细不符: {shown}{more}")
