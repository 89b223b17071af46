"""What the extraction proposes: one draft per convention, each field with its sentence and a
confidence. Nothing here touches the database; :mod:`.matching` adds the known partners."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Evidence:
    """The sentence a value came from and the words matched in it (offsets in the sentence)."""

    sentence: str
    spans: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, sentence: Any, *spans: tuple[int, int]) -> Evidence:
        """From a :class:`text.Sentence` and spans in the whole text."""
        inside = sorted(
            {
                (max(a - sentence.start, 0), min(b - sentence.start, len(sentence.text)))
                for a, b in spans
                if b > sentence.start and a < sentence.end
            }
        )
        return cls(sentence.text, tuple(inside))

    def merged(self, other: Evidence) -> Evidence:
        if other.sentence != self.sentence:
            return self
        return Evidence(self.sentence, tuple(sorted(set(self.spans) | set(other.spans))))

    @property
    def words(self) -> list[str]:
        return [self.sentence[a:b] for a, b in self.spans]


@dataclass
class Proposed(Generic[T]):
    value: T
    confidence: float
    evidence: Evidence | None
    note: str = ""


@dataclass
class PartnerProposal:
    key: str  # one per partner in a draft: "regional_council:01", "name:ministere du tourisme…"
    name: str
    acronym: str
    kind: str  # accounts.PartnerKind value
    confidence: float
    evidence: Evidence | None
    region_code: str | None = None
    amount_mad: Decimal | None = None
    amount_evidence: Evidence | None = None
    amount_note: str = ""
    roles: list[str] = field(default_factory=list)
    # Set by matching: the partner essor already has.
    partner_id: int | None = None
    partner_code: str | None = None
    partner_label: str = ""

    @property
    def known(self) -> bool:
        return self.partner_id is not None


@dataclass
class TargetProposal:
    value: Decimal
    unit: str
    text: str
    indicator: str
    confidence: float
    evidence: Evidence | None
    age_min: int | None = None
    age_max: int | None = None


@dataclass
class CommitteeProposal:
    name: str
    chair: str
    mandate: str = ""


@dataclass
class ConventionProposal:
    title: Proposed[str]
    kind: str = "partnership"
    objectives: Proposed[str] | None = None
    envelope: Proposed[Decimal] | None = None
    regions: list[Proposed[str]] = field(default_factory=list)
    partners: list[PartnerProposal] = field(default_factory=list)
    start_year: Proposed[int] | None = None
    end_year: Proposed[int] | None = None
    duration_years: Proposed[int] | None = None
    start_on: date | None = None
    end_on: date | None = None
    signed_on: Proposed[date] | None = None
    targets: list[TargetProposal] = field(default_factory=list)
    target_groups: list[Proposed[str]] = field(default_factory=list)
    services: list[Proposed[str]] = field(default_factory=list)
    committee: Proposed[CommitteeProposal] | None = None
    announcement: Evidence | None = None

    def to_json(self) -> dict[str, Any]:
        """The command's output: plain values, plus ``evidence`` and ``confidence`` per field."""

        def sentence(item: Any) -> str | None:
            return item.evidence.sentence if item is not None and item.evidence else None

        def conf(item: Any) -> float | None:
            return item.confidence if item is not None else None

        def value(item: Any) -> Any:
            return item.value if item is not None else None

        committee = self.committee.value if self.committee else None
        notes = [
            note
            for note in [
                self.envelope.note if self.envelope else "",
                *(r.note for r in self.regions),
                *(p.amount_note for p in self.partners),
                self.end_year.note if self.end_year else "",
                self.start_year.note if self.start_year else "",
            ]
            if note
        ]
        return {
            "title": self.title.value,
            "kind": self.kind,
            "envelope_mad": number(self.envelope.value) if self.envelope else None,
            "regions": [r.value for r in self.regions],
            "partners": [
                {
                    "name": p.name,
                    "acronym": p.acronym or None,
                    "amount_mad": number(p.amount_mad),
                    "kind": p.kind,
                    "roles": p.roles,
                    "known": p.known,
                    "code": p.partner_code,
                    "confidence": p.confidence,
                    "evidence": p.evidence.sentence if p.evidence else None,
                    "amount_evidence": (p.amount_evidence.sentence if p.amount_evidence else None),
                }
                for p in self.partners
            ],
            "start_year": value(self.start_year),
            "end_year": value(self.end_year),
            "duration_years": value(self.duration_years),
            "start_on": self.start_on.isoformat() if self.start_on else None,
            "end_on": self.end_on.isoformat() if self.end_on else None,
            "signed_on": self.signed_on.value.isoformat() if self.signed_on else None,
            "targets": [
                {
                    "value": number(t.value),
                    "unit": t.unit,
                    "text": t.text,
                    "indicator": t.indicator,
                    "age_min": t.age_min,
                    "age_max": t.age_max,
                    "confidence": t.confidence,
                    "evidence": t.evidence.sentence if t.evidence else None,
                }
                for t in self.targets
            ],
            "target_groups": [g.value for g in self.target_groups],
            "services": [s.value for s in self.services],
            "committee": (
                {"name": committee.name, "chair": committee.chair, "mandate": committee.mandate}
                if committee
                else None
            ),
            "objectives": value(self.objectives),
            "evidence": {
                "title": sentence(self.title),
                "kind": self.announcement.sentence if self.announcement else None,
                "envelope_mad": sentence(self.envelope),
                "regions": [sentence(r) for r in self.regions],
                "partners": [sentence(p) for p in self.partners],
                "start_year": sentence(self.start_year),
                "end_year": sentence(self.end_year),
                "duration_years": sentence(self.duration_years),
                "signed_on": sentence(self.signed_on),
                "targets": [sentence(t) for t in self.targets],
                "target_groups": [sentence(g) for g in self.target_groups],
                "services": [sentence(s) for s in self.services],
                "committee": sentence(self.committee),
                "objectives": sentence(self.objectives),
            },
            "confidence": {
                "title": self.title.confidence,
                "envelope_mad": conf(self.envelope),
                "regions": [r.confidence for r in self.regions],
                "partners": [p.confidence for p in self.partners],
                "start_year": conf(self.start_year),
                "end_year": conf(self.end_year),
                "duration_years": conf(self.duration_years),
                "signed_on": conf(self.signed_on),
                "targets": [t.confidence for t in self.targets],
                "target_groups": [g.confidence for g in self.target_groups],
                "services": [s.confidence for s in self.services],
                "committee": conf(self.committee),
                "objectives": conf(self.objectives),
            },
            "notes": notes,
        }


def number(value: Decimal | None) -> int | float | None:
    """A JSON number: whole dirhams as an integer, else two decimals."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)
