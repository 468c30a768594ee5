"""Template filters used across the portal (loaded as a builtin)."""

from django import template

from zzgjj_portal.masking import mask_bank_account, mask_id_number, mask_phone
from zzgjj_portal.money import format_money, format_rate

register = template.Library()


@register.filter
def money(value):
    """Money as `1,234.56`, the one way amounts are shown."""
    return format_money(value)


@register.filter
def rate(value):
    """A rate stored as a fraction, shown as a percentage."""
    return format_rate(value)


@register.filter
def masked_id(value):
    return mask_id_number(value)


@register.filter
def masked_phone(value):
    return mask_phone(value)


@register.filter
def masked_bank(value):
    return mask_bank_account(value)
