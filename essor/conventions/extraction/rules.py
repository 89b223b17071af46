"""The rules that turn sentences into draft conventions.

1. A sentence **announces** a convention when it names one with an indefinite article (``une
   convention``, ``un contrat programme``, ``un projet de convention``) or for the first time, and
   says it is signed, concluded, approved or the object of the programme (``a été signé``, ``fait
   l'objet d'une convention``, ``se traduit par un projet de convention``). A convention named
   as a frame (``dans le cadre de la convention … entre X et Y``, ``Vu la convention…``) or
   recalled (``la convention signée en 2021 … a permis``) is somebody else's. A convention's own
   text (``la présente convention``) announces itself.
2. Each announcement starts a draft; the sentences before the first belong to the first. Two
   drafts that do not differ (no other envelope, no other parties) are one convention told twice
   (a headline and its article) and are merged. Minutes that approve "deux conventions" and then
   tell "la première…", "la seconde…" give one draft each, sharing the approving sentence.
3. In a draft's sentences: **partners** and their amounts are found by :mod:`.parties`; the
   **envelope** is the amount after ``enveloppe``, ``budget``, ``montant global``…; **regions**
   are those of the announcement, or else of the draft; **targets** are counts of projects,
   people or enterprises; the **period**, **target groups**, **services** and the **committee**
   follow their own patterns (:mod:`.fields`).

Every value carries the sentence it came from and a confidence: ``docs/decisions/0016`` gives the
scale.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from decimal import Decimal

from . import fields
from .amounts import Money, find_amounts
from .gazetteer import VOCABULARY
from .mentions import Mention, MentionFinder, overlaps
from .parties import PartyFinder
from .patterns import (
    DEFINITE,
    ENVELOPE_CUE,
    FRAME,
    INDEFINITE,
    NEGATIVE,
    ORDINAL,
    OWN_TEXT,
    PLURAL,
    RETROSPECT,
    SIGNAL,
)
from .periods import find_periods
from .proposal import ConventionProposal, Evidence, PartnerProposal, Proposed
from .regions import RegionMatch, find_regions
from .text import Parsed, Sentence, check_readable, clean, fold, parse


@dataclass(frozen=True)
class Start:
    """A sentence that announces a convention: ``how`` is "single" (``une convention … a été
    signée``), "plural" (``deux conventions``), "ordinal" (``la seconde convention``, after a
    plural) or "own" (``la présente convention``: the text is the convention)."""

    index: int
    kind: str
    how: str


@dataclass(frozen=True)
class Span:
    """The sentences of one draft: ``begin`` to ``end``, announced at ``index``; ``context``,
    the sentences of a plural announcement that every ordinal draft shares."""

    begin: int
    end: int
    index: int
    kind: str
    context: tuple[int, int] | None
    how: str


class Reader:
    """One text, read once: mentions, amounts, regions and periods over the whole text."""

    def __init__(self, parsed: Parsed) -> None:
        self.text = parsed.text
        self.folded = fold(parsed.text)
        self.sentences = parsed.sentences
        self.entities = parsed.entities
        self.regions = find_regions(self.text, self.folded)
        self.amounts = find_amounts(self.text)
        self._starts = [s.start for s in self.sentences]
        self.excluded = self._excluded()
        self.mentions = MentionFinder(self.text, self.folded, self.regions, self.entities).find()
        self.periods = {s.index: find_periods(s.text) for s in self.sentences}
        # Each sentence's mentions, outside the spans set aside: asked for again and again.
        self.mentions_in: dict[int, list[Mention]] = {}
        # Each sentence's names and amounts (set aside or not): words no other field may take.
        self.names_in: dict[int, list[tuple[int, int]]] = {}
        self.pronouns_in: dict[int, list[tuple[int, int]]] = {}
        self.amounts_in: dict[int, list[tuple[int, int]]] = {}
        for mention in self.mentions:
            index = self._sentence_at(mention.start)
            if index < 0:
                continue
            if not self.is_excluded(mention.start, mention.end):
                self.mentions_in.setdefault(index, []).append(mention)
            words = self.pronouns_in if mention.source == "anaphor" else self.names_in
            words.setdefault(index, []).append((mention.start, mention.end))
        for amount in self.amounts:
            self.amounts_in.setdefault(self._sentence_at(amount.start), []).append(
                (amount.start, amount.end)
            )

    def _sentence_at(self, pos: int) -> int:
        return bisect_right(self._starts, pos) - 1

    def _excluded(self) -> dict[int, list[tuple[int, int]]]:
        """Per sentence, the spans that speak of something else: a convention named as a frame,
        what follows a negation; each runs to the end of its sentence."""
        spans: dict[int, list[tuple[int, int]]] = {}
        for sentence in self.sentences:
            folded = self.folded[sentence.start : sentence.end]
            for pattern in (FRAME, NEGATIVE):
                for match in pattern.finditer(folded):
                    span = (sentence.start + match.start(), sentence.end)
                    spans.setdefault(sentence.index, []).append(span)
        return spans

    def is_excluded(self, start: int, end: int | None = None) -> bool:
        spans = self.excluded.get(self._sentence_at(start), [])
        return any(overlaps((start, end or start + 1), span) for span in spans)

    def _free(self, pattern: re.Pattern[str], sentence: Sentence) -> re.Match[str] | None:
        """The first match of ``pattern`` in ``sentence`` outside the spans set aside."""
        folded = self.folded[sentence.start : sentence.end]
        for match in pattern.finditer(folded):
            at = match.start("noun") if "noun" in pattern.groupindex else -1
            if not self.is_excluded(sentence.start + (at if at >= 0 else match.start())):
                return match
        return None

    def announcement(
        self, sentence: Sentence, first: bool, after_plural: bool = False
    ) -> Start | None:
        """How ``sentence`` announces a convention, or ``None``."""
        if match := self._free(OWN_TEXT, sentence):
            return Start(sentence.index, _kind(match), "own")
        if after_plural and (match := self._free(ORDINAL, sentence)):
            return Start(sentence.index, _kind(match), "ordinal")
        if self._free(SIGNAL, sentence) is None:
            return None
        if match := self._free(PLURAL, sentence):
            return Start(sentence.index, _kind(match), "plural")
        if match := self._free(INDEFINITE, sentence):
            return Start(sentence.index, _kind(match), "single")
        folded = self.folded[sentence.start : sentence.end]
        if first and not RETROSPECT.search(folded) and (match := self._free(DEFINITE, sentence)):
            return Start(sentence.index, _kind(match), "single")
        return None

    def _announcements(self) -> list[Start]:
        starts: list[Start] = []
        for sentence in self.sentences:
            after_plural = any(s.how == "plural" for s in starts)
            start = self.announcement(sentence, first=not starts, after_plural=after_plural)
            # A convention's own text says "la présente convention" in every article: one.
            if start is not None and not (start.how == "own" and starts):
                starts.append(start)
        return starts

    def _spans(self, starts: list[Start]) -> list[Span]:
        """Each start's sentences: from it to the next start (the first from the top). A plural
        announcement told one by one ("deux conventions … la première … la seconde") gives
        no draft of its own: its sentences are the context of each of the ordinal ones."""
        spans: list[Span] = []
        context: tuple[int, int] | None = None
        for i, start in enumerate(starts):
            begin = 0 if i == 0 else start.index
            end = starts[i + 1].index if i + 1 < len(starts) else len(self.sentences)
            if start.how == "plural" and i + 1 < len(starts) and starts[i + 1].how == "ordinal":
                context = (begin, end)
                continue
            if start.how != "ordinal":
                context = None
            spans.append(Span(begin, end, start.index, start.kind, context, start.how))
        return spans

    def drafts(self) -> list[ConventionProposal]:
        spans = self._spans(self._announcements())
        # A draft that does not differ from the one before (no other envelope, no other
        # parties) is the same convention told again: the two spans are read as one. The
        # conventions of minutes told one by one ("la première", "la seconde") are never one.
        merged: list[Span] = []
        proposals: list[ConventionProposal] = []
        grown: list[bool] = []
        seen: tuple[Decimal | None, set[str]] = (None, set())
        for span in spans:
            proposal = self.draft(span)
            envelope = proposal.envelope.value if proposal.envelope else None
            keys = {p.key for p in proposal.partners}
            if merged and span.how != "ordinal" and not _differs(seen, (envelope, keys)):
                merged[-1] = replace(merged[-1], end=span.end)
                grown[-1] = True
                seen = (seen[0] or envelope, seen[1] | keys)
                continue
            merged.append(span)
            proposals.append(proposal)
            grown.append(False)
            seen = (envelope, keys)
        return [
            self.draft(span) if again else proposal
            for span, proposal, again in zip(merged, proposals, grown, strict=True)
        ]

    def draft(self, span: Span) -> ConventionProposal:
        sentences = self.sentences[span.begin : span.end]
        context = self.sentences[span.context[0] : span.context[1]] if span.context else []
        announcement = self.sentences[span.index]
        regions = self._regions(context + sentences, announcement)
        region = regions[0].value if regions else None
        partners = PartyFinder(self).partners(context + sentences, announcement, region)
        envelope = self._envelope(sentences, announcement, partners)
        title, objectives = fields.title(self, announcement, span.kind, region, span.begin == 0)
        proposal = ConventionProposal(
            title=title,
            kind=span.kind,
            objectives=objectives,
            envelope=envelope,
            regions=regions,
            partners=partners,
            targets=fields.targets(self, sentences),
            target_groups=fields.vocabulary(self, sentences, announcement, VOCABULARY.groups),
            services=fields.services(self, sentences, announcement),
            committee=fields.committee(self, sentences),
            announcement=Evidence.of(announcement),
        )
        fields.period(self, proposal, sentences, announcement)
        return proposal

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
        if every and len({amount.mad for _s, amount in every}) == 1:
            # One amount said (a headline may say it again): the convention's, less surely.
            sentence, amount = every[-1]
            return Proposed(
                amount.mad,
                round(amount.confidence - 0.3, 2),
                Evidence.of(sentence, (amount.start, amount.end)),
                amount.note,
            )
        return None


def _kind(match: re.Match[str]) -> str:
    """ "un contrat-programme" or any other convention ("la seconde," says neither)."""
    return "programme_contract" if "contrat" in (match.group("noun") or "") else "partnership"


def _differs(
    before: tuple[Decimal | None, set[str]], after: tuple[Decimal | None, set[str]]
) -> bool:
    (envelope_a, keys_a), (envelope_b, keys_b) = before, after
    if envelope_a is not None and envelope_b is not None and envelope_a != envelope_b:
        return True
    return bool(keys_b - keys_a) and bool(keys_a)


def extract(text: str) -> list[ConventionProposal]:
    """One draft per convention that ``text`` announces (``[]`` when it announces none).

    Raises :class:`ExtractionError` for a text that cannot be read (empty, Arabic, too long).
    """
    check_readable(text)
    cleaned = clean(text)
    check_readable(cleaned)
    return Reader(parse(cleaned)).drafts()
