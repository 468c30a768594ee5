from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "个人任务管理"

    def ready(self) -> None:
        # Connects the receivers of the records' signals (phone changed, ...).
        from tasks import receivers  # noqa: F401
