""" "Already supported?": everything a person or an organisation received, from any programme in
essor and from the partners' imported exclusion lists.

Screening across programmes needs it ("not yet supported by Intilaka or INDH"), so it crosses
partners: it names the programme, the partner that runs it, the year and where it was found,
never amounts nor the record of another partner. A person's sure duplicates not yet merged
(the automatic band of linkage) count as them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from essor.registry.models import Organisation, Person

from .lookup import same_person_ids

KINDS = {
    "enrolment": _("enrolled"),
    "commitment": _("funding committed"),
    "exclusion": _("on an exclusion list"),
}


@dataclass(frozen=True)
class Support:
    programme: str
    partner: str
    year: int | None
    kind: str
    via: int | None  # the duplicate record it was found through, if not the person's own

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _person_supports(ids: list[int], own: int) -> list[Support]:
    from essor.funding.models import RESERVING, Commitment
    from essor.programmes.models import Enrollment, ExclusionEntry

    found: set[Support] = set()
    for title, partner, year, who in Enrollment.objects.filter(
        application__person__in=ids
    ).values_list(
        "application__programme__name_fr",
        "application__programme__operator__acronym",
        "started_on__year",
        "application__person_id",
    ):
        found.add(Support(title, partner or "", year, "enrolment", None if who == own else who))
    for title, partner, year, who in Commitment.objects.filter(
        person__in=ids, status__in=RESERVING
    ).values_list("programme__name_fr", "holder__acronym", "committed_on__year", "person_id"):
        found.add(Support(title, partner or "", year, "commitment", None if who == own else who))
    cins = {
        cin: pk for pk, cin in Person.objects.filter(pk__in=ids).values_list("pk", "cin") if cin
    }
    for name, code, partner, year, cin in ExclusionEntry.objects.filter(
        cin__in=list(cins)
    ).values_list(
        "exclusion_list__name",
        "exclusion_list__programme_code",
        "exclusion_list__partner__acronym",
        "year",
        "cin",
    ):
        who = cins[cin]
        found.add(
            Support(
                f"{name} ({code})", partner or "", year, "exclusion", None if who == own else who
            )
        )
    return sorted(found, key=lambda s: (-(s.year or 0), s.programme, s.kind))


def person_supports(person: Person) -> list[Support]:
    return _person_supports(same_person_ids(person), person.pk)


def organisation_supports(organisation: Organisation) -> list[Support]:
    from essor.funding.models import RESERVING, Commitment
    from essor.programmes.models import Enrollment, ExclusionEntry

    found: set[Support] = set()
    for title, partner, year in Enrollment.objects.filter(
        application__organisation=organisation
    ).values_list(
        "application__programme__name_fr",
        "application__programme__operator__acronym",
        "started_on__year",
    ):
        found.add(Support(title, partner or "", year, "enrolment", None))
    for title, partner, year in Commitment.objects.filter(
        organisation=organisation, status__in=RESERVING
    ).values_list("programme__name_fr", "holder__acronym", "committed_on__year"):
        found.add(Support(title, partner or "", year, "commitment", None))
    if organisation.ice:
        for name, code, partner, year in ExclusionEntry.objects.filter(
            ice=organisation.ice
        ).values_list(
            "exclusion_list__name",
            "exclusion_list__programme_code",
            "exclusion_list__partner__acronym",
            "year",
        ):
            found.add(Support(f"{name} ({code})", partner or "", year, "exclusion", None))
    return sorted(found, key=lambda s: (-(s.year or 0), s.programme, s.kind))
