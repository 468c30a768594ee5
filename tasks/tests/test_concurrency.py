"""Two withdrawals approved at the same moment on PostgreSQL: the account row
lock serialises the bookings, so the balance never goes below zero and exactly
one is booked when only one fits. SQLite has no row locks (it locks the whole
database), so this runs on PostgreSQL only."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from inquiry.models import LedgerEntry
from inquiry.tests.factories import LoanContractFactory
from tasks.models import Application, Decision
from tasks.services import applications as services
from tasks.tests.conftest import book, reconciles, staff_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def at_approval(member, kind: str, amount: str, n: int) -> Application:
    application = services.withdrawal_submit(
        member=member, withdrawal_kind=kind, amount=Decimal(amount), form_token=uuid.uuid4()
    ).application
    for step, role in (("accept", "受理员"), ("review", "审核员")):
        services.application_step_approve(
            application_id=application.pk, step=step, actor=staff_in(role, username=f"{step}{n}")
        )
    return application


def approve_together(calls) -> list:
    """Run each call in its own thread (own connection), released at one instant."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except services.ApplicationRefused as exc:
            outcomes[index] = exc
        except Exception as exc:  # noqa: BLE001 - a deadlock or any error is the test's to see
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_concurrent_approvals_book_only_what_the_balance_holds(member, account):
    LoanContractFactory(member=member, outstanding_principal=Decimal("100000.00"))
    book(account, LedgerEntry.Kind.TRANSFER_OUT, Decimal("-19000.00"))  # 5,000.00 left
    rent = at_approval(member, "rent", "3000.00", 1)
    repay = at_approval(member, "loan_repayment", "4000.00", 2)
    approvers = [staff_in("审批员", username="approver1"), staff_in("审批员", username="approver2")]

    outcomes = approve_together(
        [
            lambda: services.application_step_approve(application_id=rent.pk, step="approve", actor=approvers[0]),
            lambda: services.application_step_approve(application_id=repay.pk, step="approve", actor=approvers[1]),
        ]
    )

    refusals = [o for o in outcomes if isinstance(o, services.ApplicationRefused)]
    assert len(refusals) == 1 and refusals[0].code == "insufficient_balance"
    statuses = sorted(Application.objects.filter(pk__in=[rent.pk, repay.pk]).values_list("status", flat=True))
    assert statuses == ["completed", "in_progress"]
    assert LedgerEntry.objects.filter(account=account, kind=LedgerEntry.Kind.WITHDRAWAL).count() == 1
    account.refresh_from_db()
    assert account.balance >= 0 and reconciles(account)


def test_concurrent_approvals_of_one_step_apply_once(member):
    application = services.withdrawal_submit(
        member=member, withdrawal_kind="rent", amount=Decimal("1000.00"), form_token=uuid.uuid4()
    ).application
    clerks = [staff_in("受理员", username="c1"), staff_in("受理员", username="c2")]
    outcomes = approve_together(
        [
            lambda clerk=clerk: services.application_step_approve(
                application_id=application.pk, step="accept", actor=clerk
            )
            for clerk in clerks
        ]
    )
    assert sum(isinstance(o, services.ApplicationRefused) for o in outcomes) == 1
    assert application.steps.filter(approver__isnull=False).count() == 1


def test_concurrent_submissions_of_one_form_create_one_application(member):
    token = uuid.uuid4()

    def submit():
        return services.withdrawal_submit(
            member=member, withdrawal_kind="rent", amount=Decimal("1000.00"), form_token=token
        )

    outcomes = approve_together([submit, submit, submit])
    assert all(isinstance(o, services.Submitted) for o in outcomes), outcomes
    assert sum(o.created for o in outcomes) == 1
    assert len({o.application.pk for o in outcomes}) == 1
    assert Application.objects.filter(member=member).count() == 1


def approved_rent(member, amount: str, n: int):
    application = at_approval(member, "rent", amount, n)
    services.application_step_approve(
        application_id=application.pk, step="approve", actor=staff_in("审批员", username=f"approve{n}")
    )
    return Decision.objects.get(application=application)


def test_concurrent_timeout_runs_fail_a_decision_once_and_give_the_amount_back_once(member, account, settings):
    from datetime import timedelta

    from django.utils import timezone

    from tasks.services.decisions import decisions_expire

    decision = approved_rent(member, "3000.00", 1)
    later = timezone.now() + timedelta(days=settings.TASKS_DECISION_BOOKING_DAYS + 1)
    outcomes = approve_together([lambda: decisions_expire(now=later), lambda: decisions_expire(now=later)])
    assert sorted(outcomes) == [0, 1]
    decision.refresh_from_db()
    assert decision.state == Decision.State.FAILED
    assert not LedgerEntry.objects.filter(pending=True).exists()
    account.refresh_from_db()
    assert account.balance == Decimal("24000.00") and reconciles(account)


def test_the_cores_booking_racing_the_timeout_ends_booked_without_a_deadlock(member, account, settings):
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from inquiry import services as records
    from inquiry.models import FundAccount
    from inquiry.signals import decisions_settled
    from tasks.services.decisions import decisions_expire

    decision = approved_rent(member, "3000.00", 2)
    later = timezone.now() + timedelta(days=settings.TASKS_DECISION_BOOKING_DAYS + 1)

    def core_import():
        # As the import does on PostgreSQL: member versions deferred (raised after
        # the commit, never a member row held), the account's rows, then the
        # answer on the decision. The job takes member, account, decision: no cycle.
        with transaction.atomic():
            records.member_versions_defer()
            FundAccount.objects.select_for_update().get(pk=account.pk)
            LedgerEntry.objects.filter(serial_no=decision.serial_no).update(pending=False)
            decisions_settled.send(sender=LedgerEntry, booked=[decision.serial_no], refused={})
        records.member_versions_raise(member_ids=[member.pk])
        return "imported"

    outcomes = approve_together([core_import, lambda: decisions_expire(now=later)])
    assert "imported" in outcomes, outcomes
    decision.refresh_from_db()
    assert decision.state == Decision.State.BOOKED
