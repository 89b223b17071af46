"""The partners essor already has, found for the partners a text names.

A regional body (council, wilaya, chamber, INDH) is found by its kind and region; others by
acronym or by name (the words of the name, folded, nearly the same). A partner not found is
proposed as new: the page shows it as such and the user picks one or keeps it new.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from essor.accounts.models import Partner

from .proposal import ConventionProposal, PartnerProposal
from .text import fold

_STOP = {
    "de",
    "du",
    "des",
    "la",
    "le",
    "les",
    "l",
    "d",
    "et",
    "pour",
    "au",
    "aux",
    "en",
    "a",
    "region",
    "charge",
    "ministere",
    "delegue",
}


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", fold(name)) if w and w not in _STOP}


def _acronym(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(value))


def similarity(a: str, b: str) -> float:
    """Share of common words between two names (Jaccard on folded words, small words out)."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


REGIONAL_KINDS = ("regional_council", "wilaya", "chamber", "indh", "training_institution")
# One of these per region: kind and region are enough when essor has one.
ONE_PER_REGION = ("regional_council", "wilaya", "indh")


def best_partner(proposal: PartnerProposal, partners: Iterable[Partner]) -> Partner | None:
    partners = list(partners)
    if proposal.region_code and proposal.kind in REGIONAL_KINDS:
        same = [
            p
            for p in partners
            if p.kind == proposal.kind
            and p.region is not None
            and p.region.code == proposal.region_code
        ]
        if proposal.key.startswith("ccis:"):
            same = [p for p in same if "commerce" in fold(p.name_fr) or "ccis" in fold(p.acronym)]
            if len(same) == 1:
                return same[0]
        if proposal.kind in ONE_PER_REGION and len(same) == 1:
            return same[0]
        ranked = sorted(same, key=lambda p: -similarity(proposal.name, p.name_fr))
        if ranked and similarity(proposal.name, ranked[0].name_fr) >= 0.5:
            return ranked[0]
    acronym = _acronym(proposal.acronym)
    if acronym:
        for partner in partners:
            if _acronym(partner.acronym) == acronym and (
                partner.region is None
                or proposal.region_code is None
                or partner.region.code == proposal.region_code
            ):
                return partner
    scored = sorted(
        ((similarity(proposal.name, p.name_fr), p) for p in partners), key=lambda s: -s[0]
    )
    if scored and scored[0][0] >= 0.75:
        return scored[0][1]
    return None


def match_partners(proposals: list[ConventionProposal]) -> None:
    """Fill ``partner_id``, ``partner_code`` and ``partner_label`` of every partner proposed."""
    partners = list(Partner.objects.filter(archived_at__isnull=True).select_related("region"))
    for proposal in proposals:
        for item in proposal.partners:
            found = best_partner(item, partners)
            if found is not None:
                item.partner_id, item.partner_code, item.partner_label = (
                    found.pk,
                    found.code,
                    str(found),
                )
