"""Writes of the task area, one module per concern (messages, applications)."""

from tasks.services.messages import message_send

__all__ = ["message_send"]
