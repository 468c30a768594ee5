"""Hall staff's side of the task area, one module per concern (imported so
that Django's admin autodiscovery registers them)."""

from tasks.admin import applications, decisions, messages  # noqa: F401
