"""Models of the task area, one module per concern."""

from tasks.models.messages import Message, MessageQuerySet

__all__ = ["Message", "MessageQuerySet"]
