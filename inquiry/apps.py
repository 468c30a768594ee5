from django.apps import AppConfig
from django.core import checks


class InquiryConfig(AppConfig):
    name = "inquiry"
    verbose_name = "信息查询"

    def ready(self) -> None:
        # Registers the loan entries of the member frame's menu.
        from inquiry import menu  # noqa: F401
        from inquiry.versioning import triggers_check

        # Before every `migrate` and with `check --database`: every declared
        # table has its data-version triggers.
        checks.register(triggers_check, checks.Tags.database)
