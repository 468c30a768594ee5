"""Masking of ID numbers and phones inside free text (pure, no Django).

A safety net for the log and for error reports: no code should log a full
ID number or phone, but a message or a traceback that quotes one anyway is
masked before it is written or sent anywhere.
"""

import re

from zzgjj_portal.masking import mask_id_number, mask_phone

# 18 characters (17 digits and a digit or X), not part of a longer run of
# digits or letters (a serial number or a hash keeps its digits).
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# A mainland mobile number, not part of a longer number.
PHONE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def scrub_text(text: str) -> str:
    """`text` with every ID number and mobile number in it masked
    (`370402********1238`, `138****5678`)."""
    if not text:
        return text
    text = ID_NUMBER_IN_TEXT.sub(lambda m: mask_id_number(m.group()), text)
    return PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)
