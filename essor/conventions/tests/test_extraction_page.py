"""The "new from a text" page: read a text, review each proposed field, save the drafts kept.

The review form is submitted as a browser would (lxml's ``form_values``: ticked boxes, typed
values, selected options), after the changes a user makes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from essor.accounts.models import Partner, PartnerKind
from essor.accounts.tests.factories import PartnerFactory, UserFactory
from essor.conventions.models import Committee, Convention, ConventionStatus
from essor.core.testing import Personas
from essor.territory.models import Region

from .test_extraction_garbage import ARABIC, MINUTES, WEATHER
from .test_extraction_seeds import read

pytestmark = pytest.mark.django_db
URL = reverse("conventions:convention_extract")
TTA = "Tanger-Tétouan-Al Hoceima"


@pytest.fixture
def tta_partners(db: None) -> dict[str, Partner]:
    """The partners of article 001 as essor holds them (the demo's records)."""
    tta = Region.objects.get(code="01")
    return {
        "cr-tta": PartnerFactory.create(
            code="cr-tta",
            acronym="CR-TTA",
            name_fr=f"Conseil de la région {TTA}",
            kind=PartnerKind.REGIONAL_COUNCIL,
            region=tta,
        ),
        "wilaya-tta": PartnerFactory.create(
            code="wilaya-tta",
            acronym="Wilaya TTA",
            name_fr=f"Wilaya de la région {TTA}",
            kind=PartnerKind.WILAYA,
            region=tta,
        ),
        "mtaess": PartnerFactory.create(
            code="mtaess",
            acronym="MTAESS",
            name_fr="Ministère du Tourisme, de l'Artisanat et de l'Économie sociale et solidaire",
            kind=PartnerKind.MINISTRY,
        ),
    }


def said(message: str, **params: Any) -> str:
    """``message`` as the French page shows it (translated when it is, escaped as HTML)."""
    with translation.override("fr"):
        text = translation.gettext(message)
    return escape(text % params if params else text)


def signed_in(user: Any, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def review(client: Client, text: str) -> Any:
    response = client.post(URL, {"step": "read", "text": text})
    assert response.status_code == 200, response.content.decode()[:2000]
    return response


def as_sent(response: Any, **changes: Any) -> dict[str, list[str]]:
    """The review form's values as the browser sends them, after the user's changes:
    ``name=None`` unticks a box, ``name="value"`` types a value."""
    form = lxml.html.fromstring(response.content.decode()).xpath(
        '//form[contains(@class, "extract-review")]'
    )[0]
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    return data


def row_of(response: Any, key: str) -> str:
    """The name prefix (``d0-partner_1``) of the review row proposing ``key`` (``women``,
    ``wilaya:01``)."""
    page = lxml.html.fromstring(response.content.decode())
    (box,) = page.xpath(f'//*[@data-field="{key}"]//input[@data-keep]')
    return str(box.get("name")).removesuffix("_keep")


def test_the_conventions_list_offers_new_from_a_text_to_those_who_create_conventions(
    personas: Personas,
) -> None:
    link = f'href="{URL}"'
    assert (
        link in signed_in(personas.user("programme_manager")).get("/conventions/").content.decode()
    )
    assert link not in signed_in(personas.user("counsellor")).get("/conventions/").content.decode()


@pytest.mark.parametrize("role", ["counsellor", "data_clerk", "committee_member", "evaluator"])
def test_who_may_not_create_conventions_finds_no_page(personas: Personas, role: str) -> None:
    client = signed_in(personas.user(role))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"step": "read", "text": read("001")}).status_code == 404
    assert Convention.objects.count() == 0


def test_an_operator_without_a_partner_finds_no_page(personas: Personas) -> None:
    assert signed_in(personas.operator).get(URL).status_code == 404


def test_the_page_reads_in_arabic_right_to_left(personas: Personas) -> None:
    response = signed_in(personas.user("programme_manager"), "ar").get(URL)
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()


