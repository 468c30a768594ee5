"""核验码: random, typed by people, stored only as a keyed hash (pure, no Django).

20 characters from an alphabet of 31 with no look-alikes (no 0/O, 1/I/L):
20 x log2(31) = 99 random bits, well above the 80 asked for, shown in five
groups of four (`K7QF-3MZP-...`). What a verifier types is normalised first
(case, spaces, dashes), so the only way to a wrong code is a wrong character.
"""

import hashlib
import hmac
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 20
GROUP = 4
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")
_SEPARATORS = re.compile(r"[\s\-_—–·.]+")
# Longer than any way of writing a code (20 characters, separators, spaces):
# not looked at, so a megabyte of text costs no more than a code.
_TYPED_MAX = 64


def code_generate() -> str:
    """A new code, normalised (no dashes)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_normalize(typed: str | None) -> str | None:
    """The code in what someone typed or scanned, or None when it cannot be one."""
    if len(typed or "") > _TYPED_MAX:
        return None
    text = _SEPARATORS.sub("", (typed or "").strip().upper())
    return text if _VALID.match(text) else None


def code_display(code: str) -> str:
    """`K7QF3MZP...` -> `K7QF-3MZP-...` (groups of four)."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def code_hint(code: str) -> str:
    """The code as lists show it: first and last group, the rest masked."""
    groups = code_display(code).split("-")
    return "-".join([groups[0], *("****" for _ in groups[1:-1]), groups[-1]])


def code_hash(code: str, *, key: bytes) -> str:
    """HMAC-SHA256 of a normalised code: what is stored and looked up."""
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()
