"""What the records write for the portal's own decisions (inquiry.services):
a 待入账 withdrawal entry while the core system has not booked it, and its
reversal when the core will not. 放款 is the core's (no admin action)."""

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from inquiry import selectors, services
from inquiry.models import AccountStatus, LedgerEntry, LoanContract
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory, LoanContractFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    account = FundAccountFactory(balance=Decimal("5000.00"))
    LedgerEntryFactory(account=account, amount=Decimal("5000.00"), balance_after=Decimal("5000.00"))
    return account


def reconciles(account) -> bool:
    account.refresh_from_db()
    return account.balance == sum(e.amount for e in account.entries.all())


def provisional(account, amount, serial_no, **kwargs):
    return services.withdrawal_provisional_book(
        account=account,
        amount=Decimal(amount),
        reason=kwargs.pop("reason", "07"),
        summary="网上租房提取",
        serial_no=serial_no,
        **kwargs,
    )


def test_withdrawal_provisional_book_writes_a_pending_negative_entry_under_the_portals_serial(account):
    entry = provisional(account, "1234.56", "WT202611300000000001")
    other = provisional(account, "0.44", "WT202611300000000002")
    assert (entry.kind, entry.amount, entry.withdrawal_reason, entry.pending) == (
        LedgerEntry.Kind.WITHDRAWAL,
        Decimal("-1234.56"),
        "07",
        True,
    )
    assert entry.serial_no == "WT202611300000000001" and entry.booked_on == timezone.localdate()
    assert entry.balance_after == Decimal("3765.44") and other.balance_after == Decimal("3765.00")
    # It counts against the balance at once: the rest cannot be overdrawn.
    assert reconciles(account) and account.balance == Decimal("3765.00")
    with pytest.raises(services.BookingRefused) as info:
        provisional(account, "3765.01", "WT202611300000000003")
    assert info.value.code == "insufficient_balance"


@pytest.mark.parametrize(
    ("amount", "status", "serial_no", "code"),
    [
        (Decimal("5000.01"), AccountStatus.NORMAL, "WT1", "insufficient_balance"),
        (Decimal("0"), AccountStatus.NORMAL, "WT1", "amount_invalid"),
        (Decimal("1.001"), AccountStatus.NORMAL, "WT1", "amount_invalid"),
        # Negative would pass every constraint (a non-zero amount, a higher
        # balance): only the service stops a "withdrawal" that pays money in.
        (Decimal("-100.00"), AccountStatus.NORMAL, "WT1", "amount_invalid"),
        (Decimal("1.00"), AccountStatus.FROZEN, "WT1", "account_not_normal"),
        (Decimal("1.00"), AccountStatus.SEALED, "WT1", "account_not_normal"),
        (Decimal("1.00"), AccountStatus.NORMAL, "", "serial_invalid"),
        (Decimal("1.00"), AccountStatus.NORMAL, "W" * 33, "serial_invalid"),
        (Decimal("1.00"), AccountStatus.NORMAL, "WT 1", "serial_invalid"),
    ],
)
def test_withdrawal_provisional_book_refuses_and_books_nothing(account, amount, status, serial_no, code):
    account.status = status
    account.save()
    with pytest.raises(services.BookingRefused) as info:
        services.withdrawal_provisional_book(
            account=account, amount=amount, reason="07", summary="x", serial_no=serial_no
        )
    assert info.value.code == code
    assert account.entries.count() == 1 and reconciles(account) and account.balance == Decimal("5000.00")


def test_withdrawal_provisional_book_never_closes_the_account_itself(account):
    # 销户提取 pays out to zero 待入账; the core closes the account (its GRZHZT comes back).
    provisional(account, "5000.00", "WT202611300000000009", reason="03", close_account=True)
    account.refresh_from_db()
    assert account.balance == 0 and account.status == AccountStatus.NORMAL


def test_withdrawal_provisional_book_refuses_closing_an_account_with_an_unsettled_loan(account):
    LoanContractFactory(member=account.member, contract_no="ZZ2020000555", status=LoanContract.Status.OVERDUE)
    with pytest.raises(services.BookingRefused) as info:
        provisional(account, "5000.00", "WT202611300000000010", reason="03", close_account=True)
    assert info.value.code == "closing_with_loan" and "ZZ2020000555" in info.value.message
    account.refresh_from_db()
    assert account.status == AccountStatus.NORMAL and account.entries.count() == 1


def test_pending_entry_reverse_gives_the_amount_back_once(account):
    provisional(account, "1000.00", "WT202611300000000011")
    later = provisional(account, "500.00", "WT202611300000000012")
    assert services.pending_entry_reverse(serial_no="WT202611300000000011") is True
    assert not LedgerEntry.objects.filter(serial_no="WT202611300000000011").exists()
    assert reconciles(account) and account.balance == Decimal("4500.00")
    # The later 待入账 entry's running balance was ours on top of the first: it gets it back.
    later.refresh_from_db()
    assert later.balance_after == Decimal("4500.00")
    # Twice, or a serial with nothing pending (booked, unknown): nothing happens.
    assert services.pending_entry_reverse(serial_no="WT202611300000000011") is False
    assert services.pending_entry_reverse(serial_no="NOSUCH") is False
    assert reconciles(account) and account.balance == Decimal("4500.00")


def test_pending_entry_reverse_leaves_a_booked_entry_alone(account):
    entry = provisional(account, "1000.00", "WT202611300000000013")
    LedgerEntry.objects.filter(pk=entry.pk).update(pending=False)  # the core booked it
    assert services.pending_entry_reverse(serial_no=entry.serial_no) is False
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    assert reconciles(account) and account.balance == Decimal("4000.00")


def test_pending_entry_shows_in_the_members_ledger_with_the_balance_already_reduced(account):
    entry = provisional(account, "1000.00", "WT202611300000000014")
    result = selectors.ledger_entries(member=account.member, start=None, end=None)
    assert result.entries[-1] == entry and result.entries[-1].pending
    assert result.outgo_total == Decimal("1000.00")


def test_admin_loan_contracts_have_no_disburse_action_any_more(staff_client):
    # 放款 is the core's: a contract turns 正常 when its 贷款账户 file says so.
    LoanContractFactory(status=LoanContract.Status.NOT_DISBURSED, disbursed_on=None, outstanding_principal=0)
    response = staff_client.get(reverse("admin:inquiry_loancontract_changelist"))
    assert response.status_code == HTTPStatus.OK
    assert 'value="disburse"' not in response.content.decode()
    assert not hasattr(services, "loan_disburse")


def test_member_phone_change_to_a_number_another_member_holds_is_a_refusal_not_an_integrity_error(staff_client):
    # The unique constraint would also stop it, as a 500; the service refuses first, with a message.
    holder = FundAccountFactory(member__phone="13900001111").member
    other = FundAccountFactory().member
    before = other.phone
    with pytest.raises(ValidationError) as info:
        services.member_phone_change(member=other, phone=holder.phone, changed_by=staff_client.staff)
    assert info.value.code == "phone_taken" and info.value.messages
    other.refresh_from_db()
    assert other.phone == before != holder.phone
