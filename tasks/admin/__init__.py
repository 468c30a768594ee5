"""Hall staff's side of the task area, one module per concern (imported so
that Django's admin autodiscovery registers them)."""

from tasks.admin import messages  # noqa: F401
