"""Applications entering each workflow step are counted (portal_application_steps_total)."""

import uuid
from decimal import Decimal

import pytest
from prometheus_client import REGISTRY

from tasks.models import Application
from tasks.services import applications as services

pytestmark = pytest.mark.django_db


def entered(step: str) -> float:
    labels = {"kind": "withdrawal", "step": step}
    return REGISTRY.get_sample_value("portal_application_steps_total", labels) or 0.0


def test_application_steps_are_counted_on_commit_and_a_refused_step_is_not(
    member, clerk, django_capture_on_commit_callbacks
):
    before = {step: entered(step) for step in ("accept", "review", "approve")}
    with django_capture_on_commit_callbacks(execute=True):
        application = services.withdrawal_submit(
            member=member,
            withdrawal_kind=Application.WithdrawalKind.RENT,
            amount=Decimal("3000.00"),
            form_token=uuid.uuid4(),
        ).application
    with django_capture_on_commit_callbacks(execute=True):
        services.application_step_approve(application_id=application.pk, step="accept", actor=clerk)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ApplicationRefused):
        # Four eyes: the clerk may not review what they accepted.
        services.application_step_approve(application_id=application.pk, step="review", actor=clerk)
    assert entered("accept") - before["accept"] == 1
    assert entered("review") - before["review"] == 1
    assert entered("approve") - before["approve"] == 0
