"""The personal home page (个人业务首页面)."""

from decimal import Decimal
from http import HTTPStatus

import pytest
from django.urls import reverse

from inquiry.tests.factories import LoanContractFactory
from tasks.models import Message

pytestmark = pytest.mark.django_db
HOME = reverse("tasks:home")


def test_home_shows_frame_and_member_figures(member_client, member_user):
    account = member_user.member.fund_account
    account.balance = Decimal("123456.78")
    account.save()
    LoanContractFactory(member=member_user.member, contract_no="ZZTEST0001", outstanding_principal=Decimal("250000.00"))
    response = member_client.get(HOME)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for text in ("消息", "我发起的", "已阅", "我的公积金", "我的贷款", "修改密码", "关闭音效", "退出"):
        assert text in html
    assert "123,456.78" in html
    assert account.account_no in html
    assert "12%" in html and "1,200.00" in html  # rates and 月缴存额 of base 5,000 × 24%
    assert "ZZTEST0001" in html and "250,000.00" in html and "正常" in html


def test_home_never_shows_another_members_records(member_client, member_user):
    LoanContractFactory(member=member_user.member, contract_no="OWN0001")
    Message.objects.create(member=member_user.member, business="本人消息", content="应当出现")
    other = LoanContractFactory(contract_no="OTHER0001")
    Message.objects.create(member=other.member, business="他人消息", content="不应出现")
    html = member_client.get(HOME).content.decode()
    # The member's own loan and message are on the page, so the absences below
    # mean "filtered out", not "nothing shown at all".
    assert "OWN0001" in html and "本人消息" in html
    assert "OTHER0001" not in html
    assert "他人消息" not in html


def test_home_lists_unread_and_read_messages_separately(member_client, member_user):
    from django.utils import timezone

    Message.objects.create(member=member_user.member, business="汇缴到账", content="新消息")
    Message.objects.create(member=member_user.member, business="贷款发放", content="旧消息", read_at=timezone.now())
    response = member_client.get(HOME)
    assert [m.business for m in response.context["unread_messages"]] == ["汇缴到账"]
    assert [m.business for m in response.context["read_messages"]] == ["贷款发放"]


def test_home_query_count_does_not_grow_with_loans(member_client, member_user, django_assert_max_num_queries):
    for n in range(5):
        LoanContractFactory(member=member_user.member, contract_no=f"ZZQ{n:04d}")
    # session + user + account + loans + unread list and count + read list + 我发起的
    with django_assert_max_num_queries(9):
        member_client.get(HOME)
