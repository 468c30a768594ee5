"""Masking of what was typed at the login (pure)."""

import pytest

from zzgjj_portal.masking import mask_login


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("13963245678", "139****5678"),
        ("370403198805152345", "370403********2345"),
        (" 13963245678 ", "139****5678"),
        ("", ""),
    ],
)
def test_mask_login_masks_phone_and_id_number(typed, masked):
    assert mask_login(typed) == masked
