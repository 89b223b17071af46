"""Guards of accompaniment: a counsellor reaches the sessions and groups they run; managers
those of their partner scope. 404 otherwise, as for a missing one."""

from __future__ import annotations

from django.http import Http404

from essor.accounts.models import User

from .models import Diagnostic, Group, Session, Tour


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


# Sharing gives reading, not changing (docs/permissions.md): a session, a group or a diagnostic
# is changed by the staff of the partner that holds it, or by the counsellor who runs it (who
# may come from another partner), never by a partner it is only shared with.


def _changes(actor: User, holder_id: int, *, runs: bool) -> bool:
    return actor.is_superuser or runs or holder_id == actor.partner_id


def change_session(actor: User, pk: int) -> Session:
    session = access_session(actor, pk)
    runs = session.counsellors.filter(pk=actor.pk).exists()
    if not _changes(actor, session.holder_id, runs=runs):
        raise Http404
    return session


def change_group(actor: User, pk: int) -> Group:
    group = access_group(actor, pk)
    if not _changes(actor, group.holder_id, runs=group.counsellor_id == actor.pk):
        raise Http404
    return group


def may_change_diagnostic(actor: User, diagnostic: Diagnostic) -> bool:
    return _changes(actor, diagnostic.holder_id, runs=diagnostic.counsellor_id == actor.pk)


def may_change_tour(actor: User, tour: Tour) -> bool:
    """A tour's stops are the bus's: changed by the partner that operates it."""
    return actor.is_superuser or tour.mobile_unit.operator_id == actor.partner_id
