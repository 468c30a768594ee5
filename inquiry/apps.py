from django.apps import AppConfig


class InquiryConfig(AppConfig):
    name = "inquiry"
    verbose_name = "信息查询"

    def ready(self) -> None:
        # Registers the loan entries of the member frame's menu.
        from inquiry import menu  # noqa: F401

        # Before every `migrate` and with `check --database`: every declared
        # table has its data-version triggers.
        from django.core import checks

        from inquiry import versioning

        checks.register(versioning.triggers_check, checks.Tags.database)
