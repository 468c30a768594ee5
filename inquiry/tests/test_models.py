"""Rules of the center's records: ID validation, rates, constraints."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inquiry.models import FundAccount, LedgerEntry, LoanContract, Member
from inquiry.tests.factories import FundAccountFactory, LedgerEntryFactory, LoanContractFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_member_full_clean_rejects_bad_check_digit():
    member = Member(name="张三", id_number="370402199001011239")
    with pytest.raises(ValidationError) as info:
        member.full_clean()
    assert "身份证号校验位不正确" in info.value.message_dict["id_number"]


def test_member_full_clean_stores_lowercase_x_upper():
    member = Member(name="张三", id_number="11010519491231002x")
    member.full_clean()
    assert member.id_number == "11010519491231002X"


def test_member_id_number_unique():
    existing = MemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(id_number=existing.id_number)


def test_member_phone_unique_but_many_may_be_empty():
    MemberFactory(phone="")
    MemberFactory(phone="")
    taken = MemberFactory(phone="13812345678")
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(phone=taken.phone)


def test_member_phone_must_be_mainland_mobile():
    member = MemberFactory.build(phone="12345")
    with pytest.raises(ValidationError) as info:
        member.full_clean()
    assert "手机号码应为11位大陆手机号" in info.value.message_dict["phone"]


@pytest.mark.parametrize("rate", [Decimal("0.04"), Decimal("0.13")])
def test_fund_account_rate_out_of_range_refused_by_database(rate):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundAccountFactory(employer_rate=rate)


def test_fund_account_monthly_deposit_rounds_each_half():
    # 3333.33 × 7% = 233.3331 → 233.33 each half; the sum of halves, not of the product.
    account = FundAccount(deposit_base=Decimal("3333.33"), employer_rate=Decimal("0.07"), personal_rate=Decimal("0.07"))
    assert account.employer_deposit == Decimal("233.33")
    assert account.monthly_deposit == Decimal("466.66")
    # 1234.50 × 5% = 61.725 → 61.73 (half up)
    account = FundAccount(deposit_base=Decimal("1234.50"), employer_rate=Decimal("0.05"), personal_rate=Decimal("0.05"))
    assert account.monthly_deposit == Decimal("123.46")


def test_ledger_entry_serial_no_unique_and_amount_non_zero():
    entry = LedgerEntryFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntryFactory(serial_no=entry.serial_no)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntryFactory(amount=Decimal("0"))


def test_ledger_entry_income_and_outgo_split_signed_amount():
    assert LedgerEntry(amount=Decimal("10.00")).income == Decimal("10.00")
    assert LedgerEntry(amount=Decimal("-10.00")).outgo == Decimal("10.00")
    assert LedgerEntry(amount=Decimal("-10.00")).income is None


def test_loan_contract_no_unique_and_outstanding_within_amount():
    loan = LoanContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanContractFactory(contract_no=loan.contract_no)
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanContractFactory(outstanding_principal=Decimal("400000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanContractFactory(amount=Decimal("-1.00"), outstanding_principal=Decimal("-2.00"))


def test_disbursed_loan_needs_disbursement_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanContractFactory(status="active", disbursed_on=None)


def test_member_factory_makes_id_numbers_the_portal_accepts():
    from zzgjj_portal.identity import id_number_error

    assert [id_number_error(MemberFactory.build().id_number) for _ in range(30)] == [None] * 30


def test_loan_disburser_role_and_its_permission_are_gone():
    # 放款 is the core system's: migration dec_no_loan_disburser removed both.
    from django.contrib.auth.models import Group, Permission

    assert not Group.objects.filter(name="放款员").exists()
    assert not Permission.objects.filter(codename="disburse_loancontract").exists()


def test_loan_contract_querysets_name_the_three_meanings_of_a_loan():
    member = MemberFactory()
    loans = {
        status: LoanContractFactory(member=member, status=status, outstanding_principal=Decimal("0"))
        for status in LoanContract.Status
    }
    Status = LoanContract.Status
    mine = LoanContract.objects.filter(member=member)
    assert set(mine.running()) == {loans[Status.ACTIVE], loans[Status.OVERDUE]}
    assert set(mine.unsettled()) == {loans[Status.NOT_DISBURSED], loans[Status.ACTIVE], loans[Status.OVERDUE]}
    assert set(mine.active()) == {loans[Status.ACTIVE]}
    # `is_running` is the same rule as running(), one contract at a time.
    assert {loan for loan in loans.values() if loan.is_running} == set(mine.running())


def test_withdrawal_reason_migration_turns_the_words_into_codes():
    from django.apps import apps

    from tasks.tests.conftest import migration_named

    migration = migration_named("inquiry", "ledger_withdrawal_reason_codes")
    account = FundAccountFactory()
    reasons = ["租赁自住住房", "离休、退休", "偿还购房贷款本息", "离职销户", "某地方原因", "07", ""]
    for n, reason in enumerate(reasons):
        LedgerEntryFactory(account=account, amount=Decimal("-1.00"), withdrawal_reason=reason, serial_no=f"MIG{n}")
    migration.to_codes(apps, None)
    after = dict(LedgerEntry.objects.filter(account=account).values_list("serial_no", "withdrawal_reason"))
    assert [after[f"MIG{n}"] for n in range(len(reasons))] == ["07", "03", "06", "99", "99", "07", ""]
