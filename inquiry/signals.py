"""Signals the center's records send, so that other apps can react without
this app importing them (e.g. the task area messages the member)."""

from django.dispatch import Signal

# Sent when staff register, change or remove a member's reserved phone, inside
# the change's transaction: a receiver writes what it will do to an outbox in
# that transaction, never acts outside it. Arguments: member, old_phone, new_phone.
member_phone_changed = Signal()

# Sent when a loan contract is paid out (放款), inside that transaction (as
# above). 放款 is the core system's now: its import sends this when a contract
# turns 正常. Arguments: member, contract.
loan_disbursed = Signal()

# Sent by the core's import, inside its transaction (as above), with what the
# core answered on the portal's decisions (业务流水号 it assigned): `booked`,
# a list of the serials the core booked (its posting came back), and
# `refused`, a dict of serial -> the core's reason for those it will not book.
decisions_settled = Signal()

# Sent by the core's import, inside its transaction (as above), when fund
# accounts became 销户 (AccountStatus CLOSED_STATUSES). Arguments: member_ids,
# a list of the members whose accounts closed (their logins end).
accounts_closed = Signal()
