"""Signals the center's records send, so that other apps can react without
this app importing them (e.g. the task area messages the member)."""

from django.dispatch import Signal

# Sent after staff registered, changed or removed a member's reserved phone
# (once the change is committed). Arguments: member, old_phone, new_phone.
member_phone_changed = Signal()

# Sent after staff disbursed (放款) a loan contract, once committed.
# Arguments: member, contract.
loan_disbursed = Signal()
