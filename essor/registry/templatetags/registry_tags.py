from __future__ import annotations

from django import template

from essor.registry.identifiers import format_phone, mask_cin

register = template.Library()


@register.filter
def masked_cin(cin: str) -> str:
    return mask_cin(cin or "")


@register.filter
def phone(e164: str) -> str:
    return format_phone(e164 or "")
