"""Masking of personal data shown to members (pure, no Django).

Full ID numbers and phone numbers appear only in the staff admin; members and
logs see these forms.
"""

import ipaddress
import re

from zzgjj_portal.identity import is_phone

# Digits (15 or 18, a final X) that may be a resident ID number someone typed.
ID_LIKE_RE = re.compile(r"^\d{15}$|^\d{17}[\dXx]$")


def mask_id_number(id_number: str | None) -> str:
    """`370402199001011238` -> `370402********1238` (area code and last four kept)."""
    if not id_number:
        return ""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str | None) -> str:
    """`13812345678` -> `138****5678`."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_login(identifier: str | None) -> str:
    """What a member typed to log in (phone or ID number), masked either way."""
    identifier = (identifier or "").strip()
    # The same rule the login uses to tell a phone from an ID number.
    if is_phone(identifier):
        return mask_phone(identifier)
    return mask_id_number(identifier)


def mask_bank_account(number: str | None) -> str:
    """`6217000101000000001` -> `6217 **** **** 0001` (bank and last four kept)."""
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]} **** **** {number[-4:]}"


def mask_typed_username(username: str | None) -> str:
    """A staff username typed at the admin login, masked when it looks like an
    ID number or a phone (members mistake the admin login for theirs, and the
    audit trail must not keep their numbers); other usernames stay readable."""
    username = (username or "").strip()
    if is_phone(username) or ID_LIKE_RE.match(username):
        return mask_login(username)
    return username[:60]


def mask_ip(ip: str | None) -> str:
    """A client address as certificate verifications keep it: the network,
    not the host (`203.0.113.45` -> `203.0.113.*`, IPv6 to its /48)."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if address.version == 4:
        return ".".join(str(address).split(".")[:3]) + ".*"
    network = ipaddress.ip_network(f"{address}/48", strict=False)
    return f"{network.network_address.exploded.rsplit(':', 5)[0]}:*"
