"""Guards of accompaniment: a counsellor reaches the sessions and groups they run; managers
those of their partner scope. 404 otherwise, as for a missing one."""

from __future__ import annotations

from django.http import Http404

from essor.accounts.models import User

from .models import Group, Session


def access_session(actor: User, pk: int) -> Session:
    try:
        return (
            Session.objects.visible_to(actor).select_related("service", "venue__commune").get(pk=pk)
        )
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_group(actor: User, pk: int) -> Group:
    try:
        return Group.objects.visible_to(actor).select_related("sector", "counsellor").get(pk=pk)
    except (Group.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
