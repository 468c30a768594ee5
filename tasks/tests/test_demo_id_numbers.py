"""Every demo member's ID number passes every form and API that takes one
(issue 15: python-stdnum's county table refused 34 of the 60)."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import User
from conftest import MEMBER_PASSWORD
from inquiry.admin import MemberAdminForm
from inquiry.demo import build_members
from inquiry.models import Member
from inquiry.tests.factories import FundAccountFactory
from tasks import services
from tasks.forms.applications import LoanApplicationForm
from tasks.models import Message
from zzgjj_portal.management.commands.seed_demo import default_as_of

pytestmark = pytest.mark.django_db
DEMO = [(spec.name, spec.id_number) for spec in build_members(default_as_of())]
CAPTCHA = {"captcha_0": "test", "captcha_1": "PASSED"}


@pytest.fixture
def demo_members():
    """The demo members' names and ID numbers, each with a fund account and a phone."""
    return [FundAccountFactory(member__name=name, member__id_number=number).member for name, number in DEMO]


def test_demo_set_holds_readmes_members():
    numbers = {number for _, number in DEMO}
    assert {"370402199001011238", "370481198203209171", "370405197910276188"} <= numbers
    assert len(numbers) == 60


def test_every_demo_member_passes_member_full_clean(demo_members):
    for member in demo_members:
        member.full_clean()  # raises ValidationError naming the number


def test_every_demo_member_can_be_added_with_the_admin_member_form():
    refused = {}
    for name, number in DEMO:
        form = MemberAdminForm({"name": name, "id_number": number, "phone": ""})
        if not form.is_valid():
            refused[number] = form.errors
    assert refused == {}


def test_every_demo_member_can_be_pushed_a_message(client, demo_members, settings):
    settings.TASKS_PUSH_RATE_PER_SECOND = 1000
    _, token = services.channel_token_create(channel=Message.Channel.COUNTER, name="柜面系统")
    statuses = {
        member.id_number: client.post(
            reverse("api:message_push"),
            {"id_number": member.id_number, "business": "测试", "content": "测试", "idempotency_key": f"d{member.pk}"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ).status_code
        for member in demo_members
    }
    assert statuses == {member.id_number: HTTPStatus.CREATED for member in demo_members}
    assert Message.objects.count() == len(DEMO)


def test_every_demo_member_passes_registration_identity_check(client, demo_members):
    for member in demo_members:
        client.cookies.clear()
        data = {"name": member.name, "id_number": member.id_number, **CAPTCHA}
        response = client.post(reverse("accounts:register"), data)
        assert (member.id_number, response.status_code) == (member.id_number, HTTPStatus.FOUND)
        assert response.url == reverse("accounts:register_sms")


def test_every_demo_member_can_log_in_with_the_id_number(client, demo_members):
    for member in demo_members:
        user = User(username=f"m{member.pk}", member=member)
        user.set_password(MEMBER_PASSWORD)
        user.save()
        client.logout()
        data = {"identifier": member.id_number, "password": MEMBER_PASSWORD, **CAPTCHA}
        response = client.post(reverse("accounts:login"), data)
        assert (member.id_number, response.status_code) == (member.id_number, HTTPStatus.FOUND)
        assert int(client.session["_auth_user_id"]) == user.pk


def test_every_demo_member_can_be_a_co_borrower():
    base = {
        "form_token": "0b7f3d52-7a2e-4c1c-9a57-0d6e4a8f1e11",
        "amount": "300000",
        "term_years": "15",
        "repayment_method": "equal_installment",
        "property_address": "枣庄市市中区光明路1号",
        "property_price": "500000",
    }
    refused = {}
    for name, number in DEMO:
        form = LoanApplicationForm({**base, "co_borrower_name": name, "co_borrower_id_number": number})
        if not form.is_valid():
            refused[number] = form.errors
    assert refused == {}
    assert Member.objects.count() == 0  # the form only validates
