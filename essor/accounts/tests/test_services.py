"""Services on users, partners and sharing: the audit trail and the refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from essor.accounts import services
from essor.accounts.models import RoleGrant, SharingRule, User
from essor.accounts.roles import Role
from essor.accounts.scoping import visible_partner_ids
from essor.core.audit import history_of
from essor.core.testing import Personas

pytestmark = pytest.mark.django_db


def test_changing_a_user_records_who_what_and_which_action(personas: Personas) -> None:
    admin = personas.user("admin")
    target = personas.user("counsellor")
    services.user_update(actor=admin, user=target, first_name="Hanane", roles=[Role.DATA_CLERK])
    latest = history_of(target)[0]
    assert latest.actor == admin
    assert latest.verb == "accounts.user.updated"
    assert [(c.field, c.old, c.new) for c in latest.changes] == [("first_name", "Amina", "Hanane")]
    grants = RoleGrant.history.filter(user_id=target.pk).order_by("history_id")
    assert [(g.role, g.history_type, g.history_change_reason) for g in grants] == [
        ("counsellor", "+", None),
        ("counsellor", "-", "accounts.user.role_removed"),
        ("data_clerk", "+", "accounts.user.role_granted"),
    ]
    assert User.objects.get(pk=target.pk).roles == {Role.DATA_CLERK}


def test_history_page_shows_the_change(personas: Personas, client_for) -> None:
    admin = personas.user("admin")
    services.partner_update(actor=admin, partner=personas.own, name_ar="غرفة الاختبار")
    page = client_for(admin).get(
        reverse("core:history", args=["accounts.partner", personas.own.pk])
    )
    content = page.content.decode()
    assert "غرفة الاختبار" in content
    assert "accounts.partner.updated" in content
    assert str(admin) in content


def test_admin_cannot_remove_their_own_admin_role(personas: Personas) -> None:
    admin = personas.user("admin")
    with pytest.raises(ValidationError):
        services.user_update(actor=admin, user=admin, roles=[Role.COUNSELLOR])
    assert User.objects.get(pk=admin.pk).roles == {Role.ADMIN}


def test_deactivated_user_cannot_sign_in_and_stays_in_the_registry(
    personas: Personas, client
) -> None:
    admin = personas.user("admin")
    target = personas.user("counsellor")
    services.user_deactivate(actor=admin, user=target, reason="a quitté la chambre")
    response = client.post(
        reverse("accounts:login"),
        {"username": target.username, "password": "correct-horse-battery"},
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(pk=target.pk, is_active=False).exists()
    assert history_of(target)[0].verb.startswith("accounts.user.deactivated")


def test_an_admin_cannot_deactivate_another_partners_user(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.user_deactivate(
            actor=personas.user("admin"), user=personas.user("counsellor", "other"), reason="x"
        )
    assert User.objects.get(pk=personas.user("counsellor", "other").pk).is_active


def test_sharing_opens_reading_and_revoking_closes_it(personas: Personas) -> None:
    other_admin = personas.user("admin", "other")
    rule = services.sharing_grant(
        actor=other_admin, holder=personas.other, grantee=personas.own, purpose="Convention TPE"
    )
    reader = User.objects.get(pk=personas.user("counsellor").pk)
    assert visible_partner_ids(reader) == {personas.own.pk, personas.other.pk}
    services.sharing_revoke(actor=other_admin, rule=rule)
    reader = User.objects.get(pk=reader.pk)
    assert visible_partner_ids(reader) == {personas.own.pk}
    assert SharingRule.objects.count() == 1  # revoked, kept


def test_an_admin_cannot_share_another_partners_records(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        services.sharing_grant(
            actor=personas.user("admin"), holder=personas.other, grantee=personas.own, purpose="x"
        )
    assert SharingRule.objects.count() == 0


def test_committee_members_see_no_personal_data_even_when_shared(personas: Personas) -> None:
    services.sharing_grant(actor=None, holder=personas.other, grantee=personas.own, purpose="x")
    member = User.objects.get(pk=personas.user("committee_member").pk)
    assert visible_partner_ids(member) == set()


def test_archived_partner_keeps_its_history(personas: Personas) -> None:
    operator = personas.operator
    assert operator is not None
    personas.other.archive(actor=operator, reason="convention terminée")
    assert personas.other.is_archived
    entry = history_of(personas.other)[0]
    assert entry.verb == "archived"
    assert entry.actor == operator
