"""Signals the center's records send, so that other apps can react without
this app importing them (e.g. the task area messages the member)."""

from django.dispatch import Signal

# Sent when staff register, change or remove a member's reserved phone, inside
# the change's transaction: a receiver writes what it will do to an outbox in
# that transaction, never acts outside it. Arguments: member, old_phone, new_phone.
member_phone_changed = Signal()

# Sent when staff disburse (放款) a loan contract, inside its transaction (as
# above). Arguments: member, contract.
loan_disbursed = Signal()
