"""The report's shape: sections of labelled, typed columns and rows, and small value helpers
that the section builders share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from essor.registry.models import Person


# Column kinds: how the page and the PDF show a value (the JSON keeps it as data).
TEXT, DATE, DATETIME, MONEY, BOOL, NUMBER = "text", "date", "datetime", "money", "bool", "number"


@dataclass
class Section:
    key: str
    title: str
    columns: list[tuple[str, str, str]]  # (key, label, kind)
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


@dataclass
class AccessReport:
    person: Person
    language: str
    generated_at: datetime
    generated_by: str
    sections: list[Section]
    # Records held by partners outside the user's scope: [{"partner", "what", "count"}].
    elsewhere: list[dict[str, Any]]

    @property
    def identity(self) -> Section:
        return self.sections[0]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _display(obj: Any, name: str) -> str:
    value = getattr(obj, name)
    if not value:
        return ""
    return str(getattr(obj, f"get_{name}_display")())


def _str(obj: Any) -> str:
    return "" if obj is None else str(obj)


def _section(
    key: str,
    title: str,
    columns: list[tuple[str, str, str]],
    objects: Iterable[Any],
    row: Callable[[Any], dict[str, Any]],
    note: str = "",
) -> Section:
    return Section(key, title, columns, [row(o) for o in objects], note)
