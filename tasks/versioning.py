"""The applications app's tables that member pages show (消息, 我发起的 and
their steps): each change to their rows raises the member's data version,
through the triggers of inquiry/versioning.py. A table added here gets its
triggers from a new migration of this app that names it (CONTRIBUTING.md)."""

VIA_APPLICATION = ("application_id", "tasks_application", "id")

VERSIONED_TABLES = {
    "tasks_message": None,
    "tasks_application": None,
    "tasks_applicationstep": VIA_APPLICATION,
    "tasks_decision": VIA_APPLICATION,
}
