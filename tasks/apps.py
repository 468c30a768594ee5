from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = "个人任务管理"

    def ready(self) -> None:
        # Connects the receivers of the records' signals (phone changed, ...).
        from tasks import receivers  # noqa: F401
        from tasks.services import messages
        from zzgjj_portal import outbox

        outbox.register(messages.MESSAGE_KIND, messages.message_deliver)
        outbox.register(
            messages.BROADCAST_KIND, messages.broadcast_deliver, atomic=False, lease_seconds=messages.BROADCAST_LEASE
        )
