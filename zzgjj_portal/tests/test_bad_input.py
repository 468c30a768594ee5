"""Hostile parameters in admin (and NUL anywhere) get the Chinese 400 page,
never a 500 — proven on PostgreSQL too (it refuses NUL bytes outright)."""

from http import HTTPStatus

import pytest

from inquiry.tests.factories import LedgerEntryFactory, MemberFactory

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999999"


@pytest.fixture
def staff_client(staff_client):
    # Record the answer a browser would get, not the test client's re-raise.
    staff_client.raise_request_exception = False
    LedgerEntryFactory()
    return staff_client


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/inquiry/ledgerentry/?booked_on__year={HUGE}",
        f"/admin/inquiry/ledgerentry/?booked_on__year=2020&booked_on__month={HUGE}",
        f"/admin/inquiry/ledgerentry/?booked_on__year=2020&booked_on__month=1&booked_on__day={HUGE}",
        "/admin/inquiry/ledgerentry/?kind=%00",
        "/admin/inquiry/ledgerentry/?q=%00",
        "/admin/inquiry/member/?q=abc%00def",
        "/admin/inquiry/member/?fund_account__status=%00",
        "/admin/autocomplete/?term=%00&app_label=tasks&model_name=message&field_name=member",
        f"/admin/inquiry/ledgerentry/?account__id__exact={HUGE}",
        "/admin/zzgjj_portal/auditevent/?created_at__gte=%00",
        "/admin/inquiry/member/%00/change/",
        "/?next=%00",
    ],
)
def test_bad_admin_parameters_get_the_chinese_400_page(staff_client, url):
    response = staff_client.get(url)
    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.OK, HTTPStatus.FOUND)
    if response.status_code == HTTPStatus.BAD_REQUEST:
        assert "请求无效" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/admin/inquiry/ledgerentry/?kind=%00", f"/admin/inquiry/ledgerentry/?booked_on__year={HUGE}"]
)
def test_bad_admin_parameters_answer_400_not_a_silent_page(staff_client, url):
    assert staff_client.get(url).status_code == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize("member", ["abc", HUGE, "1 OR 1=1", "-1"])
def test_admin_add_form_with_non_integer_member_id_is_no_500(staff_client, member):
    data = {"member": member, "business": "测试", "content": "内容", "channel": "portal"}
    response = staff_client.post("/admin/tasks/message/add/", data)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.BAD_REQUEST)


def test_nul_in_a_member_form_is_refused_before_any_view(client):
    response = client.post("/", {"identifier": "3704\x00", "password": "x", "captcha_0": "t", "captcha_1": "PASSED"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "请求无效" in response.content.decode()


def test_bad_input_page_keeps_member_pages_answering(client):
    MemberFactory()
    assert client.get("/").status_code == HTTPStatus.OK
