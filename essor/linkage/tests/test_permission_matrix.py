"""Who reviews duplicates, merges, undoes, and who is told "this person may already exist".

Sides: ``own`` both records are held by the actor's partner; ``other`` both by another partner.
Reviewing and merging need ``registry.merge`` (administrators and data clerks) and at least one
of the records in sight; the hint while typing names only the records the actor may see. A
denied action changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from essor.accounts.models import Partner, User
from essor.accounts.roles import Role
from essor.core.testing import MatrixRow, Personas, matrix_clients, matrix_id, matrix_params
from essor.linkage.models import Merge, PairStatus, PersonPair
from essor.linkage.services import merge_persons
from essor.registry.models import Person
from essor.registry.tests.factories import make_person

REVIEWERS = frozenset({Role.ADMIN, Role.DATA_CLERK})
TYPISTS = frozenset({Role.ADMIN, Role.PROGRAMME_MANAGER, Role.COUNSELLOR, Role.DATA_CLERK})
NONE: frozenset[str] = frozenset()

MATRIX: list[MatrixRow] = [
    ("queue", "view", "own", REVIEWERS),
    ("queue", "view", "other", NONE),
    ("pair", "view", "own", REVIEWERS),
    ("pair", "view", "other", NONE),
    ("pair", "merge", "own", REVIEWERS),
    ("pair", "merge", "other", NONE),
    ("pair", "not_same", "own", REVIEWERS),
    ("pair", "not_same", "other", NONE),
    ("merge", "undo", "own", REVIEWERS),
    ("merge", "undo", "other", NONE),
    ("similar", "view", "own", TYPISTS),
    ("similar", "view", "other", NONE),
]


def _pair(partner: Partner) -> PersonPair:
    left = make_person(
        partner, first_name="Hicham", last_name="Tazi", birth_date=date(1988, 2, 2), cin="D654321"
    )
    right = make_person(
        partner, first_name="Hicham", last_name="Tazi", birth_date=date(1988, 2, 2), cin="D654312"
    )
    return PersonPair.objects.create(left=left, right=right, score=0.999)


def _partner(personas: Personas, side: str) -> Partner:
    return personas.own if side == "own" else personas.other


def probe_queue_view(personas: Personas, actor: User, side: str) -> bool:
    pair = _pair(_partner(personas, side))
    page, _api = matrix_clients(actor)
    response = page.get("/linkage/")
    return response.status_code == 200 and f"/linkage/person/pairs/{pair.pk}/" in (
        response.content.decode()
    )


def probe_pair_view(personas: Personas, actor: User, side: str) -> bool:
    pair = _pair(_partner(personas, side))
    page, _api = matrix_clients(actor)
    return page.get(f"/linkage/person/pairs/{pair.pk}/").status_code == 200


def probe_pair_merge(personas: Personas, actor: User, side: str) -> bool:
    pair = _pair(_partner(personas, side))
    page, _api = matrix_clients(actor)
    status = page.post(
        f"/linkage/person/pairs/{pair.pk}/", {"action": "merge", "keep": "left"}
    ).status_code
    merged = Person.objects.filter(pk=pair.right_id, merged_into=pair.left_id).exists()
    assert merged == (status == 302)
    return merged


def probe_pair_not_same(personas: Personas, actor: User, side: str) -> bool:
    pair = _pair(_partner(personas, side))
    page, _api = matrix_clients(actor)
    status = page.post(f"/linkage/person/pairs/{pair.pk}/", {"action": "not_same"}).status_code
    pair.refresh_from_db()
    decided = pair.status == PairStatus.NOT_SAME
    assert decided == (status == 302)
    return decided


def probe_merge_undo(personas: Personas, actor: User, side: str) -> bool:
    pair = _pair(_partner(personas, side))
    merge = merge_persons(actor=None, survivor=pair.left, merged=pair.right, pair=pair)
    page, _api = matrix_clients(actor)
    page.post(f"/linkage/merges/{merge.pk}/undo/")
    undone = Merge.objects.get(pk=merge.pk).undone_at is not None
    assert undone == (not Person.objects.filter(pk=pair.right_id, merged_into__isnull=False))
    return undone


def probe_similar_view(personas: Personas, actor: User, side: str) -> bool:
    pair = _pair(_partner(personas, side))
    page, _api = matrix_clients(actor)
    response = page.get(
        "/linkage/similar/",
        {"first_name": "Hicham", "last_name": "Tazi", "birth_date": "1988-02-02"},
    )
    if response.status_code != 200:
        return False
    text = response.content.decode()
    assert f"#{pair.left_id}" in text or f"/registry/persons/{pair.left_id}/" in text
    return "Hicham Tazi" in text


PROBES: dict[tuple[str, str], Callable[[Personas, User, str], bool]] = {
    ("queue", "view"): probe_queue_view,
    ("pair", "view"): probe_pair_view,
    ("pair", "merge"): probe_pair_merge,
    ("pair", "not_same"): probe_pair_not_same,
    ("merge", "undo"): probe_merge_undo,
    ("similar", "view"): probe_similar_view,
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "obj", "action", "side", "allowed"), matrix_params(MATRIX), ids=matrix_id
)
def test_permission_matrix(
    personas: Personas, role: str, obj: str, action: str, side: str, allowed: bool
) -> None:
    actor = personas.user(role)
    assert PROBES[(obj, action)](personas, actor, side) is allowed


def test_the_matrix_covers_every_probe() -> None:
    assert {(obj, action) for obj, action, _side, _roles in MATRIX} == set(PROBES)