def test_reading_shows_each_field_with_its_sentence_and_saves_nothing(
    personas: Personas, tta_partners: dict[str, Partner]
) -> None:
    response = review(signed_in(personas.user("programme_manager")), read("001"))
    html = response.content.decode()
    assert Convention.objects.count() == 0
    assert "<mark>10 millions de dirhams</mark>" in html
    assert "<mark>période 2023-2025</mark>" in html
    assert "<mark>Wali de la région</mark>" in html
    assert said("In essor: %(partner)s", partner=f"Conseil de la région {TTA}") in html
    assert 'class="badge agree"' in html  # a confidence of 80 % or more
    page = lxml.html.fromstring(html)
    assert len(page.xpath("//*[@data-draft]")) == 1
    assert page.xpath('//input[@name="d0-envelope"]')[0].get("value") == "10\u00a0000\u00a0000,00"
    assert page.xpath('//input[@name="d0-start_on"]')[0].get("value") == "2023-01-01"
    assert page.xpath('//script[contains(@src, "js/convention-extract.js")]')
    assert "style=" not in html.split('<main id="main"')[1]  # no inline style: CSP to come


def test_the_text_is_escaped_in_the_sentences_shown(personas: Personas) -> None:
    text = (
        "Une convention de partenariat <script>alert(1)</script> a été signée entre le Conseil "
        "régional de l'Oriental et l'ANAPEC pour 3 MDH."
    )
    html = review(signed_in(personas.user("programme_manager")), text).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>3 MDH</mark>" in html


def test_saving_creates_a_draft_with_the_accepted_and_edited_values_only(
    personas: Personas, tta_partners: dict[str, Partner]
) -> None:
    manager = personas.user("programme_manager")
    client = signed_in(manager)
    response = review(client, read("001"))
    wilaya = row_of(response, "wilaya:01")
    women = row_of(response, "women")
    data = as_sent(
        response,
        **{
            f"{wilaya}_keep": None,  # dropped
            f"{women}_keep": None,  # dropped
            "d0-envelope": "12 000 000",  # edited
            "d0-reference": "TTA-ESS-TEXTE",
            "d0-committee_chair": "Wali de la région Tanger-Tétouan-Al Hoceima",
        },
    )
    saved = client.post(URL, data)
    convention = Convention.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("conventions:convention", args=[convention.pk])
    assert convention.reference == "TTA-ESS-TEXTE"
    assert convention.status == ConventionStatus.DRAFT
    assert convention.owner == personas.own
    assert convention.envelope == Decimal("12000000.00")
    assert list(convention.regions.values_list("code", flat=True)) == ["01"]
    assert (convention.start_on, convention.end_on) == (date(2023, 1, 1), date(2025, 12, 31))
    parties = {p.partner.code: p.roles for p in convention.parties.select_related("partner")}
    assert parties == {"cr-tta": ["funder"], "mtaess": ["funder"]}
    assert "jeunes" in convention.objectives_fr
    assert "femmes" not in convention.objectives_fr
    assert convention.title_fr == (
        "Région TTA : Accompagnement des acteurs de l'Economie sociale et solidaire"
    )
    committee = Committee.objects.get(convention=convention)
    assert committee.chair == "Wali de la région Tanger-Tétouan-Al Hoceima"
    assert convention.source.startswith("Brouillon proposé par essor")
    assert convention.history.first().history_user == manager  # in the audit trail


def test_a_dropped_field_is_not_saved_even_when_edited(personas: Personas) -> None:
    client = signed_in(personas.user("programme_manager"))
    response = review(client, read("000"))
    data = as_sent(response, **{"d0-envelope_keep": None, "d0-envelope": "pas un montant"})
    assert client.post(URL, data).status_code == 302
    convention = Convention.objects.get()
    assert convention.envelope == Decimal("0.00")
    assert list(convention.targets.values_list("value", "indicator")) == [
        (Decimal("1500.00"), "projects_supported")
    ]


def test_partners_not_in_essor_are_listed_in_the_source_for_a_manager(personas: Personas) -> None:
    client = signed_in(personas.user("programme_manager"))
    response = review(client, read("002"))
    assert said("Not in essor yet: a new partner") in response.content.decode()
    assert client.post(URL, as_sent(response)).status_code == 302
    convention = Convention.objects.get()
    assert convention.parties.count() == 0
    assert "Ministère chargé des Affaires économiques et générales" in convention.source
    assert "(Agence du Sud)" in convention.source
    assert Partner.objects.filter(acronym="Agence du Sud").count() == 0


