from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from essor.accounts.roles import Cap


def essor(request: HttpRequest) -> dict[str, Any]:
    """Navigation for the signed-in user: only the entries their roles open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    entries = [
        ("core:home", _("Home"), None),
        ("registry:persons", _("Project holders"), Cap.PERSONAL_VIEW),
        ("registry:organisations", _("Enterprises"), Cap.PERSONAL_VIEW),
        ("registry:imports", _("Imports"), Cap.REGISTRY_IMPORT),
        ("linkage:queue", _("Duplicates"), Cap.REGISTRY_MERGE),
        ("conventions:conventions", _("Conventions"), Cap.AGGREGATES_VIEW),
        ("programmes:programmes", _("Programmes"), Cap.AGGREGATES_VIEW),
        ("monitoring:index", _("Monitoring"), Cap.AGGREGATES_VIEW),
        ("funding:approvals", _("Approvals"), Cap.FUNDING_APPROVE),
        ("accompaniment:workspace", _("My workspace"), Cap.PERSONAL_VIEW),
        ("territory:regions", _("Territories"), None),
        ("accounts:partners", _("Partners"), None),
        ("accounts:users", _("Users"), Cap.USERS_VIEW),
        ("privacy:index", _("Personal data"), Cap.PRIVACY_MANAGE),
        ("api-docs", _("API"), None),
    ]
    path = request.path
    nav = []
    for name, label, capability in entries:
        if capability and not user.can(capability):
            continue
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        nav.append({"url": url, "label": label, "active": active})
    return {"nav": nav}
