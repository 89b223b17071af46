"""The rules that turn sentences into draft conventions.

1. A sentence **announces** a convention when it names one with an indefinite article (``une
   convention``, ``un contrat programme``, ``un projet de convention``) or for the first time, and
   says it is signed, concluded, approved or the object of the programme (``a été signé``, ``fait
   l'objet d'une convention``, ``se traduit par un projet de convention``). A convention named
   as a frame (``dans le cadre de la convention … entre X et Y``) is somebody else's: neither
   the convention nor its parties are taken.
2. Each announcement starts a draft; the sentences before the first belong to the first. Two
   drafts that do not differ (no other envelope, no other parties) are one convention told twice
   (a headline and its article) and are merged.
3. In a draft's sentences: **partners** are the organisations listed after ``entre``, ``de
   concert avec``, ``en partenariat avec``…, those financing it (``financé par``) and those that
   commit (``X s'engage à``, ``X se charge de``); an organisation merely mentioned is not a party.
   **Amounts** go to the partner next to them; the **envelope** is the amount after
   ``enveloppe``, ``budget``, ``montant global``…; **regions** are those of the announcement, or
   else of the draft; **targets** are counts of projects, people or enterprises; the **period**,
   **target groups**, **services** and the **committee** follow their own patterns.

Every value carries the sentence it came from and a confidence: ``docs/decisions/0016`` gives the
scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from .amounts import Money, find_amounts
from .gazetteer import (
    CHAMBER_ANAPHOR,
    COUNCIL_ANAPHOR,
    GENERIC_ORG,
    MINISTRY_ACRONYMS,
    MINISTRY_HEAD,
    NOT_PARTNERS,
    PARTNERS,
    REGION_AS_ACTOR,
    REGION_IN_NAMES,
    REGION_LABELS,
    REGION_TAGS,
    TARGET_UNITS,
    VOCABULARY,
    Org,
    RegionMatch,
    MINISTRY_STOP,
    find_regions,
)
from .periods import PeriodHit, find_periods
from .proposal import (
    CommitteeProposal,
    ConventionProposal,
    Evidence,
    PartnerProposal,
    Proposed,
    TargetProposal,
)
from .text import Parsed, Sentence, check_readable, clean, fold, parse

# --- Patterns on folded text (lower case, no accents) ----------------------------------------

NOUN = (
    r"(?:conventions?(?:[- ]cadre)?|accords?(?:[- ]cadre)?|contrats?[- ]programmes?"
    r"|protocoles? d'accord|memorandums? d'entente)"
)
INDEFINITE = re.compile(
    rf"\b(?:un|une|d'une|d'un|deux|trois|quatre|plusieurs|nouvelles?|nouveaux?)\s+"
    rf"(?:(?:nouvelle|nouveau|importante?|projet de|premiere?|seconde?)\s+)*(?P<noun>{NOUN})\b"
)
DEFINITE = re.compile(rf"\b(?:la|le|l')\s*(?P<noun>{NOUN})\b")
SIGNAL = re.compile(
    r"\bsigne(?:e|s|es)?\b|\bsignature\b|\bconclue?s?\b|\bapprouvee?s?\b|\badoptee?s?\b"
    r"|\bparaphee?s?\b|\bscellee?s?\b|\bratifiee?s?\b|\bfai(?:t|saient) l'objet\b"
    r"|\bfont l'objet\b|\bse tradui(?:t|sent|ra)\b|\bprojet de convention\b|\bvient d'etre\b"
    r"|\bont procede\b|\ba procede\b|\bl'objet d'une?\b"
)
FRAME = re.compile(
    rf"\b(?:dans le cadre|en application|en vertu|au titre)\s+(?:de la\s+|du\s+|de l'\s*|des\s+|de\s+)"
    rf"{NOUN}"
    r"|\bconformement (?:a la|au|a l')\s*" + NOUN
)
NEGATIVE = re.compile(
    r"\bn'(?:ayant|ont|a|avait|avaient)\s+(?:jamais\s+|pas\s+|encore\s+)*(?:beneficie|ete)\b"
    r"|\baucune?\b"
)
# Words that bring partners in wherever they are said…
STRONG_TRIGGER = re.compile(
    r"\bpartenariat entre\b|\bde concert avec\b|\ben partenariat avec\b|\ben collaboration avec\b"
    r"|\ben association avec\b|\bavec le concours d(?:e|u|es)?\b|\bavec l'appui d(?:e|u|es)?\b"
    r"|\bavec le soutien d(?:e|u|es)?\b|\bavec la participation d(?:e|u|es)?\b"
)
# …and words that do only in a sentence about the convention or the partnership.
LIST_TRIGGER = re.compile(
    r"\bconclue?s? entre\b|\bsignee?s? entre\b|\bentre\b|\bsignee?s? par\b|\bconclue?s? par\b"
    r"|\bconclue?s? avec\b|\bsignee?s? avec\b|\bliant\b|\bpartenaires? :"
)
SYMMETRIC = re.compile(r"avec")
WITH_TRIGGER = re.compile(r"\bavec\b")
FUNDING_TRIGGER = re.compile(
    r"\b(?:co)?financee?s? (?:conjointement |a parts egales |notamment |principalement )?par\b"
    r"|\bavec (?:le|un) financement d(?:e|u|es)?\b|\bcontributions? d(?:e|u|es)?\b"
)
COMMIT = re.compile(
    r"\s*(?:,[^,]{0,40},\s*)?(?:s'engage(?:nt)?|se charg(?:e|ent|era)|contribu(?:e|ent|era)"
    r"|apport(?:e|ent|era)|assur(?:e|ent|era)|mobilis(?:e|ent|era)|financ(?:e|ent|era)"
    r"|prend(?:ra)? en charge|met(?:tra)? a (?:la )?disposition|a pour (?:mission|role)"
    r"|ont pour mission|(?:est|sera) chargee?|particip(?:e|ent|era)|octroi(?:e|era)"
    r"|accord(?:e|era)|allou(?:e|era)|fourni(?:t|ra)|veill(?:e|era)|s'occupe(?:ra)?"
    r"|debloqu(?:e|era)|vers(?:e|era)|va (?:acquerir|mobiliser|financer|contribuer|apporter"
    r"|assurer|mettre)|(?:a|ont) (?:\w+ment )?(?:signe|conclu|approuve|paraphe))\b"
)
# A partner that pledges (not one that signs or approves): the subject of an amount.
PLEDGE = re.compile(
    r"\s*(?:,[^,]{0,40},\s*)?(?:s'engage(?:nt)?|contribu(?:e|ent|era)|apport(?:e|ent|era)"
    r"|mobilis(?:e|ent|era)|financ(?:e|ent|era)|prend(?:ra)? en charge|particip(?:e|ent|era)"
    r"|octroi(?:e|era)|accord(?:e|era)|allou(?:e|era)|debloqu(?:e|era)|vers(?:e|era)"
    r"|va (?:mobiliser|financer|contribuer|apporter))\b"
)
TOTAL = re.compile(r"\s*(?:\([^)]*\))?\s*,?\s*dont\b")
GAP_CONNECTOR = re.compile(
    r"^\s*(?:(?:et|ainsi que|ainsi qu'|ou)\s*)?(?:(?:le|la|les|l'|du|de la|des|de l'|de|d'|au|aux)"
    r"\s*)?$"
)
GAP_PARTICIPANT = re.compile(r"^\s*(?:les|la|le|l'|des|ses|son|sa|leurs?)\s*[\w' -]{2,40}$")
GAP_STOP = re.compile(
    r"\b(?:que|qui|dont|pour|afin|visant|vise|a|ont|est|sont|sera|va|vont|se|s'|n'|ne|dans|sur"
    r"|en|selon|apres|avant)\b"
)
ROLE_WORDS = {
    "funder": re.compile(
        r"financ|enveloppe|soutien financier|ressources financieres|contribution financiere"
        r"|budget|\bmdh\b|dirhams|\bdh\b"
    ),
    "trainer": re.compile(r"formation|\bformer\b|encadrement|accompagnement|accompagner|coaching"),
    "host": re.compile(r"mise en place des espaces|accueillir|\blocaux\b|\bespaces\b|heberg"),
    "implementer": re.compile(r"mise en oeuvre|mettre en oeuvre|\bexecut"),
}
ENVELOPE_CUE = re.compile(
    r"enveloppe|budget|cout (?:global|total)|montant (?:global|total)"
    r"|d'un (?:montant|cout|budget|investissement)|dotation|investissement (?:global|total)"
    r"|somme globale|financement global|pour un (?:montant|cout)|d'une valeur"
)
AMOUNT_TO = re.compile(
    r"^\s*[(,:]?\s*(?:apportee?s? |financee?s? |versee?s? |mobilisee?s? |accordee?s? )?"
    r"(?:par|de la part d(?:e|u|es)?|du|de la|de l'|des|pour|a la charge d(?:e|u|es)?)\s*"
    r"(?:le |la |l'|les )?$"
)
AMOUNT_FROM = re.compile(
    r"^\s*[(:,]?\s*(?:(?:contribue(?:ra)?|participe(?:ra)?|apporte(?:ra)?|versera|mobilisera"
    r"|allouera|accorde(?:ra)?|s'engage a (?:verser|mobiliser|apporter))\s+)?"
    r"(?:a hauteur de|pour|avec|de|d'un montant de|:)?\s*(?:une (?:enveloppe|contribution|somme"
    r"|dotation)(?: budgetaire| financiere)? (?:de |d'))?$"
)
PURPOSE = re.compile(
    rf"(?P<noun>(?:projet de )?{NOUN})(?:\s+de\s+partenariat)?(?:\s*\([^)]*\))?\s*,?\s*"
    r"(?:qui\s+)?(?:destinee?s?\s+a|visant\s+a|vise\s+a|relative?s?\s+a|portant\s+sur"
    r"|en faveur d(?:e|u|es)|ayant pour objet|a pour objet|pour (?!la periode|une duree"
    r"|une periode|un montant|un cout))\s*(?P<p>[^.;]{10,600})"
)
AIM = re.compile(
    r"\b(?:vise (?:egalement |notamment )?a|a pour objectifs? (?:de|d')|ambitionne de"
    r"|a pour objet (?:de|d'))\s*(?P<p>[^.;]{10,600})"
)
PURPOSE_END = re.compile(
    r",\s+(?:a ete|ont|sera|seront|est|sont|vise|qui)\b|\s+a ete\b|\s+et dans le cadre\b"
    r"|\s+dans le cadre\b"
)
COMMITTEE = re.compile(
    r"\bcomite (?:de suivi|de pilotage|technique|directeur|mixte|de coordination|de gestion"
    r"|regional de suivi)\b|\bcomite\b"
)
CHAIR = re.compile(
    r"\b(?:presidee?s?|copresidee?s?) par\s+(?:le |la |l'|les )?(?P<chair>[^,.;()]{3,80}?)"
    r"(?=\s+et\s|\s+avec\s|,|\.|;|$)"
    r"|\bsous la presidence d(?:u|e la|e l'|e)\s*(?P<chair2>[^,.;()]{3,80}?)(?=\s+et\s|,|\.|;|$)"
)
MANDATE = re.compile(r"\b(?:sera|est|seront|sont) chargee?s? (?:de |d')(?P<m>[^.;]{5,400})")
TARGET_QUALIFIER = re.compile(
    r"(?:plus de|pas moins de|au moins|pres de|pres d'|environ|quelque|jusqu'a|un total de"
    r"|au total|au profit de|a)\s*$"
)
AGES = re.compile(
    r"\s*,?\s*(?:ages?|agees?)\s+(?:de|entre)\s+(?P<a>\d{1,2})\s+(?:a|et)\s+(?P<b>\d{1,2})\s+ans"
)
PERCENT = re.compile(r"(?P<n>\d{1,3}(?:,\d+)?)\s?%\s+(?:de |des |d')?(?P<who>femmes|jeunes)")
UNIT = re.compile(
    r"\s+(?:de\s+|d')?(?:"
    + "|".join(f"(?P<u{i}>{p})" for i, (p, _k) in enumerate(TARGET_UNITS))
    + r")\b"
)
HEADLINE_JUNK = re.compile(r"^\s*(?:date\b|le \d|\d|www\.|source\b|par\s)", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    key: str  # the org's key, "ministry", "name" for organisations not in the list
    name: str
    acronym: str
    kind: str
    region: str | None = None
    org: Org | None = None
    source: str = "gazetteer"  # gazetteer, ministry, generic, ner, anaphor
    refers_to: int | None = None  # an anaphor: the start of the mention it stands for

    @property
    def penalty(self) -> float:
        return {"generic": 0.3, "ner": 0.4, "anaphor": 0.05}.get(self.source, 0.0)


@dataclass
class Accepted:
    mention: Mention
    sentence: Sentence
    confidence: float
    roles: set[str]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


class Reader:
    """One text, read once: mentions, amounts, regions and periods over the whole text."""

    def __init__(self, parsed: Parsed) -> None:
        self.text = parsed.text
        self.folded = fold(parsed.text)
        self.sentences = parsed.sentences
        self.entities = parsed.entities
        self.regions = find_regions(self.text, self.folded)
        self.amounts = find_amounts(self.text)
        self.excluded = self._excluded()
        self.mentions = self._mentions()
        self.periods = {s.index: find_periods(s.text) for s in self.sentences}

    # --- Spans that do not speak of this convention ----------------------------------------

    def _excluded(self) -> list[tuple[int, int]]:
        spans = []
        for sentence in self.sentences:
            folded = self.folded[sentence.start : sentence.end]
            for pattern in (FRAME, NEGATIVE):
                for match in pattern.finditer(folded):
                    spans.append((sentence.start + match.start(), sentence.end))
        return spans

    def is_excluded(self, start: int, end: int | None = None) -> bool:
        return any(_overlaps((start, end or start + 1), span) for span in self.excluded)

    # --- Mentions of organisations ----------------------------------------------------------

    def _region_after(self, end: int) -> RegionMatch | None:
        for region in self.regions:
            if end <= region.start <= end + 25:
                gap = self.folded[end : region.start]
                if re.fullmatch(
                    r"[\s,]*(?:de la region|region)?\s*(?:de la |de l'|du |de |d')?\s*", gap
                ):
                    return region
        return None

    def _mentions(self) -> list[Mention]:
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
            if any(_overlaps(span, t) for t in taken) or NOT_PARTNERS.match(name):
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
            if entity.label != "ORG" or any(_overlaps(span, t) for t in taken):
                continue
            name = entity.text.strip()
            if len(name) < 3 or not name[0].isupper() or NOT_PARTNERS.match(name):
                continue
            if any(p.fullmatch(fold(name)) for _k, p in VOCABULARY.groups):
                continue  # "TPE", "ESS": a target group, not an organisation
            found.append(Mention(span[0], span[1], "name", name, "", "other", source="ner"))
            taken.append(span)
        return sorted(found, key=lambda m: m.start)

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
        found = []
        for match in MINISTRY_HEAD.finditer(self.text):
            pos, parts = match.end(), []
            for _step in range(16):
                rest = self.text[pos:]
                step = re.match(r"\s*(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d')([\w-]+)", rest)
                if not parts and step and step.group(1).lower() not in MINISTRY_STOP:
                    pass
                elif parts:
                    step = (
                        re.match(r",\s*(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d')([\w-]+)", rest)
                        or re.match(
                            r"\s+et\s+(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|d')([\w-]+)", rest
                        )
                        or re.match(r"\s+(?:et\s+)?([a-zéèêàçô][\w-]*)", rest)
                    )
                    if step and step.group(1).lower() in MINISTRY_STOP:
                        step = None
                else:
                    step = None
                if step is None:
                    break
                parts.append(step.group(0))
                pos += step.end()
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
            (re.compile(r"\bson\s+d[ée]partement\b"), ("ministry",)),
            (CHAMBER_ANAPHOR, ("chamber",)),
            (COUNCIL_ANAPHOR, ("regional_council",)),
        ):
            for match in pattern.finditer(self.text):
                if any(_overlaps((match.start(), match.end()), (m.start, m.end)) for m in found):
                    continue
                out.append(
                    Mention(
                        match.start(), match.end(), kinds[0], "", "", kinds[0], source="anaphor"
                    )
                )
        for match in REGION_AS_ACTOR.finditer(self.text):
            if not any(_overlaps((match.start(), match.end()), (m.start, m.end)) for m in found):
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

    def resolve(self, mention: Mention) -> Mention | None:
        """An anaphor (``le ministère``, ``son département``, ``la Chambre``) as the mention it
        stands for: the last one of its kind before it."""
        if mention.source != "anaphor" or mention.name:
            return mention
        for previous in reversed(self.mentions):
            if previous.start >= mention.start:
                continue
            if previous.kind == mention.kind and previous.name and previous.source != "anaphor":
                return replace(previous, start=mention.start, end=mention.end, source="anaphor")
        return None

    # --- Announcements and drafts -----------------------------------------------------------

    def announcement(self, sentence: Sentence, first: bool) -> str | None:
        """The kind of convention ``sentence`` announces, or ``None``."""
        folded = self.folded[sentence.start : sentence.end]
        signals = [
            m for m in SIGNAL.finditer(folded) if not self.is_excluded(sentence.start + m.start())
        ]
        if not signals:
            return None
        for pattern in (INDEFINITE,) if not first else (INDEFINITE, DEFINITE):
            for match in pattern.finditer(folded):
                if self.is_excluded(sentence.start + match.start("noun")):
                    continue
                return "programme_contract" if "contrat" in match.group("noun") else "partnership"
        return None

    def drafts(self) -> list[ConventionProposal]:
        starts: list[tuple[int, str]] = []
        for sentence in self.sentences:
            kind = self.announcement(sentence, first=not starts)
            if kind:
                starts.append((sentence.index, kind))
        if not starts:
            return []
        ranges = []
        for i, (index, kind) in enumerate(starts):
            begin = 0 if i == 0 else index
            end = starts[i + 1][0] if i + 1 < len(starts) else len(self.sentences)
            ranges.append((begin, end, index, kind))
        merged: list[tuple[int, int, int, str]] = []
        proposals: list[ConventionProposal] = []
        for begin, end, index, kind in ranges:
            proposal = self.draft(begin, end, index, kind)
            if merged and not self._differs(proposals[-1], proposal):
                b0, _e0, i0, k0 = merged[-1]
                merged[-1] = (b0, end, i0, k0)
                proposals[-1] = self.draft(b0, end, i0, k0)
                continue
            merged.append((begin, end, index, kind))
            proposals.append(proposal)
        return proposals

    @staticmethod
    def _differs(a: ConventionProposal, b: ConventionProposal) -> bool:
        if a.envelope and b.envelope and a.envelope.value != b.envelope.value:
            return True
        keys_a = {p.key for p in a.partners}
        keys_b = {p.key for p in b.partners}
        return bool(keys_b - keys_a) and bool(keys_a)

    def draft(self, begin: int, end: int, index: int, kind: str) -> ConventionProposal:
        sentences = self.sentences[begin:end]
        announcement = self.sentences[index]
        regions = self._regions(sentences, announcement)
        region = regions[0].value if regions else None
        partners = self._partners(sentences, announcement, region)
        envelope = self._envelope(sentences, announcement, partners)
        title, objectives = self._title(announcement, kind, region)
        proposal = ConventionProposal(
            title=title,
            kind=kind,
            objectives=objectives,
            envelope=envelope,
            regions=regions,
            partners=partners,
            targets=self._targets(sentences),
            target_groups=self._vocabulary(sentences, announcement, VOCABULARY.groups),
            services=self._services(sentences, announcement),
            committee=self._committee(sentences),
            announcement=Evidence.of(announcement),
        )
        self._period(proposal, sentences, announcement)
        return proposal

    # --- Fields -----------------------------------------------------------------------------

    def _regions(self, sentences: list[Sentence], announcement: Sentence) -> list[Proposed[str]]:
        def inside(sentence: Sentence) -> list[RegionMatch]:
            return [
                r
                for r in self.regions
                if sentence.start <= r.start < sentence.end and not self.is_excluded(r.start)
            ]

        found = [(announcement, r, r.confidence) for r in inside(announcement)]
        if not found:
            found = [(s, r, round(r.confidence - 0.1, 2)) for s in sentences for r in inside(s)]
        if not found:  # a second convention in minutes: the region of the whole text
            found = [
                (s, r, round(r.confidence - 0.2, 2)) for s in self.sentences for r in inside(s)
            ][:1]
        out: dict[str, Proposed[str]] = {}
        for sentence, region, confidence in found:
            if region.code not in out:
                out[region.code] = Proposed(
                    region.code,
                    confidence,
                    Evidence.of(sentence, (region.start, region.end)),
                    region.note,
                )
        return list(out.values())

    def _in(self, sentence: Sentence) -> list[Mention]:
        return [
            m
            for m in self.mentions
            if sentence.start <= m.start < sentence.end and not self.is_excluded(m.start, m.end)
        ]

    def _gap_ok(self, start: int, end: int) -> bool:
        gap = self.folded[start:end]
        if GAP_CONNECTOR.match(gap):
            return True
        pieces = re.split(r",|\bet\b|\bainsi que\b", gap)
        for piece in pieces:
            if not piece.strip() or GAP_CONNECTOR.match(piece):
                continue
            if not GAP_PARTICIPANT.match(piece) or GAP_STOP.search(piece):
                return False
            if len(piece.split()) > 5:
                return False
        return True

    def _list_after(self, mentions: list[Mention], pos: int) -> list[Mention]:
        out = []
        for mention in mentions:
            if mention.start < pos:
                continue
            if not self._gap_ok(pos, mention.start):
                break
            out.append(mention)
            pos = mention.end
        return out

    def _list_before(self, mentions: list[Mention], pos: int) -> list[Mention]:
        out = []
        for mention in reversed(mentions):
            if mention.end > pos:
                continue
            if not self._gap_ok(mention.end, pos):
                break
            out.append(mention)
            pos = mention.start
        return out

    def _clause(self, mention: Mention, sentence: Sentence, mentions: list[Mention]) -> str:
        following = [m.start for m in mentions if m.start > mention.start]
        end = min(following) if following else sentence.end
        clause = self.folded[mention.end : end]
        return re.split(r"\balors que\b|\btandis que\b|;", clause)[0]

    def _partners(
        self, sentences: list[Sentence], announcement: Sentence, region: str | None
    ) -> list[PartnerProposal]:
        accepted: list[Accepted] = []
        for sentence in sentences:
            mentions = self._in(sentence)
            if not mentions:
                continue
            folded = self.folded[sentence.start : sentence.end]
            is_announcing = sentence.index == announcement.index or self.announcement(
                sentence, first=False
            )
            about_convention = bool(re.search(rf"{NOUN}|partenariat|partenaires", folded))
            base = 0.9 if sentence.index == announcement.index else 0.85
            triggers = list(STRONG_TRIGGER.finditer(folded))
            if about_convention:
                triggers += list(LIST_TRIGGER.finditer(folded))
            if is_announcing:
                triggers += list(WITH_TRIGGER.finditer(folded))
            for trigger in triggers:
                at = sentence.start + trigger.start()
                if self.is_excluded(at):
                    continue
                listed = self._list_after(mentions, sentence.start + trigger.end())
                if SYMMETRIC.search(trigger.group(0)):
                    listed += self._list_before(mentions, at)
                accepted += [Accepted(m, sentence, base, set()) for m in listed]
            for trigger in FUNDING_TRIGGER.finditer(folded):
                if self.is_excluded(sentence.start + trigger.start()):
                    continue
                listed = self._list_after(mentions, sentence.start + trigger.end())
                accepted += [Accepted(m, sentence, 0.85, {"funder"}) for m in listed]
            for mention in mentions:
                commit = COMMIT.match(self.folded, mention.end)
                if commit and commit.end() <= sentence.end:
                    clause = self._clause(mention, sentence, mentions)
                    roles = {role for role, p in ROLE_WORDS.items() if p.search(clause)}
                    listed = [mention, *self._list_before(mentions, mention.start)]
                    accepted += [Accepted(m, sentence, 0.85, roles) for m in listed]
        partners: dict[str, PartnerProposal] = {}
        for item in accepted:
            mention = self.resolve(item.mention)
            if mention is None or not mention.name:
                continue
            proposal = self._partner(mention, item, region)
            existing = partners.get(proposal.key)
            if existing is None:
                partners[proposal.key] = proposal
            else:
                existing.roles = sorted(set(existing.roles) | set(proposal.roles))
                existing.confidence = max(existing.confidence, proposal.confidence)
        ordered = sorted(partners.values(), key=lambda p: self._first_position(p, accepted, region))
        self._amounts_to_partners(sentences, ordered, region)
        return ordered

    def _first_position(
        self, proposal: PartnerProposal, accepted: list[Accepted], region: str | None
    ) -> int:
        for item in accepted:
            mention = self.resolve(item.mention)
            if mention and mention.name and self._key(mention, region) == proposal.key:
                return mention.start
        return len(self.text)

    @staticmethod
    def _key(mention: Mention, region: str | None) -> str:
        if mention.org is not None:
            if mention.org.regional:
                return f"{mention.key}:{mention.region or region or ''}"
            return mention.key
        core = fold(mention.name)
        core = re.sub(r"\b(?:ministere|charge|de|du|des|la|le|l|d|et)\b|[',]", " ", core)
        return f"{mention.key}:{' '.join(core.split())}"

    def _partner(self, mention: Mention, item: Accepted, region: str | None) -> PartnerProposal:
        org = mention.org
        where = mention.region or (region if org is not None and org.regional else None)
        name = mention.name
        if org is not None and org.regional_name and where:
            name = org.regional_name.format(region=REGION_IN_NAMES[where])
        return PartnerProposal(
            key=self._key(mention, region),
            name=name,
            acronym=mention.acronym,
            kind=mention.kind,
            confidence=round(max(item.confidence - mention.penalty, 0.1), 2),
            evidence=Evidence.of(item.sentence, (mention.start, mention.end)),
            region_code=where,
            roles=sorted(item.roles),
        )

    def _amounts_to_partners(
        self, sentences: list[Sentence], partners: list[PartnerProposal], region: str | None
    ) -> None:
        """An amount goes to the partner written next to it (``8 MDH à la charge du Conseil``,
        ``l'ANAPEC contribue à hauteur de 4 MDH``); failing that, to the one partner that pledges
        in the sentence (``la région s'engage à mobiliser 25 MDH``). A total (``12 MDH, dont``)
        is nobody's."""
        by_key = {p.key: p for p in partners}
        pending: list[tuple[Sentence, Money, list[Mention]]] = []
        for sentence in sentences:
            mentions = [m for m in (self.resolve(m) for m in self._in(sentence)) if m and m.name]
            mentions = [m for m in mentions if self._key(m, region) in by_key]
            for amount in self.amounts:
                if not sentence.start <= amount.start < sentence.end or self.is_excluded(
                    amount.start
                ):
                    continue
                after = [m for m in mentions if m.start >= amount.end]
                before = [m for m in mentions if m.end <= amount.start]
                owner = None
                if after and AMOUNT_TO.match(self.folded[amount.end : after[0].start]):
                    owner = after[0]
                elif before and AMOUNT_FROM.match(self.folded[before[-1].end : amount.start]):
                    owner = before[-1]
                if owner is None or not self._give(by_key, owner, region, sentence, amount):
                    pending.append((sentence, amount, before))
        for sentence, amount, before in pending:
            if TOTAL.match(self.folded, amount.end):
                continue
            subjects = [m for m in before if PLEDGE.match(self.folded, m.end)]
            if len(subjects) == 1:
                clause = self.folded[subjects[0].end : amount.start]
                if not re.search(r"\balors que\b|\btandis que\b|;", clause):
                    self._give(by_key, subjects[0], region, sentence, amount)

    def _give(
        self,
        by_key: dict[str, PartnerProposal],
        owner: Mention,
        region: str | None,
        sentence: Sentence,
        amount: Money,
    ) -> bool:
        partner = by_key[self._key(owner, region)]
        if partner.amount_mad is not None:
            return False
        partner.amount_mad = amount.mad
        partner.amount_evidence = Evidence.of(
            sentence, (owner.start, owner.end), (amount.start, amount.end)
        )
        partner.amount_note = amount.note
        partner.roles = sorted({*partner.roles, "funder"})
        return True

    def _envelope(
        self,
        sentences: list[Sentence],
        announcement: Sentence,
        partners: list[PartnerProposal],
    ) -> Proposed[Decimal] | None:
        candidates: list[tuple[Sentence, Money]] = []
        every: list[tuple[Sentence, Money]] = []
        for sentence in sentences:
            for amount in self.amounts:
                if not sentence.start <= amount.start < sentence.end or self.is_excluded(
                    amount.start
                ):
                    continue
                every.append((sentence, amount))
                before = self.folded[max(sentence.start, amount.start - 80) : amount.start]
                if ENVELOPE_CUE.search(before):
                    candidates.append((sentence, amount))
        chosen = next((c for c in candidates if c[0].index == announcement.index), None)
        chosen = chosen or (candidates[0] if candidates else None)
        if chosen:
            sentence, amount = chosen
            return Proposed(
                amount.mad,
                amount.confidence,
                Evidence.of(sentence, (amount.start, amount.end)),
                amount.note,
            )
        pledged = [p for p in partners if p.amount_mad is not None]
        if len(pledged) >= 2:
            total = sum((p.amount_mad for p in pledged if p.amount_mad is not None), Decimal(0))
            first = pledged[0].amount_evidence
            return Proposed(total, 0.5, first, "sum of the partners' amounts")
        if len(every) == 1:
            sentence, amount = every[0]
            return Proposed(
                amount.mad,
                round(amount.confidence - 0.3, 2),
                Evidence.of(sentence, (amount.start, amount.end)),
                amount.note,
            )
        return None

    def _period(
        self, proposal: ConventionProposal, sentences: list[Sentence], announcement: Sentence
    ) -> None:
        ordered = [announcement] + [s for s in sentences if s.index != announcement.index]
        hits: dict[str, tuple[Sentence, PeriodHit]] = {}
        for sentence in ordered:
            for hit in self.periods.get(sentence.index, []):
                if self.is_excluded(sentence.start + hit.start):
                    continue
                key = "span" if hit.kind in ("range", "dates", "year") else hit.kind
                hits.setdefault(key, (sentence, hit))

        def proposed(
            value: int, item: tuple[Sentence, PeriodHit], confidence: float, note: str = ""
        ) -> Proposed[int]:
            sentence, hit = item
            evidence = Evidence.of(sentence, (sentence.start + hit.start, sentence.start + hit.end))
            return Proposed(value, confidence, evidence, note)

        span = hits.get("span")
        duration = hits.get("duration")
        if span:
            sentence, hit = span
            confidence = 0.9 if sentence.index == announcement.index else 0.8
            assert hit.a is not None and hit.b is not None
            proposal.start_year = proposed(hit.a, span, confidence)
            proposal.end_year = proposed(hit.b, span, confidence)
            if not duration:
                proposal.duration_years = proposed(hit.b - hit.a + 1, span, confidence)
            proposal.start_on, proposal.end_on = hit.on, hit.until
        else:
            if hits.get("from"):
                proposal.start_year = proposed(hits["from"][1].a or 0, hits["from"], 0.8)
            if hits.get("to"):
                proposal.end_year = proposed(hits["to"][1].a or 0, hits["to"], 0.8)
        if duration:
            years = duration[1].a or 0
            proposal.duration_years = proposed(years, duration, 0.85)
            if proposal.start_year and not proposal.end_year:
                proposal.end_year = proposed(
                    proposal.start_year.value + years - 1, duration, 0.6, "start year + duration"
                )
            elif proposal.end_year and not proposal.start_year:
                proposal.start_year = proposed(
                    proposal.end_year.value - years + 1, duration, 0.6, "end year − duration"
                )
        signed = hits.get("signed")
        if signed and signed[1].on:
            sentence, hit = signed
            proposal.signed_on = Proposed(
                hit.on,
                0.85,
                Evidence.of(sentence, (sentence.start + hit.start, sentence.start + hit.end)),
            )

    def _targets(self, sentences: list[Sentence]) -> list[TargetProposal]:
        from .amounts import NUMBER, parse_number

        out: list[TargetProposal] = []
        seen: set[tuple[Decimal, str]] = set()
        taken = [(a.start, a.end) for a in self.amounts] + [(m.start, m.end) for m in self.mentions]
        for sentence in sentences:
            text = self.text[sentence.start : sentence.end]
            folded = self.folded[sentence.start : sentence.end]
            periods = [(h.start, h.end) for h in self.periods.get(sentence.index, [])]
            for number in NUMBER.finditer(text):
                at = (sentence.start + number.start(), sentence.start + number.end())
                if number.group(0).lower() in ("un", "une"):
                    continue
                if any(_overlaps(at, t) for t in taken) or any(
                    _overlaps((number.start(), number.end()), p) for p in periods
                ):
                    continue
                if self.is_excluded(at[0]):
                    continue
                unit = UNIT.match(folded, number.end())
                if unit is None:
                    continue
                group = next(k for k, v in unit.groupdict().items() if v)
                family = TARGET_UNITS[int(group[1:])][1]
                try:
                    value = parse_number(number.group(0))
                except ValueError:
                    continue
                if value < 2 or value != value.to_integral_value():
                    continue
                begin = number.start()
                qualifier = TARGET_QUALIFIER.search(folded[max(0, begin - 25) : begin])
                if qualifier and qualifier.group(0).strip() not in ("a", "au profit de"):
                    begin = begin - len(qualifier.group(0))
                end = unit.end()
                ages = AGES.match(folded, end)
                if ages:
                    end = ages.end()
                context = folded[max(0, number.start() - 40) : min(len(folded), end + 40)]
                indicator = _indicator(family, context)
                unit_text = text[unit.start(group) : unit.end(group)]
                if (value, unit_text) in seen:
                    continue
                seen.add((value, unit_text))
                out.append(
                    TargetProposal(
                        value=value,
                        unit=unit_text,
                        text=text[begin:end],
                        indicator=indicator,
                        confidence=0.8 if family != "other" else 0.7,
                        evidence=Evidence.of(
                            sentence, (sentence.start + begin, sentence.start + end)
                        ),
                        age_min=int(ages.group("a")) if ages else None,
                        age_max=int(ages.group("b")) if ages else None,
                    )
                )
            for match in PERCENT.finditer(folded):
                if self.is_excluded(sentence.start + match.start()):
                    continue
                value = Decimal(match.group("n").replace(",", "."))
                indicator = "women_share" if match.group("who") == "femmes" else "young_share"
                out.append(
                    TargetProposal(
                        value=value,
                        unit="%",
                        text=text[match.start() : match.end()],
                        indicator=indicator,
                        confidence=0.75,
                        evidence=Evidence.of(
                            sentence, (sentence.start + match.start(), sentence.start + match.end())
                        ),
                    )
                )
        return out

    def _vocabulary(
        self,
        sentences: list[Sentence],
        announcement: Sentence,
        vocabulary: list[tuple[str, re.Pattern[str]]],
        skip: dict[str, re.Pattern[str]] | None = None,
    ) -> list[Proposed[str]]:
        names = [(m.start, m.end) for m in self.mentions if m.source != "anaphor"]
        found: dict[str, Proposed[str]] = {}
        for sentence in sentences:
            folded = self.folded[sentence.start : sentence.end]
            for key, pattern in vocabulary:
                if key in found:
                    continue
                if skip and key in skip and skip[key].search(folded):
                    continue
                for match in pattern.finditer(folded):
                    at = (sentence.start + match.start(), sentence.start + match.end())
                    if any(_overlaps(at, n) for n in names):
                        continue
                    confidence = 0.8 if sentence.index == announcement.index else 0.7
                    found[key] = Proposed(key, confidence, Evidence.of(sentence, at))
                    break
        order = [key for key, _p in vocabulary]
        return sorted(found.values(), key=lambda p: order.index(p.value))

    def _services(self, sentences: list[Sentence], announcement: Sentence) -> list[Proposed[str]]:
        # A bus "qui servira de maison des TPE" is the mobile unit, not a fixed maison.
        skip = {"maison_des_tpe": re.compile(r"\bbus\b|\bunite mobile\b")}
        return self._vocabulary(sentences, announcement, VOCABULARY.services, skip)

    def _committee(self, sentences: list[Sentence]) -> Proposed[CommitteeProposal] | None:
        names = [(m.start, m.end) for m in self.mentions]
        name = ""
        for sentence in sentences:
            folded = self.folded[sentence.start : sentence.end]
            committee = None
            for match in COMMITTEE.finditer(folded):
                at = (sentence.start + match.start(), sentence.start + match.end())
                if not any(_overlaps(at, n) for n in names):
                    committee = match
                    break
            if committee is None:
                continue
            raw = self.text[sentence.start + committee.start() : sentence.start + committee.end()]
            if raw.lower() != "comité" and raw.lower() != "comite":
                name = name or raw[0].upper() + raw[1:]
            chair = CHAIR.search(folded)
            mandate = MANDATE.search(folded)
            if not chair and not mandate:
                continue
            spans = [(sentence.start + committee.start(), sentence.start + committee.end())]
            chair_text = ""
            if chair:
                group = "chair" if chair.group("chair") else "chair2"
                a, b = chair.start(group), chair.end(group)
                chair_text = self.text[sentence.start + a : sentence.start + b].strip()
                chair_text = chair_text[0].upper() + chair_text[1:]
                spans.append((sentence.start + a, sentence.start + b))
            mandate_text = ""
            if mandate:
                mandate_text = self.text[
                    sentence.start + mandate.start("m") : sentence.start + mandate.end("m")
                ].strip()
            return Proposed(
                CommitteeProposal(name or "Comité de suivi", chair_text, mandate_text),
                0.85 if chair else 0.7,
                Evidence.of(sentence, *spans),
            )
        return None

    def _title(
        self, announcement: Sentence, kind: str, region: str | None
    ) -> tuple[Proposed[str], Proposed[str] | None]:
        folded = self.folded[announcement.start : announcement.end]
        text = self.text[announcement.start : announcement.end]
        objectives = None
        purpose = PURPOSE.search(folded)
        aim = purpose if purpose else AIM.search(folded)
        if aim:
            body = aim.group("p")
            cut = PURPOSE_END.search(body)
            length = cut.start() if cut else len(body)
            a = aim.start("p")
            value = text[a : a + length].strip(" ,")
            if value:
                objectives = Proposed(
                    value[0].upper() + value[1:],
                    0.7,
                    Evidence.of(
                        announcement, (announcement.start + a, announcement.start + a + length)
                    ),
                )
        if purpose:
            start = purpose.start("noun")
            if folded[start:].startswith("projet de "):
                start += len("projet de ")
            end = purpose.start("p") + len(purpose.group("p"))
            stop = re.search(
                r",|\s+et dans le cadre\b|\s+dans le cadre\b|\s+a ete\b",
                folded[purpose.start("p") : end],
            )
            if stop:
                end = purpose.start("p") + stop.start()
            title = text[start:end].strip(" ,")
            if len(title) > 200:
                title = title[:200].rsplit(" ", 1)[0]
            title = title[0].upper() + title[1:]
            return (
                Proposed(
                    title,
                    0.7,
                    Evidence.of(
                        announcement, (announcement.start + start, announcement.start + end)
                    ),
                ),
                objectives,
            )
        headline = self._headline()
        if headline is not None:
            return Proposed(
                headline.text, 0.5, Evidence.of(headline, (headline.start, headline.end))
            ), objectives
        label = "Contrat-programme" if kind == "programme_contract" else "Convention de partenariat"
        if region:
            label = f"{label} — {REGION_LABELS[region]}"
        return Proposed(label, 0.3, Evidence.of(announcement)), objectives

    def _headline(self) -> Sentence | None:
        first_line = self.text.split("\n", 1)[0].strip()
        if not first_line or len(first_line) > 150 or first_line.endswith("."):
            return None
        if len(first_line.split()) < 3 or HEADLINE_JUNK.match(first_line):
            return None
        start = self.text.find(first_line)
        return Sentence(-1, start, start + len(first_line), first_line)


def _indicator(family: str, context: str) -> str:
    trained = re.search(r"\bform(?:er|es|ees|ation)\b", context)
    coached = re.search(r"accompagn|encadr", context)
    created = re.search(r"\bcre(?:er|es|ees|ation)\b|a creer", context)
    if family == "holders" or family == "other":
        if trained:
            return "holders_trained"
        if coached:
            return "holders_coached"
        return "other"
    if family == "enterprises":
        return "enterprises_created" if created else "other"
    return family


def extract(text: str) -> list[ConventionProposal]:
    """One draft per convention that ``text`` announces (``[]`` when it announces none).

    Raises :class:`ExtractionError` for a text that cannot be read (empty, Arabic, too long).
    """
    check_readable(text)
    cleaned = clean(text)
    check_readable(cleaned)
    return Reader(parse(cleaned)).drafts()
