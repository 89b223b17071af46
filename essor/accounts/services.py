"""Writes on partners, users, roles and sharing rules. Each writes the audit trail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from essor.core.audit import save_audited

from .models import Partner, RoleGrant, SharingRule, User
from .permissions import can_manage_partner, can_manage_user
from .roles import Cap, Role

PARTNER_FIELDS = ("code", "acronym", "name_fr", "name_ar", "kind", "region", "website")


@transaction.atomic
def partner_create(*, actor: User | None, **fields: Any) -> Partner:
    if actor is not None and not actor.can(Cap.PARTNER_MANAGE_ALL):
        raise PermissionDenied
    partner = Partner(**{k: v for k, v in fields.items() if k in PARTNER_FIELDS})
    partner.full_clean()
    save_audited(partner, actor=actor, verb="accounts.partner.created")
    return partner


@transaction.atomic
def partner_update(*, actor: User, partner: Partner, **fields: Any) -> Partner:
    if not can_manage_partner(actor, partner):
        raise PermissionDenied
    for name, value in fields.items():
        if name in PARTNER_FIELDS and name != "code":
            setattr(partner, name, value)
    partner.full_clean()
    save_audited(partner, actor=actor, verb="accounts.partner.updated")
    return partner


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    partner: Partner,
    username: str,
    password: str | None,
    roles: Iterable[str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    preferred_language: str = "fr",
) -> User:
    """Create a user of ``partner``. An administrator creates users of their own partner only."""
    if actor is not None and not (
        actor.is_superuser or (actor.can(Cap.USERS_MANAGE) and actor.partner_id == partner.pk)
    ):
        raise PermissionDenied
    user = User(
        username=username,
        partner=partner,
        first_name=first_name,
        last_name=last_name,
        email=email,
        preferred_language=preferred_language,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    save_audited(user, actor=actor, verb="accounts.user.created")
    _set_roles(user=user, roles=roles, actor=actor)
    return user


@transaction.atomic
def user_update(
    *, actor: User, user: User, roles: Iterable[str] | None = None, **fields: Any
) -> User:
    if not can_manage_user(actor, user):
        raise PermissionDenied
    for name in ("first_name", "last_name", "email", "preferred_language"):
        if name in fields:
            setattr(user, name, fields[name])
    user.full_clean(exclude=["password"])
    save_audited(user, actor=actor, verb="accounts.user.updated")
    if roles is not None:
        if user.pk == actor.pk and Role.ADMIN in user.roles and Role.ADMIN not in set(roles):
            raise ValidationError(_("You cannot remove your own administrator role."))
        _set_roles(user=user, roles=roles, actor=actor)
    return user


def _set_roles(*, user: User, roles: Iterable[str], actor: User | None) -> None:
    wanted = {Role(role).value for role in roles}
    current = {grant.role: grant for grant in user.role_grants.all()}
    for role, grant in current.items():
        if role not in wanted:
            grant._history_user = actor  # type: ignore[attr-defined]
            grant._change_reason = "accounts.user.role_removed"  # type: ignore[attr-defined]
            grant.delete()
    for role in sorted(wanted - current.keys()):
        save_audited(
            RoleGrant(user=user, role=role, granted_by=actor),
            actor=actor,
            verb="accounts.user.role_granted",
        )
    user.__dict__.pop("roles", None)
    user.__dict__.pop("capabilities", None)


@transaction.atomic
def user_deactivate(*, actor: User, user: User, reason: str) -> User:
    """Users are deactivated, never deleted: their name stays on what they did."""
    if not can_manage_user(actor, user) or user.pk == actor.pk:
        raise PermissionDenied
    user.is_active = False
    save_audited(user, actor=actor, verb=f"accounts.user.deactivated: {reason}"[:100])
    Token.objects.filter(user=user).delete()
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    if not can_manage_user(actor, user):
        raise PermissionDenied
    user.is_active = True
    save_audited(user, actor=actor, verb="accounts.user.reactivated")
    return user


def api_token_rotate(*, user: User) -> Token:
    """Give the user a new API token; the previous one stops working."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


@transaction.atomic
def sharing_grant(
    *,
    actor: User | None,
    holder: Partner,
    grantee: Partner,
    purpose: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> SharingRule:
    """Open ``holder``'s personal records to ``grantee``'s users (reading only)."""
    if actor is not None and not (
        actor.is_superuser or (actor.can(Cap.SHARING_MANAGE) and actor.partner_id == holder.pk)
    ):
        raise PermissionDenied
    if holder.pk == grantee.pk:
        raise ValidationError(_("A partner cannot share its records with itself."))
    rule = SharingRule(
        holder=holder,
        grantee=grantee,
        purpose=purpose,
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        granted_by=actor,
    )
    rule.full_clean()
    save_audited(rule, actor=actor, verb="accounts.sharing.granted")
    return rule


@transaction.atomic
def sharing_revoke(*, actor: User, rule: SharingRule) -> SharingRule:
    if not (
        actor.is_superuser or (actor.can(Cap.SHARING_MANAGE) and actor.partner_id == rule.holder_id)
    ):
        raise PermissionDenied
    rule.revoked_at = timezone.now()
    save_audited(rule, actor=actor, verb="accounts.sharing.revoked")
    return rule
