"""Reads of partners and users, scoped to what the actor may see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Partner, RoleGrant, SharingRule, User
from .permissions import users_visible_to


def partner_list(
    *, actor: User, query: str = "", include_archived: bool = False
) -> QuerySet[Partner]:
    partners = Partner.objects.select_related("region").annotate(
        user_count=Count("users", filter=Q(users__is_active=True))
    )
    if not include_archived:
        partners = partners.filter(archived_at__isnull=True)
    if query:
        partners = partners.filter(
            Q(name_fr__icontains=query)
            | Q(name_ar__icontains=query)
            | Q(acronym__icontains=query)
            | Q(code__icontains=query)
        )
    return partners.order_by("name_fr")


def user_list(*, actor: User, partner: Partner | None = None) -> QuerySet[User]:
    """Users the actor may see (their own partner's), roles prefetched for the list page."""
    users = User.objects.select_related("partner").prefetch_related(
        Prefetch("role_grants", queryset=RoleGrant.objects.order_by("role"))
    )
    visible = users_visible_to(actor)
    if visible is not None:
        users = users.filter(partner_id__in=visible)
    if partner is not None:
        users = users.filter(partner=partner)
    return users.order_by("-is_active", "last_name", "first_name", "username")


def sharing_rules_of(*, partner: Partner) -> QuerySet[SharingRule]:
    return (
        SharingRule.objects.filter(Q(holder=partner) | Q(grantee=partner))
        .select_related("holder", "grantee", "granted_by")
        .order_by("-starts_on")
    )
