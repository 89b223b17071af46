from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def can(user: Any, capability: str) -> bool:
    """``{% if user|can:"history.view" %}``: the same capability table as the guards."""
    return bool(getattr(user, "is_authenticated", False) and user.can(capability))


@register.filter
def mad(value: Any) -> str:
    """``{{ amount|mad }}``: ``25 000 000,00 DH`` in French, ``25.000.000,00 درهم`` in Arabic."""
    from essor.core.money import format_mad

    return format_mad(value)


@register.filter
def pct(value: Any) -> str:
    """A percentage with one decimal in the language's style, or a dash."""
    if value is None:
        return "—"
    from django.utils import translation

    text = f"{value:.1f}"
    return (
        f"{text.replace('.', ',')}\u00a0%"
        if translation.get_language() == "fr"
        else f"{text.replace('.', ',')}%"
    )
