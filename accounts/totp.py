"""A staff member's 动态口令 (TOTP, RFC 6238) typed again: pure computation
over the device's settings, no database."""

import time
from typing import Protocol

from django_otp.oath import TOTP, hotp


class TotpDevice(Protocol):
    bin_key: bytes
    step: int
    t0: int
    digits: int
    drift: int
    tolerance: int
    last_t: int


def token_replayed(device: TotpDevice, token: str, *, now: float | None = None) -> bool:
    """Whether `token` is the device's code for a time step that already
    logged someone in (`last_t`): the same code typed again within its 30
    seconds, or the previous one still inside the tolerance. django-otp
    refuses such a code like a wrong one; the login tells it apart, because
    it is a clerk logging in twice in a minute, not a guess."""
    if device.last_t < 0 or not (token.isascii() and token.isdigit()):
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if now is None else now
    current = totp.t()
    # The window django-otp's verify_token searches, limited to used steps.
    steps = range(current - device.tolerance, min(current + device.tolerance, device.last_t) + 1)
    return any(hotp(device.bin_key, step, digits=device.digits) == int(token) for step in steps)
