from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def can(user: Any, capability: str) -> bool:
    """``{% if user|can:"history.view" %}``: the same capability table as the guards."""
    return bool(getattr(user, "is_authenticated", False) and user.can(capability))
