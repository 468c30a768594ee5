"""`createsuperuser` asks for 姓名: members read it as 审批人."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from accounts.models import STAFF_NAME_MISSING, User

pytestmark = pytest.mark.django_db
PASSWORD = "Zz-hall-2026-strong"


class Tty:
    """The terminal the interactive command insists on."""

    def isatty(self):
        return True


def test_createsuperuser_asks_for_the_name(monkeypatch):
    asked = []

    def answer(prompt):
        asked.append(prompt)
        return "zhangsan" if prompt.startswith("用户名") else "张三"

    monkeypatch.setattr("builtins.input", answer)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    call_command("createsuperuser", interactive=True, stdin=Tty(), stdout=io.StringIO())
    assert any(prompt.startswith("姓名") for prompt in asked)
    assert User.objects.get(username="zhangsan").name == "张三"


def test_createsuperuser_without_a_name_makes_no_account(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    with pytest.raises(CommandError, match="--name"):
        call_command("createsuperuser", interactive=False, username="lisi")
    with pytest.raises(CommandError, match=re.escape(STAFF_NAME_MISSING)):
        call_command("createsuperuser", interactive=False, username="lisi", name="  ")
    assert not User.objects.filter(username="lisi").exists()


def test_createsuperuser_noinput_takes_the_name(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    monkeypatch.setenv("DJANGO_SUPERUSER_NAME", " 王五 ")
    call_command("createsuperuser", interactive=False, username="wangwu")
    assert User.objects.get(username="wangwu").name == "王五"


def test_admin_new_staff_account_needs_a_name(staff_client):
    from django.urls import reverse

    data = {"username": "zhaoliu", "name": "", "password1": PASSWORD, "password2": PASSWORD}
    response = staff_client.post(reverse("admin:accounts_user_add"), data)
    assert response.context["adminform"].form.errors["name"]
    assert not User.objects.filter(username="zhaoliu").exists()
    staff_client.post(reverse("admin:accounts_user_add"), {**data, "name": "赵六"})
    assert User.objects.get(username="zhaoliu").name == "赵六"
