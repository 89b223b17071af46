"""Reads of identity resolution: the review queue, a pair side by side, a person's matches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from essor.accounts.models import User
from essor.accounts.roles import Cap
from essor.registry.identifiers import format_phone, mask_cin
from essor.registry.models import Organisation, Person, PersonHolding

from . import batch, model
from .lookup import LOOKUP_FIELDS, weights
from .models import OrganisationPair, PairStatus, PersonPair, RecordKind
from .permissions import pairs_visible_to, visible_ids

# Level labels are stored in English (they are the model's); shown translated.
LEVEL_LABELS = {
    "missing": gettext_lazy("missing on one side"),
    "the same": gettext_lazy("the same"),
    "different": gettext_lazy("different"),
    "both the same": gettext_lazy("both the same"),
    "given and family swapped": gettext_lazy("given and family names swapped"),
    "both close (one edit each)": gettext_lazy("close (one letter apart)"),
    "same given name, family name missing": gettext_lazy("same given name, no family name"),
    "same family name only": gettext_lazy("same family name only"),
    "else": gettext_lazy("different"),
    "one edit or a transposition": gettext_lazy("one character apart (typing slip)"),
    "a typing slip (one character, or day and month swapped)": gettext_lazy(
        "a typing slip (one digit, or day and month swapped)"
    ),
    "within a year": gettext_lazy("less than a year apart"),
}
FIELD_LABELS = {
    "names": gettext_lazy("Names"),
    "cin": gettext_lazy("CIN"),
    "birth_date": gettext_lazy("Birth date"),
    "phone": gettext_lazy("Phone"),
    "commune": gettext_lazy("Commune"),
    "sex": gettext_lazy("Sex"),
    "name": gettext_lazy("Name"),
    "founders": gettext_lazy("Founders"),
}
AGREE = {"the same", "both the same", "given and family swapped"}
CLOSE = {
    "both close (one edit each)",
    "one edit or a transposition",
    "a typing slip (one character, or day and month swapped)",
    "within a year",
    "same given name, family name missing",
    "same family name only",
}


@dataclass(frozen=True)
class Evidence:
    field: str
    label: str
    level: str
    tone: str  # "agree", "close", "differ", "missing"


def evidence_of(levels: Mapping[str, str]) -> list[Evidence]:
    result = []
    for name, level in levels.items():
        if level == "missing":
            tone = "missing"
        elif level in AGREE:
            tone = "agree"
        elif level in CLOSE:
            tone = "close"
        else:
            tone = "differ"
        result.append(
            Evidence(
                name, str(FIELD_LABELS.get(name, name)), str(LEVEL_LABELS.get(level, level)), tone
            )
        )
    return result


def review_queue(*, actor: User, kind: str = RecordKind.PERSON) -> QuerySet[Any]:
    """Pairs to review, best first; pairs whose records were since merged or archived drop out."""
    return (
        pairs_visible_to(actor, kind)
        .filter(
            status=PairStatus.PENDING,
            left__archived_at__isnull=True,
            right__archived_at__isnull=True,
        )
        .select_related("left__commune", "right__commune")
        .order_by("-score", "pk")
    )


def _initials(text: str) -> str:
    return " ".join(word[:1] + "." for word in text.split())


def queue_label(record: Person | Organisation, *, visible: bool) -> str:
    """A record's name in the queue: in full when the reviewer may see it, else initials."""
    if isinstance(record, Person):
        latin = " ".join(p for p in (record.first_name, record.last_name) if p)
        arabic = record.arabic_name
    else:
        latin, arabic = record.name_fr, record.name_ar
    name = latin or arabic
    shown = name if visible else _initials(name)
    return f"#{record.pk} {shown}".strip()


def person_card(person: Person, *, visible: bool, actor: User) -> dict[str, Any]:
    """What a reviewer sees of one record: all of it, or a masked summary."""
    holders = [
        h.partner.short_label
        for h in PersonHolding.objects.filter(person=person).select_related("partner")
    ]
    full_cin = actor.can(Cap.IDENTIFIERS_VIEW) and visible
    return {
        "pk": person.pk,
        "visible": visible,
        "name": (
            " ".join(p for p in (person.first_name, person.last_name) if p)
            if visible
            else _initials(f"{person.first_name} {person.last_name}")
        ),
        "name_ar": (
            person.arabic_name if visible else _initials(person.arabic_name) if person else ""
        ),
        "cin": person.cin if full_cin else mask_cin(person.cin),
        "birth": (
            person.birth_date.strftime("%d/%m/%Y")
            if visible and person.birth_date
            else (str(person.birth_date.year) if person.birth_date else "")
        ),
        "phone": (
            format_phone(person.phone)
            if visible
            else ("•• •• •• " + person.phone[-2:] if person.phone else "")
        ),
        "sex": person.get_sex_display(),
        "commune": person.commune.label if person.commune is not None else "",
        "holders": holders,
        "created": person.created_at,
    }


def organisation_card(org: Organisation, *, visible: bool) -> dict[str, Any]:
    return {
        "pk": org.pk,
        "visible": visible,
        "name": org.name_fr if visible else _initials(org.name_fr),
        "name_ar": org.name_ar if visible else _initials(org.name_ar),
        "ice": org.ice if visible else (org.ice[:4] + "…" if org.ice else ""),
        "kind": org.get_kind_display(),
        "commune": org.commune.label if org.commune is not None else "",
        "created": org.created_at,
    }


def pair_view(actor: User, pair: PersonPair | OrganisationPair) -> dict[str, Any]:
    kind = RecordKind.PERSON if isinstance(pair, PersonPair) else RecordKind.ORGANISATION
    visible = visible_ids(actor, kind, [pair.left_id, pair.right_id])
    levels = pair.evidence
    if isinstance(pair, PersonPair):
        left = person_card(pair.left, visible=pair.left_id in visible, actor=actor)
        right = person_card(pair.right, visible=pair.right_id in visible, actor=actor)
        # A full CIN shown to the reviewer is in the access log (essor.privacy).
        shown = [
            record.pk
            for record, card in ((pair.left, left), (pair.right, right))
            if record.cin and card["cin"] == record.cin
        ]
        if shown:
            from essor.privacy.models import AccessPurpose
            from essor.privacy.services import log_full_cin

            log_full_cin(
                actor, shown, AccessPurpose.REVIEW, reverse("linkage:pair", args=[kind, pair.pk])
            )
        # The evidence as the records stand today (they may have changed since the run).
        rows = [
            batch.person_row({f: getattr(p, f) for f in LOOKUP_FIELDS})
            for p in (pair.left, pair.right)
        ]
        levels = model.score(rows[0], rows[1], weights()).levels
    else:
        left = organisation_card(pair.left, visible=pair.left_id in visible)
        right = organisation_card(pair.right, visible=pair.right_id in visible)
    return {
        "kind": kind,
        "pair": pair,
        "left": left,
        "right": right,
        "sides": [("left", left), ("right", right)],
        "evidence": evidence_of(levels),
    }