def test_an_operator_of_a_partner_creates_the_new_partners(personas: Personas) -> None:
    operator = UserFactory.create(
        username="operator.ccis", partner=personas.own, is_superuser=True, is_staff=True
    )
    client = signed_in(operator)
    response = review(client, read("002"))
    assert client.post(URL, as_sent(response)).status_code == 302
    convention = Convention.objects.get()
    created = {p.partner.acronym: p.partner for p in convention.parties.select_related("partner")}
    assert set(created) == {"", "Agence du Sud"}
    assert created["Agence du Sud"].kind == PartnerKind.PUBLIC_AGENCY
    assert convention.kind == "programme_contract"
    assert convention.envelope == Decimal("105500000.00")


def test_a_refused_save_keeps_the_users_edits_and_saves_nothing(
    personas: Personas, tta_partners: dict[str, Partner]
) -> None:
    client = signed_in(personas.user("programme_manager"))
    response = review(client, read("001"))
    refused = client.post(URL, as_sent(response, **{"d0-envelope": "douze millions"}))
    html = refused.content.decode()
    assert refused.status_code == 400
    assert 'value="douze millions"' in html
    envelope = lxml.html.fromstring(html).xpath('//input[@name="d0-envelope"]/..')[0]
    assert "invalid" in envelope.get("class")
    assert envelope.xpath('.//*[@role="alert"]')
    assert "<mark>10 millions de dirhams</mark>" in html  # the evidence is still there
    assert Convention.objects.count() == 0


def test_a_kept_partner_needs_a_partner_or_a_name(personas: Personas) -> None:
    client = signed_in(personas.user("programme_manager"))
    response = review(client, read("002"))
    refused = client.post(URL, as_sent(response, **{"d0-partner_0_name": ""}))
    assert refused.status_code == 400
    assert (
        said("Choose the partner in essor or type the new partner's name, or drop it.")
        in refused.content.decode()
    )
    assert Convention.objects.count() == 0


def test_dropping_every_draft_saves_nothing(personas: Personas) -> None:
    client = signed_in(personas.user("programme_manager"))
    response = review(client, read("001"))
    refused = client.post(URL, as_sent(response, **{"d0-keep": None}))
    assert refused.status_code == 400
    assert (
        said("Every draft is dropped: nothing to save. Tick “Create this draft” on one.")
        in refused.content.decode()
    )
    assert Convention.objects.count() == 0


def test_a_reference_already_used_is_refused(personas: Personas) -> None:
    from .factories import make_convention

    make_convention(personas.own, reference="CONV-TTA")
    client = signed_in(personas.user("programme_manager"))
    response = review(client, read("000"))
    refused = client.post(URL, as_sent(response, **{"d0-reference": "CONV-TTA"}))
    assert refused.status_code == 400
    assert (
        said("The reference %(ref)s is already used: choose another.", ref="CONV-TTA")
        in refused.content.decode()
    )
    assert Convention.objects.count() == 1


