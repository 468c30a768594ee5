"""The member writes staff make: creating a member, the phone rule (one rule,
one message), and recording a view of the full numbers."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.tests.factories import StaffUserFactory
from inquiry import services
from inquiry.models import PHONE_TAKEN, Member
from inquiry.tests.factories import MemberFactory
from zzgjj_portal.models import AuditEvent

pytestmark = pytest.mark.django_db
HOLDER_SAYS = "该手机号码已由缴存职工 赵一鸣(身份证号 370402********1238)登记,请核对"


@pytest.fixture
def holder():
    return MemberFactory(name="赵一鸣", id_number="370402199001011238", phone="13911112222")


def test_member_create_saves_the_member_and_records_the_first_phone():
    staff = StaffUserFactory()
    member = services.member_create(
        name=" 孙三 ", id_number="370402199001011238", phone="13700001111", created_by=staff
    )
    member.refresh_from_db()
    assert (member.name, member.phone) == ("孙三", "13700001111")
    event = AuditEvent.objects.get(member=member, kind=AuditEvent.Kind.PHONE_CHANGED)
    assert event.actor == staff and event.detail == "(无) → 137****1111"


def test_member_create_refuses_a_bad_id_number_and_saves_nothing():
    with pytest.raises(ValidationError):
        services.member_create(name="孙三", id_number="370402199001011230", created_by=StaffUserFactory())
    assert not Member.objects.exists()


def test_member_create_refuses_a_taken_phone_and_saves_nothing(holder):
    with pytest.raises(ValidationError) as refused:
        services.member_create(
            name="孙三", id_number="370402199001021233", phone=holder.phone, created_by=StaffUserFactory()
        )
    assert refused.value.messages == [HOLDER_SAYS]
    assert Member.objects.count() == 1


def test_member_phone_taken_is_one_rule_with_one_message(holder, staff_client):
    other = MemberFactory(phone="13800001111")
    # The service (under the row lock) …
    with pytest.raises(ValidationError) as refused:
        services.member_phone_change(member=other, phone=holder.phone, changed_by=staff_client.staff)
    assert refused.value.messages == [HOLDER_SAYS]
    # … the admin form …
    url = reverse("admin:inquiry_member_change", args=[other.pk])
    response = staff_client.post(url, {"phone": holder.phone, "auditevent_set-TOTAL_FORMS": "0"})
    assert response.context["adminform"].form.errors["phone"] == [HOLDER_SAYS]
    # … and the database constraint say the same sentence (the constraint cannot name the holder).
    other.phone = holder.phone
    with pytest.raises(ValidationError) as constraint:
        other.validate_constraints()
    assert constraint.value.messages == [PHONE_TAKEN.format(holder="")]
    assert PHONE_TAKEN.format(holder=" 赵一鸣(身份证号 370402********1238)") == HOLDER_SAYS


def test_full_identity_view_record_keeps_the_number_masked(holder):
    staff = StaffUserFactory()
    event = services.full_identity_view_record(member=holder, actor=staff, what="完整身份证号和手机号码")
    assert event.kind == AuditEvent.Kind.FULL_IDENTITY_VIEWED and event.actor == staff
    assert event.detail == "查看完整身份证号和手机号码 370402********1238"
