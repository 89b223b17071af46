"""The parties of a draft: who signs, finances or commits, and each one's amount.

**Partners are parties, not mentions**: the organisations listed after ``entre``, ``de concert
avec``, ``en partenariat avec``…, those financing the convention (``financé par``), those that
commit (``X s'engage à``, ``X se charge de``) and, in a convention's own text, those listed
under "Entre les soussignés". An organisation merely named is not a party. An amount goes to the
partner written next to it, or to the one partner pledging in its sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .amounts import Money
from .mentions import Mention, key_of, resolve
from .patterns import (
    AMOUNT_FROM,
    AMOUNT_TO,
    COMMIT,
    CONVENTION_AMOUNT,
    FUNDING_TRIGGER,
    GAP_CONNECTOR,
    GAP_PARTICIPANT,
    GAP_STOP,
    LIST_TRIGGER,
    NOUN,
    PARTY_BOUNDARY,
    PLEDGE,
    ROLE_WORDS,
    SIGNATORIES,
    SIGNATORIES_END,
    SIGNATORY_GAP,
    STRONG_TRIGGER,
    SYMMETRIC,
    TOTAL,
    WITH_TRIGGER,
)
from .proposal import Evidence, PartnerProposal
from .regions import REGION_IN_NAMES
from .text import Sentence

if TYPE_CHECKING:
    from .rules import Reader


@dataclass
class Accepted:
    """A mention taken as a party, where, how surely, and in which roles."""

    mention: Mention
    sentence: Sentence
    confidence: float
    roles: set[str]


class PartyFinder:
    """The parties of one draft, found in its sentences by a :class:`.rules.Reader`."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.text = reader.text
        self.folded = reader.folded
        self.mentions = reader.mentions

    def _in(self, sentence: Sentence) -> list[Mention]:
        return self.reader.mentions_in.get(sentence.index, [])

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

    def partners(
        self, sentences: list[Sentence], announcement: Sentence, region: str | None
    ) -> list[PartnerProposal]:
        accepted: list[Accepted] = []
        for sentence in sentences:
            mentions = self._in(sentence)
            if not mentions:
                continue
            folded = self.folded[sentence.start : sentence.end]
            is_announcing = sentence.index == announcement.index or self.reader.announcement(
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
                if self.reader.is_excluded(at):
                    continue
                listed = self._list_after(mentions, sentence.start + trigger.end())
                if SYMMETRIC.search(trigger.group(0)):
                    listed += self._list_before(mentions, at)
                accepted += [Accepted(m, sentence, base, set()) for m in listed]
            for trigger in FUNDING_TRIGGER.finditer(folded):
                if self.reader.is_excluded(sentence.start + trigger.start()):
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
        accepted += [Accepted(m, s, 0.9, set()) for s, m in self._signatories(sentences)]
        partners: dict[str, PartnerProposal] = {}
        for item in accepted:
            named = resolve(self.mentions, item.mention)
            if named is None or not named.name:
                continue
            proposal = self._partner(named, item, region)
            existing = partners.get(proposal.key)
            if existing is None:
                partners[proposal.key] = proposal
            else:
                existing.roles = sorted(set(existing.roles) | set(proposal.roles))
                existing.confidence = max(existing.confidence, proposal.confidence)
        ordered = sorted(partners.values(), key=lambda p: self._first_position(p, accepted, region))
        self._amounts_to_partners(sentences, ordered, region)
        return ordered

    def _signatories(self, sentences: list[Sentence]) -> list[tuple[Sentence, Mention]]:
        """The parties a convention's own text lists under "Entre les soussignés :", one a line
        or separated by "d'une part", "d'autre part", ";", until "Il a été convenu…"."""
        found: list[tuple[Sentence, Mention]] = []
        inside = False
        for sentence in sentences:
            folded = self.folded[sentence.start : sentence.end]
            opening = SIGNATORIES.match(folded)
            if not inside and opening is None:
                continue
            if inside and SIGNATORIES_END.search(folded):
                break
            inside = True
            pos = sentence.start + (opening.end() if opening else 0)
            for mention in self._in(sentence):
                if mention.start < pos:
                    continue
                if SIGNATORY_GAP.fullmatch(self.folded[pos : mention.start]):
                    found.append((sentence, mention))
                boundary = PARTY_BOUNDARY.search(self.folded, mention.end, sentence.end)
                pos = boundary.end() if boundary else sentence.end
            if len(found) > 12:  # a list of parties, not of every name in the text
                break
        return found

    def _first_position(
        self, proposal: PartnerProposal, accepted: list[Accepted], region: str | None
    ) -> int:
        for item in accepted:
            mention = resolve(self.mentions, item.mention)
            if mention and mention.name and key_of(mention, region) == proposal.key:
                return mention.start
        return len(self.text)

    def _partner(self, mention: Mention, item: Accepted, region: str | None) -> PartnerProposal:
        org = mention.org
        where = mention.region or (region if org is not None and org.regional else None)
        name = mention.name
        if org is not None and org.regional_name and where:
            name = org.regional_name.format(region=REGION_IN_NAMES[where])
        return PartnerProposal(
            key=key_of(mention, region),
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
            mentions = [
                m for m in (resolve(self.mentions, m) for m in self._in(sentence)) if m and m.name
            ]
            mentions = [m for m in mentions if key_of(m, region) in by_key]
            for amount in self.reader.amounts:
                if not sentence.start <= amount.start < sentence.end or self.reader.is_excluded(
                    amount.start
                ):
                    continue
                after = [m for m in mentions if m.start >= amount.end]
                before = [m for m in mentions if m.end <= amount.start]
                owner = None
                if after and AMOUNT_TO.match(self.folded[amount.end : after[0].start]):
                    owner = after[0]
                elif before and _pledged_after(self.folded[before[-1].end : amount.start]):
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
        partner = by_key[key_of(owner, region)]
        if partner.amount_mad is not None:
            return False
        partner.amount_mad = amount.mad
        partner.amount_evidence = Evidence.of(
            sentence, (owner.start, owner.end), (amount.start, amount.end)
        )
        partner.amount_note = amount.note
        partner.roles = sorted({*partner.roles, "funder"})
        return True


def _pledged_after(gap: str) -> bool:
    """``l'ANAPEC contribue à hauteur de``, ``l'ANAPEC :`` before an amount: the partner's;
    ``l'OFPPT, d'un montant de`` is the convention's."""
    match = AMOUNT_FROM.match(gap)
    return bool(match and (match.group("verb") or not CONVENTION_AMOUNT.search(gap)))
