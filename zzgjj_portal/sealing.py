"""Sealing short secrets that must wait in the database for a job (an SMS
text holding a one-time code, in the outbox until the gateway takes it).

Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from SECRET_KEY for
this one purpose: a dump of the outbox table gives no codes away, and a
sealed value cannot be altered unnoticed. Sealed values are removed from the
row once delivered (zzgjj_portal.outbox scrubs them).
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"zzgjj_portal.sealing:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def unseal(token: str) -> str | None:
    """The sealed text, or None when it cannot be read (altered, or sealed
    under another SECRET_KEY)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None
