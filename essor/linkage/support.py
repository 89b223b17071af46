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
    code: str  # the programme's code, or the exclusion list's
    programme: str  # its name; for an exclusion list, the list's name and code
    partner: str
    year: int | None
    kind: str  # "commitment", "enrolment" or "exclusion"
    source: str  # "commitment", "enrolment", or the exclusion list's name (screening's words)
    via: int | None  # the duplicate record it was found through, if not the person's own

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def supports(
    *,
    person: Person | None = None,
    organisation: Organisation | None = None,
    codes: list[str] | None = None,
) -> list[Support]:
    """What the person (and their sure duplicates) or the organisation received: commitments,
    then enrolments, then exclusion lists, each once; only the programmes ``codes`` if given.

    Screening (``programmes.applications.prior_support``) and the "already supported?" panel
    both read it, so that they never disagree.
    """
    from essor.funding.models import RESERVING, Commitment
    from essor.programmes.models import Enrollment, ExclusionEntry

    own = person.pk if person is not None else None
    ids = same_person_ids(person) if person is not None else []

    def via(who: int | None) -> int | None:
        return None if who is None or who == own else who

    found: dict[Support, None] = {}  # ordered, each once
    commitments = Commitment.objects.filter(status__in=RESERVING)
    enrolments = Enrollment.objects.all()
    if person is not None:
        commitments = commitments.filter(person__in=ids)
        enrolments = enrolments.filter(application__person__in=ids)
        keys: dict[str, int | None] = {
            cin: pk for pk, cin in Person.objects.filter(pk__in=ids).values_list("pk", "cin") if cin
        }
        entries = ExclusionEntry.objects.filter(cin__in=list(keys))
        key_field = "cin"
    else:
        commitments = commitments.filter(organisation=organisation)
        enrolments = enrolments.filter(application__organisation=organisation)
        ice = organisation.ice if organisation is not None else ""
        keys = {ice: None} if ice else {}
        entries = ExclusionEntry.objects.filter(ice__in=list(keys))
        key_field = "ice"
    if codes is not None:
        commitments = commitments.filter(programme__code__in=codes)
        enrolments = enrolments.filter(application__programme__code__in=codes)
        entries = entries.filter(exclusion_list__programme_code__in=codes)
    for code, title, partner, year, who in commitments.values_list(
        "programme__code",
        "programme__name_fr",
        "holder__acronym",
        "committed_on__year",
        "person_id",
    ):
        found[Support(code, title, partner or "", year, "commitment", "commitment", via(who))] = (
            None
        )
    for code, title, partner, year, who in enrolments.values_list(
        "application__programme__code",
        "application__programme__name_fr",
        "application__programme__operator__acronym",
        "started_on__year",
        "application__person_id",
    ):
        found[Support(code, title, partner or "", year, "enrolment", "enrolment", via(who))] = None
    if keys:
        for code, name, partner, year, key in entries.values_list(
            "exclusion_list__programme_code",
            "exclusion_list__name",
            "exclusion_list__partner__acronym",
            "year",
            key_field,
        ):
            label = f"{name} ({code})"
            support = Support(code, label, partner or "", year, "exclusion", name, via(keys[key]))
            found[support] = None
    return list(found)


def person_supports(person: Person) -> list[Support]:
    return _newest_first(supports(person=person))


def organisation_supports(organisation: Organisation) -> list[Support]:
    return _newest_first(supports(organisation=organisation))


def _newest_first(found: list[Support]) -> list[Support]:
    return sorted(found, key=lambda s: (-(s.year or 0), s.programme, s.kind))
