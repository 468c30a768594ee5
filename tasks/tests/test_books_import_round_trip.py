"""The round trip of a decision (issue 17): 审批 approves a withdrawal → the
outbox holds it and a 待入账 entry counts against the balance → the core books
it (or refuses it) → its batch is imported → exactly one ledger row, the
balance reconciles, 我发起的 says 已入账 (or 入账失败 with the core's reason)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from inquiry.interchange.importing import books_import
from inquiry.models import LedgerEntry
from inquiry.tests import batches as b
from tasks.models import Decision
from tasks.tests.conftest import reconciles
from tasks.tests.test_application_services import run_through, submit_rent

pytestmark = pytest.mark.django_db


def account_row(account, balance: str) -> dict:
    return b.account(account.account_no, balance, dwzh=account.employer.account_no)


def test_approved_withdrawal_booked_by_the_core_is_one_row_and_booked(
    member_client, member, account, clerk, reviewer, approver, tmp_path
):
    application = run_through(submit_rent(member, amount="3000.00").application, clerk, reviewer, approver)
    decision = Decision.objects.get()
    assert LedgerEntry.objects.get(serial_no=decision.serial_no).pending
    detail = reverse("tasks:application_detail", args=[application.pk])
    before = member_client.get(detail).content.decode()
    assert "待入账" in before and "已入账" not in before
    folder = b.batch(
        tmp_path,
        1,
        DWXX=[b.employer(account.employer.account_no, account.employer.name)],
        GRZHXX=[account_row(account, "21000.00")],
        GRMX=[b.posting(account.account_no, decision.serial_no, date(2026, 3, 2), "3000.00", code="11")],
    )
    assert books_import(folder=folder).status == "applied"
    entries = LedgerEntry.objects.filter(serial_no=decision.serial_no)
    assert entries.count() == 1 and not entries.get().pending
    assert reconciles(account) and account.balance == Decimal("21000.00") and account.discrepancy == ""
    decision.refresh_from_db()
    assert decision.state == Decision.State.BOOKED
    page = member_client.get(detail).content.decode()
    assert "已入账" in page and "待入账" not in page


def test_approved_withdrawal_refused_by_the_core_gives_the_money_back(
    member_client, member, account, clerk, reviewer, approver, tmp_path
):
    application = run_through(submit_rent(member, amount="3000.00").application, clerk, reviewer, approver)
    decision = Decision.objects.get()
    folder = b.batch(tmp_path, 1, JDFK=[b.result(decision.serial_no, reason="收款账户已销户")])
    assert books_import(folder=folder).status == "applied"
    assert not LedgerEntry.objects.filter(serial_no=decision.serial_no).exists()
    account.refresh_from_db()
    assert reconciles(account) and account.balance == Decimal("24000.00")
    decision.refresh_from_db()
    assert (decision.state, decision.failure_reason) == (Decision.State.FAILED, "收款账户已销户")
    page = member_client.get(reverse("tasks:application_detail", args=[application.pk])).content.decode()
    assert "入账失败" in page and "收款账户已销户" in page
