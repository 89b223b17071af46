"""Garbage in: a clear message and no draft. Also the other texts essor must not misread, and
the text it must: several conventions in one text, targets, periods and partners' amounts."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation

from essor.conventions.extraction import ExtractionError, extract, read_upload
from essor.conventions.extraction.files import MAX_FILE_BYTES

ARABIC = (
    "وقع مجلس جهة طنجة تطوان الحسيمة اتفاقية شراكة لدعم المقاولات الصغيرة جدا بغلاف مالي قدره "
    "25 مليون درهم، بشراكة مع غرفة التجارة والصناعة والخدمات والمبادرة الوطنية للتنمية البشرية."
)
WEATHER = (
    "Météo : des averses orageuses sont attendues ce mardi sur le Rif et le Moyen Atlas, avec des "
    "rafales de vent de 70 km/h. Les températures resteront douces à Tanger (22 degrés)."
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages in their source language (French and Arabic come from the catalogues)."""
    with translation.override("en"):
        yield


def message(error: pytest.ExceptionInfo[ExtractionError]) -> str:
    return error.value.message


@pytest.mark.parametrize("text", ["", "   \n\n  ", "—  …  ", "12 345"])
def test_an_empty_text_says_to_paste_one(text: str) -> None:
    with pytest.raises(ExtractionError) as error:
        extract(text)
    assert "empty" in message(error)


def test_arabic_text_asks_for_the_french_version() -> None:
    with pytest.raises(ExtractionError) as error:
        extract(ARABIC)
    assert "Arabic" in message(error)
    assert "French version" in message(error)


def test_the_message_is_in_the_users_language() -> None:
    with translation.override("ar"), pytest.raises(ExtractionError) as error:
        extract("")
    assert error.value.message  # a translated message, or the English source until translated


def test_a_text_with_no_convention_gives_no_draft() -> None:
    assert extract(WEATHER) == []
    assert extract("La convention est un genre littéraire ancien.") == []


def test_a_five_megabyte_file_is_refused_before_it_is_read() -> None:
    with pytest.raises(ExtractionError) as error:
        read_upload("annexes.pdf", b"%PDF-1.7\n" + b"0" * 5_000_000)
    assert "5,0 MB" in message(error)
    assert f"{MAX_FILE_BYTES / 1_000_000:.1f}".replace(".", ",") in message(error)


def test_a_too_long_text_is_refused_with_its_length() -> None:
    with pytest.raises(ExtractionError) as error:
        extract("Une convention a été signée. " * 12_000)
    assert "characters" in message(error)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("vide.txt", b"", "empty"),
        ("ancien.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".docx or PDF"),
        ("casse.pdf", b"%PDF-1.4 garbage that is not a PDF", "damaged PDF"),
        ("faux.docx", b"PK\x03\x04 not really a zip", "Word (.docx)"),
        ("image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "not a text file"),
    ],
)
def test_files_essor_cannot_read_say_why(name: str, data: bytes, expected: str) -> None:
    with pytest.raises(ExtractionError) as error:
        read_upload(name, data)
    assert expected in message(error)
    assert name in message(error)


def test_a_scanned_pdf_without_text_says_so() -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = BytesIO()
    writer.write(buffer)
    with pytest.raises(ExtractionError) as error:
        read_upload("scan.pdf", buffer.getvalue())
    assert "scan" in message(error)


def test_windows_encoded_text_files_are_read() -> None:
    text = "Une convention de partenariat a été signée à Fès."
    assert read_upload("article.txt", text.encode("cp1252")) == text
    assert read_upload("article.txt", ("\ufeff" + text).encode("utf-8")) == text


# --- Texts to read right -----------------------------------------------------------------------

MINUTES = """Conseil de la région de l'Oriental — session ordinaire de mars 2024

Le Conseil a approuvé une convention de partenariat avec l'Agence nationale de promotion de \
l'emploi et des compétences (ANAPEC) pour l'accompagnement de 3.000 jeunes âgés de 18 à 40 ans \
porteurs de projets, d'un montant global de 12 MDH, dont 8 MDH à la charge du Conseil et 4 MDH \
apportés par l'ANAPEC, sur trois ans à partir de 2024.

Le Conseil a également approuvé une convention avec la Fondation Mohammed V pour la solidarité \
pour l'octroi de prêts d'honneur à 500 femmes entrepreneures du monde rural, au titre de 2024, \
avec une enveloppe de 2.380.000 dirhams.
"""


def test_minutes_approving_two_conventions_give_two_drafts() -> None:
    first, second = extract(MINUTES)
    assert first.envelope is not None
    assert first.envelope.value == Decimal("12000000")
    assert [r.value for r in first.regions] == ["02"]
    assert {p.acronym: p.amount_mad for p in first.partners} == {
        "": Decimal("8000000"),
        "ANAPEC": Decimal("4000000"),
    }
    assert first.partners[0].name == "Conseil de la région de l'Oriental"
    assert (
        first.start_year and first.start_year.value,
        first.end_year and first.end_year.value,
    ) == (
        2024,
        2026,
    )
    assert first.duration_years is not None
    assert first.duration_years.value == 3
    (target,) = first.targets
    assert (target.value, target.unit, target.age_min, target.age_max) == (
        Decimal("3000"),
        "jeunes",
        18,
        40,
    )
    assert target.text == "3.000 jeunes âgés de 18 à 40 ans"
    assert second.envelope is not None
    assert second.envelope.value == Decimal("2380000")
    assert [r.value for r in second.regions] == ["02"]
    assert [p.name for p in second.partners] == [
        "Conseil de la région de l'Oriental",
        "Fondation Mohammed V pour la solidarité",
    ]
    assert (
        second.start_year and second.start_year.value,
        second.end_year and second.end_year.value,
    ) == (
        2024,
        2024,
    )
    assert [s.value for s in second.services] == ["honour_loans"]
    assert {"women", "rural"} <= {g.value for g in second.target_groups}
    assert [(t.value, t.unit) for t in second.targets] == [(Decimal("500"), "femmes")]


def test_a_headline_and_its_article_are_one_convention() -> None:
    text = (
        "Signature d'une convention pour les TPE à Agadir\n\n"
        "Une convention de partenariat a été signée le 12 mars 2024 entre le Conseil de la "
        "région Souss-Massa et la Chambre de commerce, d'industrie et de services de la région "
        "Souss-Massa, pour un montant de 5 millions de dirhams."
    )
    (draft,) = extract(text)
    assert draft.signed_on is not None
    assert draft.signed_on.value.isoformat() == "2024-03-12"
    assert [r.value for r in draft.regions] == ["09"]
    assert [p.kind for p in draft.partners] == ["regional_council", "chamber"]


def test_euros_from_a_donor_are_converted_and_flagged() -> None:
    text = (
        "Une convention de financement a été signée entre l'Agence française de développement "
        "(AFD) et le Conseil régional de Fès-Meknès pour un appui de 2 millions d'euros."
    )
    (draft,) = extract(text)
    assert draft.envelope is not None
    assert draft.envelope.value == Decimal("21600000")
    assert draft.envelope.confidence <= 0.6
    assert "EUR" in draft.envelope.note
    assert draft.to_json()["notes"] == ["2000000.00 EUR × 10.80 MAD/EUR"]
