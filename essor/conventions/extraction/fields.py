"""The fields read from a draft's sentences once its partners and envelope are known: period,
targets, target groups, services, committee, title and objectives."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from .amounts import NUMBER, parse_number
from .gazetteer import TARGET_UNITS, VOCABULARY
from .mentions import overlaps
from .patterns import (
    AGES,
    AIM,
    CHAIR,
    COMMITTEE,
    GENERIC_TITLE,
    HEADLINE_JUNK,
    MANDATE,
    PERCENT,
    PURPOSE,
    PURPOSE_END,
    TARGET_QUALIFIER,
    UNIT,
    VERB_LINK,
)
from .periods import PeriodHit
from .proposal import CommitteeProposal, ConventionProposal, Evidence, Proposed, TargetProposal
from .regions import REGION_LABELS
from .text import Sentence, fold

if TYPE_CHECKING:
    from .rules import Reader


def period(
    reader: Reader, proposal: ConventionProposal, sentences: list[Sentence], announcement: Sentence
) -> None:
    ordered = [announcement] + [s for s in sentences if s.index != announcement.index]
    hits: dict[str, tuple[Sentence, PeriodHit]] = {}
    for sentence in ordered:
        for hit in reader.periods.get(sentence.index, []):
            if reader.is_excluded(sentence.start + hit.start):
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
        first, last = hit.a or 0, hit.b or 0  # a span always has both years
        proposal.start_year = proposed(first, span, confidence)
        proposal.end_year = proposed(last, span, confidence)
        if not duration:
            years = last - first + 1
            if hit.on and hit.until:  # "du 1er avril 2024 au 31 mars 2027": three years
                years = max(1, round(((hit.until - hit.on).days + 1) / 365.25))
            proposal.duration_years = proposed(years, span, confidence)
        proposal.start_on, proposal.end_on = hit.on, hit.until
    else:
        if hits.get("from"):
            proposal.start_year = proposed(hits["from"][1].a or 0, hits["from"], 0.8)
            proposal.start_on = hits["from"][1].on  # "à compter du 1er avril 2025"
        if hits.get("to"):
            proposal.end_year = proposed(hits["to"][1].a or 0, hits["to"], 0.8)
    if duration:
        years = duration[1].a or 0
        proposal.duration_years = proposed(years, duration, 0.85)
        if proposal.start_on and not proposal.end_on:
            proposal.end_on = _plus_years(proposal.start_on, years) - timedelta(days=1)
            proposal.end_year = proposed(
                proposal.end_on.year, duration, 0.7, "start date + duration"
            )
        elif proposal.start_year and not proposal.end_year:
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
        on = signed[1].on
        proposal.signed_on = Proposed(
            on,
            0.85,
            Evidence.of(sentence, (sentence.start + hit.start, sentence.start + hit.end)),
        )


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def targets(reader: Reader, sentences: list[Sentence]) -> list[TargetProposal]:
    out: list[TargetProposal] = []
    seen: set[tuple[Decimal, str]] = set()
    for sentence in sentences:
        i = sentence.index
        taken = reader.amounts_in.get(i, []) + reader.names_in.get(i, [])
        taken += reader.pronouns_in.get(i, [])
        text = reader.text[sentence.start : sentence.end]
        folded = reader.folded[sentence.start : sentence.end]
        periods = [(h.start, h.end) for h in reader.periods.get(sentence.index, [])]
        for number in NUMBER.finditer(text):
            at = (sentence.start + number.start(), sentence.start + number.end())
            if number.group(0).lower() in ("un", "une"):
                continue
            if any(overlaps(at, t) for t in taken) or any(
                overlaps((number.start(), number.end()), p) for p in periods
            ):
                continue
            if reader.is_excluded(at[0]):
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
                    evidence=Evidence.of(sentence, (sentence.start + begin, sentence.start + end)),
                    age_min=int(ages.group("a")) if ages else None,
                    age_max=int(ages.group("b")) if ages else None,
                )
            )
        for match in PERCENT.finditer(folded):
            if reader.is_excluded(sentence.start + match.start()):
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


def vocabulary(
    reader: Reader,
    sentences: list[Sentence],
    announcement: Sentence,
    vocabulary: list[tuple[str, re.Pattern[str]]],
    skip: dict[str, re.Pattern[str]] | None = None,
) -> list[Proposed[str]]:
    found: dict[str, Proposed[str]] = {}
    for sentence in sentences:
        names = reader.names_in.get(sentence.index, [])
        folded = reader.folded[sentence.start : sentence.end]
        for key, pattern in vocabulary:
            if key in found:
                continue
            if skip and key in skip and skip[key].search(folded):
                continue
            for match in pattern.finditer(folded):
                at = (sentence.start + match.start(), sentence.start + match.end())
                # A name's words, or another convention's ("dans le cadre de la convention …
                # relative à l'autonomisation des femmes"), are not this one's.
                if any(overlaps(at, n) for n in names) or reader.is_excluded(*at):
                    continue
                confidence = 0.8 if sentence.index == announcement.index else 0.7
                found[key] = Proposed(key, confidence, Evidence.of(sentence, at))
                break
    order = [key for key, _p in vocabulary]
    return sorted(found.values(), key=lambda p: order.index(p.value))


def services(
    reader: Reader, sentences: list[Sentence], announcement: Sentence
) -> list[Proposed[str]]:
    # A bus "qui servira de maison des TPE" is the mobile unit, not a fixed maison.
    skip = {"maison_des_tpe": re.compile(r"\bbus\b|\bunite mobile\b")}
    return vocabulary(reader, sentences, announcement, VOCABULARY.services, skip)


def committee(reader: Reader, sentences: list[Sentence]) -> Proposed[CommitteeProposal] | None:
    name = ""
    for sentence in sentences:
        names = reader.names_in.get(sentence.index, [])
        folded = reader.folded[sentence.start : sentence.end]
        committee = None
        for match in COMMITTEE.finditer(folded):
            at = (sentence.start + match.start(), sentence.start + match.end())
            if not any(overlaps(at, n) for n in names):
                committee = match
                break
        if committee is None:
            continue
        raw = reader.text[sentence.start + committee.start() : sentence.start + committee.end()]
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
            chair_text = reader.text[sentence.start + a : sentence.start + b].strip()
            chair_text = chair_text[0].upper() + chair_text[1:]
            spans.append((sentence.start + a, sentence.start + b))
        mandate_text = ""
        if mandate:
            mandate_text = reader.text[
                sentence.start + mandate.start("m") : sentence.start + mandate.end("m")
            ].strip()
        return Proposed(
            CommitteeProposal(name or "Comité de suivi", chair_text, mandate_text),
            0.85 if chair else 0.7,
            Evidence.of(sentence, *spans),
        )
    return None


def title(
    reader: Reader, announcement: Sentence, kind: str, region: str | None, first: bool
) -> tuple[Proposed[str], Proposed[str] | None]:
    """The title and objectives from the announcing sentence ("une convention … visant à …");
    else the headline (the first draft's only: a second convention is not the headline's)."""
    folded = reader.folded[announcement.start : announcement.end]
    text = reader.text[announcement.start : announcement.end]
    objectives = None
    purpose = PURPOSE.search(folded)
    if purpose and any(
        0 <= a - (announcement.start + purpose.start("p")) <= 12
        for a, _b in reader.amounts_in.get(announcement.index, [])
    ):
        purpose = None  # "portant sur un milliard de dirhams": an amount, not a purpose
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
    if purpose and not VERB_LINK.fullmatch(purpose.group("link")):
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
        # The name, then what it is for: "Convention de partenariat destinée à …", without
        # what may come between ("(CP)", "d'un montant de 12 MDH,").
        title = f"{text[start : purpose.end('head')]} {text[purpose.start('link') : end]}"
        title = re.sub(r"\s+", " ", title).strip(" ,")
        if len(title) > 200:
            title = title[:200].rsplit(" ", 1)[0]
        title = title[0].upper() + title[1:]
        return (
            Proposed(
                title,
                0.7,
                Evidence.of(announcement, (announcement.start + start, announcement.start + end)),
            ),
            objectives,
        )
    line = headline(reader) if first else None
    label = "Contrat-programme" if kind == "programme_contract" else "Convention de partenariat"
    confidence = 0.3
    if line is not None:
        label = line.text.capitalize() if line.text.isupper() else line.text
        confidence = 0.5
    evidence = Evidence.of(line, (line.start, line.end)) if line else Evidence.of(announcement)
    # A bare "CONVENTION DE PARTENARIAT" heading says nothing of which: the region does.
    if region and GENERIC_TITLE.fullmatch(fold(label)):
        label = f"{label} — {REGION_LABELS[region]}"
    return Proposed(label, confidence, evidence), objectives


def headline(reader: Reader) -> Sentence | None:
    first_line = reader.text.split("\n", 1)[0].strip()
    if not first_line or len(first_line) > 150 or first_line.endswith("."):
        return None
    if len(first_line.split()) < 3 or HEADLINE_JUNK.match(first_line):
        return None
    start = reader.text.find(first_line)
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
