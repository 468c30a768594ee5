"""Writes of the task area, one module per concern (messages, applications)."""

from tasks.services import applications  # noqa: F401  (tasks.services.applications.*)
from tasks.services.messages import message_send

__all__ = ["message_send"]
