"""``essor extract-convention FILE|-``: a JSON list on standard output, one object per
convention; ``[]`` when the text announces none; a clear message on standard error otherwise."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from essor.accounts.models import PartnerKind
from essor.accounts.tests.factories import PartnerFactory
from essor.territory.models import Region

from .test_extraction_garbage import ARABIC, WEATHER
from .test_extraction_seeds import SEEDS, read

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages in their source language (French and Arabic come from the catalogues)."""
    with translation.override("en"):
        yield


FIELDS = {
    "title",
    "envelope_mad",
    "regions",
    "partners",
    "start_year",
    "end_year",
    "duration_years",
    "targets",
    "target_groups",
    "services",
    "evidence",
    "confidence",
}


def run(*args: str, stdin: bytes | None = None, monkeypatch: Any = None) -> Any:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    out = StringIO()
    call_command("extract_convention", *args, stdout=out)
    return json.loads(out.getvalue())


def test_a_file_gives_one_object_per_convention_with_every_field() -> None:
    tta = Region.objects.get(code="01")
    PartnerFactory.create(
        code="cr-tta",
        acronym="CR-TTA",
        name_fr="Conseil de la région Tanger-Tétouan-Al Hoceima",
        kind=PartnerKind.REGIONAL_COUNCIL,
        region=tta,
    )
    (path,) = SEEDS.glob("000_*.txt")
    (draft,) = run(str(path))
    assert set(draft) >= FIELDS
    assert draft["envelope_mad"] == 25_000_000
    assert draft["regions"] == ["01"]
    assert draft["start_year"] is None
    assert draft["targets"] == [
        {
            "value": 1500,
            "unit": "projets",
            "text": "plus de 1.500 projets",
            "indicator": "projects_supported",
            "age_min": None,
            "age_max": None,
            "confidence": 0.8,
            "evidence": draft["targets"][0]["evidence"],
        }
    ]
    council = draft["partners"][0]
    assert council["name"] == "Conseil de la région Tanger-Tétouan-Al Hoceima"
    assert (council["amount_mad"], council["known"], council["code"]) == (
        25_000_000,
        True,
        "cr-tta",
    )
    assert [p["known"] for p in draft["partners"][1:]] == [False] * 4
    assert "25 millions de DH" in draft["evidence"]["envelope_mad"]
    assert draft["confidence"]["envelope_mad"] == 0.9
    assert len(draft["evidence"]["partners"]) == len(draft["partners"])


def test_standard_input_is_read_with_a_dash(monkeypatch: Any) -> None:
    (draft,) = run("-", stdin=read("001").encode(), monkeypatch=monkeypatch)
    assert (draft["start_year"], draft["end_year"], draft["duration_years"]) == (2023, 2025, 3)
    assert draft["committee"]["chair"] == "Wali de la région"


def test_a_docx_file_is_read(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    for line in read("002").splitlines():
        document.add_paragraph(line)
    path = tmp_path / "contrat.docx"
    document.save(str(path))
    (draft,) = run(str(path), "--compact")
    assert draft["envelope_mad"] == 105_500_000
    assert draft["duration_years"] == 5


def test_no_convention_prints_an_empty_list(monkeypatch: Any, tmp_path: Path) -> None:
    (path,) = SEEDS.glob("003_*.txt")
    assert run(str(path)) == []
    assert run("-", stdin=WEATHER.encode(), monkeypatch=monkeypatch) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"", "empty"), (ARABIC.encode(), "Arabic"), (b"x" * 5_000_000, "5,0 MB")],
)
def test_garbage_is_refused_with_a_message(monkeypatch: Any, data: bytes, expected: str) -> None:
    with pytest.raises(CommandError, match=expected):
        run("-", stdin=data, monkeypatch=monkeypatch)


def test_a_missing_file_is_named() -> None:
    with pytest.raises(CommandError, match=r"nowhere\.txt: no such file"):
        run("nowhere.txt")


def test_errors_go_to_standard_error_with_a_failing_status(
    monkeypatch: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from essor.conventions.management.commands.extract_convention import Command

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARABIC.encode())))
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["essor", "extract_convention", "-"])
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "This text is in Arabic" in captured.err
