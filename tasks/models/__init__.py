"""Models of the task area, one module per concern."""

from tasks.models.applications import Application, ApplicationStep  # noqa: F401
from tasks.models.messages import Message, MessageQuerySet

__all__ = ["Message", "MessageQuerySet"]