def test_two_conventions_in_minutes_become_two_drafts_saved_together(personas: Personas) -> None:
    client = signed_in(personas.user("programme_manager"))
    response = review(client, MINUTES)
    page = lxml.html.fromstring(response.content.decode())
    assert len(page.xpath("//*[@data-draft]")) == 2
    assert client.post(URL, as_sent(response)).status_code == 302
    envelopes = sorted(Convention.objects.values_list("envelope", flat=True))
    assert envelopes == [Decimal("2380000.00"), Decimal("12000000.00")]
    assert len(set(Convention.objects.values_list("reference", flat=True))) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "",
            "The text is empty. Paste the article or the convention, or choose a .txt, .docx "
            "or .pdf file.",
        ),
        (
            ARABIC,
            "This text is in Arabic. essor reads conventions in French for now: paste the "
            "French version of the article or of the convention.",
        ),
        (
            WEATHER,
            "essor found no convention in this text: no convention, agreement or programme "
            "contract is said to be signed, approved or planned. Check that it is the right "
            "text, or create the convention by hand.",
        ),
    ],
)
def test_garbage_gives_a_clear_message_keeps_the_text_and_saves_nothing(
    personas: Personas, text: str, expected: str
) -> None:
    response = signed_in(personas.user("programme_manager")).post(
        URL, {"step": "read", "text": text}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert said(expected) in html
    assert text.split(" ")[0] in html  # what was pasted is still there
    assert Convention.objects.count() == 0


def test_a_five_megabyte_file_is_refused_with_its_size(personas: Personas) -> None:
    upload = SimpleUploadedFile("annexes.txt", b"convention " * 500_000, "text/plain")
    response = signed_in(personas.user("programme_manager")).post(
        URL, {"step": "read", "file": upload}
    )
    assert response.status_code == 400
    assert (
        said(
            "The file %(name)s is %(size)s; essor reads files of up to %(max)s. Keep only the "
            "article or the convention, or paste its text.",
            name="annexes.txt",
            size="5,5 MB",
            max="4,0 MB",
        )
        in response.content.decode()
    )


def test_a_text_too_long_to_send_is_refused_with_a_message(personas: Personas) -> None:
    response = signed_in(personas.user("programme_manager")).post(
        URL, {"step": "read", "text": "convention " * 600_000}
    )
    assert response.status_code == 400
    assert (
        said("The text is too long to be sent. Keep only the article or the convention.")
        in response.content.decode()
    )


def test_a_docx_file_is_read(personas: Personas) -> None:
    import docx

    document = docx.Document()
    for line in read("002").splitlines():
        document.add_paragraph(line)
    buffer = BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("contrat.docx", buffer.getvalue())
    response = signed_in(personas.user("programme_manager")).post(
        URL, {"step": "read", "file": upload}
    )
    assert response.status_code == 200
    assert "<mark>105,5 millions dirhams</mark>" in response.content.decode()


def test_a_pdf_file_is_read(personas: Personas) -> None:
    from weasyprint import HTML

    paragraphs = "".join(
        f"<p>{line}</p>" for line in read("001").split("Le 08/08/2023")[0].splitlines()
    )
    pdf = HTML(string=f"<html lang='fr'><body>{paragraphs}</body></html>").write_pdf()
    assert pdf is not None
    upload = SimpleUploadedFile("article.pdf", pdf, "application/pdf")
    response = signed_in(personas.user("programme_manager")).post(
        URL, {"step": "read", "file": upload}
    )
    html = response.content.decode()
    assert response.status_code == 200, html[:3000]
    assert "<mark>10 millions de dirhams</mark>" in html
    assert "<mark>Wali de la région</mark>" in html


def test_edited_text_is_cleaned_like_every_form(personas: Personas) -> None:
    client = signed_in(personas.user("programme_manager"))
    response = review(client, read("002"))
    data = as_sent(
        response, **{"d0-title": "Contrat\u202e programme\u200b ESS", "d0-reference": "CP-LSH"}
    )
    assert client.post(URL, data).status_code == 302
    assert Convention.objects.get().title_fr == "Contrat programme ESS"


def test_the_review_in_arabic_names_regions_in_arabic_and_french_values_run_left_to_right(
    personas: Personas,
) -> None:
    response = review(signed_in(personas.user("programme_manager"), "ar"), read("001"))
    page = lxml.html.fromstring(response.content.decode())
    assert page.xpath("//html/@dir") == ["rtl"]
    (region,) = page.xpath('//*[@data-field="region_0"]//strong')
    assert region.text_content().strip() == Region.objects.get(code="01").name_ar
    for name in ("d0-title", "d0-partner_0_name", "d0-committee_chair"):
        (field,) = page.xpath(f'//*[@name="{name}"]')
        assert (field.get("lang"), field.get("dir")) == ("fr", "auto")


def test_a_signed_conventions_text_saves_its_dates_and_lists_its_shares(
    personas: Personas,
) -> None:
    from .test_extraction_press import SIGNED_TEXT

    client = signed_in(personas.user("programme_manager"))
    response = review(client, SIGNED_TEXT)
    assert client.post(URL, as_sent(response)).status_code == 302
    convention = Convention.objects.get()
    assert (convention.start_on, convention.end_on, convention.signed_on) == (
        date(2025, 1, 1),
        date(2027, 12, 31),
        date(2024, 12, 15),
    )
    assert convention.envelope == Decimal("45000000.00")
    # Partners essor does not hold yet, with their shares: listed in the source, not lost.
    listed = convention.source.split("\n", 1)[0]
    assert listed.endswith("; Maroc PME, 10\u00a0000\u00a0000,00\u00a0DH.")
    assert "(CCIS-CS), 5\u00a0000\u00a0000,00\u00a0DH ;" in listed
