"""Organisations named in a text: by the gazetteer, by portfolio (ministries), by pronoun-like
words (``le ministère``, ``son département``, ``la Chambre``, ``le Conseil``), by a generic
pattern (``l'Instance marocaine des entreprises (IME)``) and, last, by spaCy's ORG entities.

A mention is only a name at a place in the text; :mod:`.rules` decides which are parties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .gazetteer import (
    CHAMBER_ANAPHOR,
    COUNCIL_ANAPHOR,
    GENERIC_ORG,
    MINISTRY_ACRONYMS,
    MINISTRY_HEAD,
    MINISTRY_STOP,
    NOT_PARTNERS,
    PARTNERS,
    REGION_AS_ACTOR,
    VOCABULARY,
    Org,
)
from .regions import REGION_TAGS, RegionMatch
from .text import Entity, fold

_PREP = r"(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d')"
# A ministry's portfolio: "du Tourisme", ", de l'Artisanat", " et de l'Economie", " sociale"…
_FIRST_STEP = re.compile(rf"\s*{_PREP}([\w-]+)")
_NEXT_STEPS = (
    re.compile(rf",\s*{_PREP}([\w-]+)"),
    re.compile(rf"\s+et\s+{_PREP}([\w-]+)"),
    re.compile(r"\s+(?:et\s+)?([a-zéèêàçô][\w-]*)(?!['\w])"),  # not "et l'Agence"
)
_SON_DEPARTEMENT = re.compile(r"\bson\s+d[ée]partement\b")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    key: str  # the org's key, "ministry", or "name" for organisations not in the list
    name: str  # "" for an anaphor not yet resolved
    acronym: str
    kind: str
    region: str | None = None
    org: Org | None = None
    source: str = "gazetteer"  # gazetteer, ministry, generic, ner, anaphor

    @property
    def penalty(self) -> float:
        """How much less sure a party named this way is."""
        return {"generic": 0.3, "ner": 0.4, "anaphor": 0.05}.get(self.source, 0.0)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class MentionFinder:
    def __init__(
        self, text: str, folded: str, regions: list[RegionMatch], entities: list[Entity]
    ) -> None:
        self.text = text
        self.folded = folded
        self.regions = regions
        self.entities = entities

    def find(self) -> list[Mention]:
        found: list[Mention] = []
        for org in PARTNERS:
            for pattern in org.names:
                for match in re.finditer(pattern, self.folded):
                    found.append(self._org_mention(org, match.start(), match.end(), ""))
            for pattern in org.acronyms:
                for match in re.finditer(pattern, self.text):
                    tag = match.groupdict().get("tag")
                    found.append(
                        self._org_mention(
                            org,
                            match.start(),
                            match.end(),
                            match.group(0),
                            REGION_TAGS.get(tag or ""),
                        )
                    )
        found.extend(self._ministries())
        found = self._merge(found)
        found.extend(self._anaphors(found))
        taken = [(m.start, m.end) for m in found] + [(r.start, r.end) for r in self.regions]
        for match in GENERIC_ORG.finditer(self.text):
            name = re.sub(
                r"\s+(?:et|de|du|des|de la|de l'|d'|pour|pour la|pour le)$", "", match.group("name")
            )
            span = (match.start(), match.start() + len(name))
            if any(overlaps(span, t) for t in taken) or NOT_PARTNERS.match(name):
                continue
            if len(name.split()) < 2:
                continue
            found.append(
                Mention(
                    span[0],
                    match.end() if match.group("acronym") else span[1],
                    "name",
                    name,
                    match.group("acronym") or "",
                    "other",
                    source="generic",
                )
            )
            taken.append(span)
        for entity in self.entities:
            span = (entity.start, entity.end)
            if entity.label != "ORG" or any(overlaps(span, t) for t in taken):
                continue
            name = entity.text.strip()
            if len(name) < 3 or not name[0].isupper() or NOT_PARTNERS.match(name):
                continue
            if any(p.fullmatch(fold(name)) for _k, p in VOCABULARY.groups):
                continue  # "TPE", "ESS": a target group, not an organisation
            found.append(Mention(span[0], span[1], "name", name, "", "other", source="ner"))
            taken.append(span)
        return sorted(found, key=lambda m: m.start)

    def _region_after(self, end: int) -> RegionMatch | None:
        for region in self.regions:
            if end <= region.start <= end + 25:
                gap = self.folded[end : region.start]
                if re.fullmatch(
                    r"[\s,]*(?:de la region|region)?\s*(?:de la |de l'|du |de |d')?\s*", gap
                ):
                    return region
        return None

    def _org_mention(
        self, org: Org, start: int, end: int, written: str, region: str | None = None
    ) -> Mention:
        if org.regional and region is None:
            after = self._region_after(end)
            if after is not None:
                region, end = after.code, after.end
        acronym = written if written and written != org.acronym else org.acronym
        return Mention(start, end, org.key, org.name_fr, acronym, org.kind, region, org)

    def _ministries(self) -> list[Mention]:
        """``ministère du Tourisme, de l'Artisanat et de l'Economie sociale et solidaire``: the
        head, then its complements until a word that ends the name (``pour``, ``qui``…). A bare
        ``le ministère`` is an anaphor."""
        found = []
        for match in MINISTRY_HEAD.finditer(self.text):
            pos, parts = match.end(), list[str]()
            for _step in range(16):  # a portfolio has a few words, never a whole sentence
                steps = _NEXT_STEPS if parts else (_FIRST_STEP,)
                step = next((m for p in steps if (m := p.match(self.text, pos))), None)
                if step is None or step.group(1).lower() in MINISTRY_STOP:
                    break
                parts.append(step.group(0))
                pos = step.end()
            acronym = ""
            paren = re.match(r"\s*\(([A-Z][A-Za-z]{1,10})\)", self.text[pos:])
            if paren:
                acronym = paren.group(1)
            if not parts:
                found.append(
                    Mention(match.start(), pos, "ministry", "", "", "ministry", source="anaphor")
                )
                continue
            charge = " chargé" if match.group("charge") else ""
            name = f"Ministère{charge}{''.join(parts)}"
            name = re.sub(r"\s+", " ", name).strip()
            end = pos + (paren.end() if paren else 0)
            found.append(
                Mention(
                    match.start(), end, "ministry", name, acronym, "ministry", source="ministry"
                )
            )
        for acronym, name in MINISTRY_ACRONYMS.items():
            for match in re.finditer(rf"\b{acronym}\b", self.text):
                found.append(
                    Mention(
                        match.start(),
                        match.end(),
                        "ministry",
                        name,
                        acronym,
                        "ministry",
                        source="ministry",
                    )
                )
        return found

    def _merge(self, found: list[Mention]) -> list[Mention]:
        """Longest mention wins an overlap; ``Name (ACRONYM)`` of one org is one mention."""
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                continue
            last = kept[-1] if kept else None
            if (
                last is not None
                and mention.key == last.key
                and re.fullmatch(r"\s*\(\s*", self.text[last.end : mention.start])
            ):
                closing = re.match(r"\s*\)", self.text[mention.end :])
                end = mention.end + (closing.end() if closing else 0)
                region = last.region or mention.region
                acronym = mention.acronym if mention.acronym else last.acronym
                kept[-1] = replace(last, end=end, region=region, acronym=acronym)
                continue
            kept.append(mention)
        return kept

    def _anaphors(self, found: list[Mention]) -> list[Mention]:
        out = []
        for pattern, kinds in (
            (_SON_DEPARTEMENT, ("ministry",)),
            (CHAMBER_ANAPHOR, ("chamber",)),
            (COUNCIL_ANAPHOR, ("regional_council",)),
        ):
            for match in pattern.finditer(self.text):
                if any(overlaps((match.start(), match.end()), (m.start, m.end)) for m in found):
                    continue
                out.append(
                    Mention(
                        match.start(), match.end(), kinds[0], "", "", kinds[0], source="anaphor"
                    )
                )
        for match in REGION_AS_ACTOR.finditer(self.text):
            if not any(overlaps((match.start(), match.end()), (m.start, m.end)) for m in found):
                council = PARTNERS[0]
                out.append(
                    Mention(
                        match.start(),
                        match.end(),
                        council.key,
                        council.name_fr,
                        "",
                        council.kind,
                        None,
                        council,
                    )
                )
        return out


def resolve(mentions: list[Mention], mention: Mention) -> Mention | None:
    """An anaphor (``le ministère``, ``son département``, ``la Chambre``) as the mention it
    stands for: the last one of its kind before it."""
    if mention.source != "anaphor" or mention.name:
        return mention
    for previous in reversed(mentions):
        if previous.start >= mention.start:
            continue
        if previous.kind == mention.kind and previous.name and previous.source != "anaphor":
            return replace(previous, start=mention.start, end=mention.end, source="anaphor")
    return None


def key_of(mention: Mention, region: str | None) -> str:
    if mention.org is not None:
        if mention.org.regional:
            return f"{mention.key}:{mention.region or region or ''}"
        return mention.key
    core = fold(mention.name)
    core = re.sub(r"\b(?:ministere|charge|de|du|des|la|le|l|d|et)\b|[',]", " ", core)
    return f"{mention.key}:{' '.join(core.split())}"
