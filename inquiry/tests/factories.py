"""factory-boy factories for the center's records."""

from datetime import date
from decimal import Decimal

import factory

from inquiry import demo
from inquiry.models import Employer, FundAccount, LedgerEntry, LoanContract, LoanProgressStep, Member, Repayment


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer
        django_get_or_create = ("account_no",)

    name = factory.Sequence(lambda n: f"枣庄测试单位{n}有限公司")
    account_no = factory.Sequence(lambda n: f"29{n:08d}")


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"测试{n}")
    # Valid resident ID numbers (zzgjj_portal.identity, GB 11643): 枣庄's 370402 area code, a
    # 1990 birth date and the real check digit, so they pass the portal's own ID check.
    id_number = factory.Sequence(lambda n: demo.make_id_number("370402", date(1990, 1, 1 + n % 28), 100 + n % 899))
    phone = factory.Sequence(lambda n: f"137{n:08d}")


class FundAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundAccount

    member = factory.SubFactory(MemberFactory)
    account_no = factory.Sequence(lambda n: f"1099{n:08d}")
    employer = factory.SubFactory(EmployerFactory)
    deposit_base = Decimal("5000.00")
    employer_rate = Decimal("0.12")
    personal_rate = Decimal("0.12")
    balance = Decimal("0.00")
    opened_on = date(2015, 1, 1)


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LedgerEntry

    account = factory.SubFactory(FundAccountFactory)
    booked_on = date(2024, 1, 15)
    kind = LedgerEntry.Kind.MONTHLY_DEPOSIT
    period = "202401"
    amount = Decimal("1200.00")
    balance_after = Decimal("1200.00")
    summary = "单位汇缴"
    serial_no = factory.Sequence(lambda n: f"T{n:010d}")


class LoanContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoanContract

    member = factory.SubFactory(MemberFactory)
    contract_no = factory.Sequence(lambda n: f"TEST{n:08d}")
    amount = Decimal("300000.00")
    term_months = 240
    annual_rate = Decimal("0.0325")
    repayment_method = "equal_installment"
    applied_on = date(2020, 7, 1)
    disbursed_on = date(2020, 8, 1)
    status = LoanContract.Status.ACTIVE
    outstanding_principal = Decimal("250000.00")
    monthly_payment = Decimal("1701.59")
    remaining_months = 180
    next_due_on = date(2026, 12, 1)


class LoanProgressStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoanProgressStep

    contract = factory.SubFactory(LoanContractFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "申请受理"
    state = LoanProgressStep.State.DONE


class RepaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Repayment

    contract = factory.SubFactory(LoanContractFactory)
    repaid_on = date(2020, 9, 1)
    principal = Decimal("889.09")
    interest = Decimal("812.50")
    principal_to_date = Decimal("889.09")
    interest_to_date = Decimal("812.50")
    outstanding_after = Decimal("299110.91")


def bulk_members(count: int, *, employer: Employer) -> list[Member]:
    """`count` members of `employer`, each with a fund account, inserted with
    two multi-row INSERTs (a factory per row would take minutes at 10,000):
    for broadcasts at scale. Their ID numbers are unique but not valid
    (bulk_create runs no validation; nothing here reads them)."""
    members = Member.objects.bulk_create(
        Member(
            name=f"群发{n}",
            id_number=demo.make_id_number("370402", date(1990, 1, 1 + n % 28), n % 1000)[:-4] + f"{n:04d}",
        )
        for n in range(count)
    )
    FundAccount.objects.bulk_create(
        FundAccount(
            member=m,
            account_no=f"77{n:08d}",
            employer=employer,
            deposit_base=Decimal("5000.00"),
            employer_rate=Decimal("0.12"),
            personal_rate=Decimal("0.12"),
            opened_on=date(2020, 1, 1),
        )
        for n, m in enumerate(members)
    )
    return members
