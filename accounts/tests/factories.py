"""factory-boy factories for login identities."""

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import User
from inquiry.tests.factories import FundAccountFactory


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    # Members read it as 审批人; a staff account without it cannot handle a step.
    name = factory.Sequence(lambda n: f"工作人员{n}")
    is_staff = True
    is_superuser = True
    password = factory.LazyFunction(lambda: make_password("Staff#2026pass"))


class MemberUserFactory(factory.django.DjangoModelFactory):
    """A member registered online, with a fund account (and so an employer)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    member = factory.LazyFunction(lambda: FundAccountFactory().member)
    username = factory.LazyAttribute(lambda o: f"member-{o.member.pk}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "Secret#2026a")
        if create:
            self.save(update_fields=["password"])
