"""`manage.py benchmark_exports`: times the exports against the issue's targets.

Performance is checked here rather than in timed tests, which are flaky on a
shared 2-core machine. Builds in-memory records (nothing is written to the
database), renders each export a few times and reports the best CPU time:
- 打印 of a 360-row repayment plan (PDF): target under 3 s;
- 数据下载 of a 360-row plan and of a 30-year ledger (xlsx): target under 1 s.
Exits non-zero when a target is missed.
"""

import time
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from inquiry import amortization, exports, printing
from inquiry.models import FundAccount, LedgerEntry, LoanContract, Member, RepaymentMethod
from inquiry.selectors import LedgerResult, PlanResult

TARGETS = {"plan_pdf_360": 3.0, "plan_xlsx_360": 1.0, "ledger_xlsx_30y": 1.0}


def _best_cpu_seconds(work, repeat: int) -> float:
    work()  # warm-up: imports, templates, fonts
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


class Command(BaseCommand):
    help = "Time the PDF and Excel exports against their targets (exit 1 when one is missed)."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=3)

    def handle(self, *args, **options):
        member = Member(name="王晓明", id_number="370402199001011238")
        loan = LoanContract(
            contract_no="ZZBENCH0001",
            amount=Decimal("400000.00"),
            outstanding_principal=Decimal("400000.00"),
            annual_rate=Decimal("0.0325"),
            repayment_method=RepaymentMethod.EQUAL_INSTALLMENT,
            term_months=360,
        )
        plan = PlanResult.of(
            amortization.equal_installment_schedule(Decimal("400000.00"), Decimal("0.0325"), 360, date(2026, 12, 20))
        )
        account = FundAccount(account_no="BENCH")
        balance = Decimal("0.00")
        entries = []
        for month in range(360):
            balance += Decimal("1632.00")
            booked = date(1996, 11, 15) + timedelta(days=30 * month)
            entries.append(
                LedgerEntry(
                    account=account,
                    booked_on=booked,
                    kind=LedgerEntry.Kind.MONTHLY_DEPOSIT,
                    period=f"{booked:%Y%m}",
                    amount=Decimal("1632.00"),
                    balance_after=balance,
                    summary="单位汇缴",
                )
            )
        ledger = LedgerResult(entries=entries, income_total=balance, outgo_total=Decimal("0.00"))

        cases = {
            "plan_pdf_360": lambda: printing.plan_pdf_bytes(
                member=member, loan=loan, start=None, end=None, plan=plan, printed_on=date(2026, 11, 27)
            ),
            "plan_xlsx_360": lambda: exports.workbook_bytes(
                exports.plan_sheet(member=member, loan=loan, start=None, end=None, plan=plan)
            ),
            "ledger_xlsx_30y": lambda: exports.workbook_bytes(
                exports.ledger_sheet(member=member, start=date(1996, 11, 1), end=date(2026, 10, 31), result=ledger)
            ),
        }
        missed = []
        for name, work in cases.items():
            seconds = _best_cpu_seconds(work, options["repeat"])
            ok = seconds < TARGETS[name]
            missed += [] if ok else [name]
            self.stdout.write(
                f"{name:16} {seconds:6.2f} s CPU (target < {TARGETS[name]:.0f} s) {'ok' if ok else 'MISSED'}"
            )
        if missed:
            raise CommandError(f"targets missed: {', '.join(missed)}")
