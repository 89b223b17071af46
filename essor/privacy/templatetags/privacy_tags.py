"""How the access report shows a value: the same in the page and in the PDF."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def cell(row: dict[str, Any], key: str, kind: str) -> str:
    """``{% cell row key kind %}``: a date as 24/11/2026, money in dirhams, yes or no."""
    from essor.core.money import format_mad

    value = row.get(key)
    if value is None or value == "":
        return "—"
    if kind == "money":
        text = format_mad(value)
    elif kind == "bool":
        text = _("yes") if value else _("no")
    elif isinstance(value, datetime):
        text = timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    elif isinstance(value, date):
        text = value.strftime("%d/%m/%Y")
    else:
        text = str(value)
    if not any(ch.isalpha() for ch in text):
        # Digits and separators alone (a phone, a date) keep their order in Arabic pages.
        return format_html('<span dir="ltr">{}</span>', text)
    return text
