"""How the access report shows a value: the same in the page and in the PDF."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
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
        return format_mad(value)
    if kind == "bool":
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)
