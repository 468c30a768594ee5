"""Models of the task area, one module per concern."""

from tasks.models.applications import Application, ApplicationStep
from tasks.models.decisions import Decision, DecisionExport
from tasks.models.messages import Broadcast, ChannelToken, Message, MessageQuerySet, PushRateBucket

__all__ = [
    "Application",
    "ApplicationStep",
    "Broadcast",
    "ChannelToken",
    "Decision",
    "DecisionExport",
    "Message",
    "MessageQuerySet",
    "PushRateBucket",
]
