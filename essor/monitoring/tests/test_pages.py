"""Dashboards, the records behind a figure, the committee's report and the follow-ups, as users
meet them: in French and Arabic, with each role's rights."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from essor.core.testing import Personas
from essor.monitoring.indicators import Period
from essor.monitoring.models import FollowUp, FollowUpStatus
from essor.monitoring.reports import report_file

from .conftest import World

Y2025 = Period(2025, 2025)


def pdf_text(content: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def main_of(page: Any) -> str:
    """The page's own content, without the header (which names the signed-in user)."""
    return str(page.content.decode().split("<main", 1)[-1].split("</main>", 1)[0])


def arabic_in(phrase: str, text: str) -> bool:
    """pdfplumber gives right-to-left runs in display order, and reads a lam-alef ligature
    back as alef then lam: compare each line both ways, with the ligatures read that way."""
    for ligature in ("لأ", "لإ", "لآ", "لا"):
        phrase = phrase.replace(ligature, ligature[::-1])
    lines = text.splitlines()
    return any(phrase in line or phrase in line[::-1] for line in lines)


def test_the_arabic_report_is_right_to_left_shaped_text_with_the_figures(world: World) -> None:
    content, content_type, name = report_file(world.c1, Y2025, lang="ar", fmt="pdf")
    assert content_type == "application/pdf"
    assert name.endswith("-2025-ar.pdf")
    text = pdf_text(content)
    # Real Arabic letters (not presentation forms drawn one by one) in the HTML parts.
    assert arabic_in("تقرير لجنة التتبع", text)
    assert arabic_in("الأهداف مقارنة بالإنجازات", text)
    assert arabic_in("حاملو المشاريع المستفيدون", text)
    assert "1.000.000,00" in text  # the budget line, in the Arabic number format
    assert "20.000,00" in text  # disbursed in 2025 (the reversed tranche is not counted)
    assert "66,7" in text  # share of women


def test_the_report_for_publication_hides_groups_under_five_people(world: World) -> None:
    private = pdf_text(report_file(world.c1, Y2025, lang="fr", fmt="pdf")[0])
    public = pdf_text(report_file(world.c1, Y2025, lang="fr", fmt="pdf", public=True)[0])
    assert "< 5" not in private
    assert "< 5" in public
    # 3 holders reached: the publication shows "< 5", never the count.
    assert re.search(r"Porteurs de projets touchés\s+3", private)
    assert not re.search(r"Porteurs de projets touchés\s+3", public)


def test_the_report_command_writes_the_file_with_progress(world: World, tmp_path: Any) -> None:
    output = tmp_path / "report.pdf"
    call_command(
        "report",
        "convention",
        world.c1.reference,
        "--period",
        "2025",
        "--lang",
        "ar",
        "--format",
        "pdf",
        "-o",
        str(output),
        verbosity=0,
    )
    assert output.read_bytes().startswith(b"%PDF")
    xlsx = tmp_path / "report.xlsx"
    call_command(
        "report",
        "convention",
        world.c1.reference,
        "--period",
        "2025",
        "--format",
        "xlsx",
        "-o",
        str(xlsx),
        verbosity=0,
    )
    assert xlsx.read_bytes().startswith(b"PK")


def test_the_report_command_refuses_an_unknown_convention_or_period(world: World) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No convention has the reference"):
        call_command("report", "convention", "NOPE", "--period", "2025", verbosity=0)
    with pytest.raises(CommandError, match="2023-2025"):
        call_command("report", "convention", world.c1.reference, "--period", "25", verbosity=0)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_every_dashboard_renders_in_both_languages(
    world: World, personas: Personas, client_for: Any, lang: str
) -> None:
    client = client_for(personas.user("committee_member"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    for url in (
        "/monitoring/",
        "/monitoring/national/?period=2025",
        f"/monitoring/regions/{world.rural.region.code}/?period=2025",
        f"/monitoring/conventions/{world.c1.pk}/?period=2023-2025",
        f"/monitoring/programmes/{world.p1_prog.pk}/?period=2025",
        "/monitoring/indicators/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert f'dir="{"rtl" if lang == "ar" else "ltr"}"' in page.content.decode()
    board = client.get(f"/monitoring/conventions/{world.c1.pk}/?period=2025").content.decode()
    assert "<svg" in board
    assert "<script" not in board.split("<main", 1)[-1].split("</main>")[0]


def test_a_period_typed_wrong_shows_why_and_the_current_year(
    world: World, personas: Personas, client_for: Any
) -> None:
    page = client_for(personas.user("committee_member")).get(
        f"/monitoring/conventions/{world.c1.pk}/?period=hier"
    )
    assert page.status_code == 200
    assert "n’est pas une période" in page.content.decode() or "n'est pas une période" in (
        page.content.decode()
    )


def test_the_records_behind_a_figure_respect_who_may_see_them(
    world: World, personas: Personas, client_for: Any
) -> None:
    url = f"/monitoring/records/convention/{world.c1.pk}/holders_reached/?period=2025"
    mine = client_for(personas.user("programme_manager")).get(url)
    assert mine.status_code == 200
    body = main_of(mine)
    assert "Amina" in body
    assert "Youssef" in body
    assert "Khadija" in body
    assert "Salma" not in body  # archived: not counted, not listed
    # The committee sees figures, not people.
    assert client_for(personas.user("committee_member")).get(url).status_code == 404


def test_another_partners_staff_see_the_count_but_not_the_people(
    world: World, personas: Personas, client_for: Any
) -> None:
    url = f"/monitoring/records/convention/{world.c1.pk}/holders_reached/?period=2025"
    page = client_for(personas.user("programme_manager", "other")).get(url)
    assert page.status_code == 200
    body = main_of(page)
    assert "Amina" not in body
    assert (page.context["total"], page.context["hidden"]) == (3, 3)


def test_a_counsellor_records_a_due_follow_up_and_the_figures_follow(
    world: World, personas: Personas, client_for: Any
) -> None:
    client = client_for(personas.user("counsellor"))
    due = world.waves[24]
    listing = client.get("/monitoring/follow-ups/").content.decode()
    assert f"/monitoring/follow-ups/{due.pk}/" in listing
    refused = client.post(
        f"/monitoring/follow-ups/{due.pk}/",
        {"reached": "yes", "done_on": "2026-01-20", "channel": "phone", "active": "unknown"},
    )
    assert refused.status_code == 400
    assert "Dites si l’activité fonctionne toujours" in refused.content.decode()
    due.refresh_from_db()
    assert due.status == FollowUpStatus.DUE
    done = client.post(
        f"/monitoring/follow-ups/{due.pk}/",
        {
            "reached": "yes",
            "done_on": "2026-01-20",
            "channel": "phone",
            "active": "false",
            "jobs_created": "0",
            "jobs_kept": "0",
        },
    )
    assert done.status_code == 302
    due.refresh_from_db()
    assert (due.status, due.active) == (FollowUpStatus.DONE, False)
    assert due.history.first().history_change_reason == "monitoring.follow_up.done"


def test_another_partners_counsellor_cannot_see_or_record_the_follow_up(
    world: World, personas: Personas, client_for: Any
) -> None:
    client = client_for(personas.user("counsellor", "other"))
    due = world.waves[24]
    assert (
        f"/monitoring/follow-ups/{due.pk}/"
        not in client.get("/monitoring/follow-ups/").content.decode()
    )
    answer = client.post(
        f"/monitoring/follow-ups/{due.pk}/",
        {"reached": "no", "done_on": "2026-01-20", "channel": "phone"},
    )
    assert answer.status_code == 404
    assert FollowUp.objects.get(pk=due.pk).status == FollowUpStatus.DUE


def test_the_api_gives_breakdowns_and_targets(
    world: World, personas: Personas, api_for: Any
) -> None:
    api = api_for(personas.user("committee_member"))
    by_sex = api.get(
        "/api/v1/indicators",
        {"scope": "convention", "id": world.c1.pk, "period": "2025", "by": "sex"},
    )
    assert by_sex.status_code == 200
    rows = {row["key"]: row["values"]["holders_reached"] for row in by_sex.json()["rows"]}
    assert rows == {"F": 2, "M": 1, "": 0}
    targets = api.get(f"/api/v1/conventions/{world.c1.pk}/targets-status", {"period": "2025"})
    assert {t["indicator"]: t["status"] for t in targets.json()} == {
        "holders_reached": "at_risk",
        "women_pct": "reached",
        "holders_trained": "late",
    }
    bad = api.get("/api/v1/indicators", {"scope": "convention", "id": world.c1.pk, "period": "x"})
    assert bad.status_code == 400
    assert "period" in bad.json()


def test_the_api_records_a_follow_up_for_the_holders_partner_only(
    world: World, personas: Personas, api_for: Any
) -> None:
    due = world.waves[24]
    other = api_for(personas.user("counsellor", "other"))
    assert other.post(f"/api/v1/follow-ups/{due.pk}/record", {"reached": False}).status_code == 404
    mine = api_for(personas.user("counsellor"))
    answer = mine.post(
        f"/api/v1/follow-ups/{due.pk}/record",
        {
            "reached": True,
            "active": True,
            "jobs_created": 3,
            "jobs_kept": 1,
            "done_on": "2026-01-18",
        },
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["jobs_created"] == 3


def test_recomputing_the_figures_from_the_page_takes_in_new_records(
    world: World, personas: Personas, client_for: Any
) -> None:
    from essor.accompaniment.models import Participant, Session
    from essor.monitoring.indicators import Scope, compute
    from essor.registry.tests.factories import make_person

    session = Session.objects.filter(programme=world.p1_prog).order_by("starts_at").last()
    assert session is not None
    newcomer = make_person(personas.own, first_name="Nadia", sex="F")
    Participant.objects.create(session=session, person=newcomer, present=True)
    assert compute(Scope("convention", world.c1), Y2025)["holders_reached"] == 3
    reader = client_for(personas.user("committee_member"))
    assert reader.post("/monitoring/refresh/", {"next": "/monitoring/"}).status_code == 404
    assert compute(Scope("convention", world.c1), Y2025)["holders_reached"] == 3
    client = client_for(personas.user("programme_manager"))
    answer = client.post("/monitoring/refresh/", {"next": "https://evil.example/"})
    assert answer.status_code == 302
    assert answer["Location"] == "/monitoring/"  # never sent elsewhere
    assert compute(Scope("convention", world.c1), Y2025)["holders_reached"] == 4


def test_amounts_in_the_arabic_dashboard_use_the_arabic_currency() -> None:
    from essor.monitoring.dashboards import display

    with translation.override("ar"):
        assert display("funding_disbursed", Decimal("20000")) == "20.000,00\xa0درهم"
    with translation.override("fr"):
        assert display("funding_disbursed", Decimal("20000")) == "20\xa0000,00\xa0DH"


def test_a_shared_holder_is_counted_but_not_listed_for_the_partner_that_did_not_support_them(
    world: World, personas: Personas, client_for: Any
) -> None:
    from essor.registry.models import PersonHolding

    PersonHolding.objects.create(person=world.amina, partner=personas.other, source="test")
    url = f"/monitoring/records/convention/{world.c1.pk}/holders_reached/?period=2025"
    page = client_for(personas.user("programme_manager", "other")).get(url)
    assert page.status_code == 200
    assert "Amina" not in main_of(page)  # she is theirs too, but this support is not
    assert (page.context["total"], page.context["hidden"]) == (3, 3)


def test_reading_shared_records_does_not_allow_recording_their_follow_ups(
    world: World, personas: Personas, client_for: Any, api_for: Any
) -> None:
    from essor.accounts.services import sharing_grant

    sharing_grant(actor=None, holder=personas.own, grantee=personas.other, purpose="suivi")
    due = world.waves[24]
    reader = personas.user("counsellor", "other")
    assert client_for(reader).get(f"/monitoring/follow-ups/{due.pk}/").status_code == 200
    posted = client_for(reader).post(
        f"/monitoring/follow-ups/{due.pk}/",
        {"reached": "no", "done_on": "2026-01-20", "channel": "phone"},
    )
    assert posted.status_code == 404
    api = api_for(reader).post(
        f"/api/v1/follow-ups/{due.pk}/record", {"reached": False}, format="json"
    )
    assert api.status_code == 404
    assert FollowUp.objects.get(pk=due.pk).status == FollowUpStatus.DUE


def test_a_report_in_an_unknown_format_or_period_is_refused_clearly(
    world: World, personas: Personas, client_for: Any
) -> None:
    client = client_for(personas.user("committee_member"))
    assert client.get(f"/monitoring/conventions/{world.c1.pk}/report.csv").status_code == 404
    bad = client.get(f"/monitoring/conventions/{world.c1.pk}/report.pdf?period=demain")
    assert bad.status_code == 400
    assert "n’est pas une période" in bad.content.decode()


def test_the_report_for_publication_hides_shares_computed_on_fewer_than_five(
    world: World,
) -> None:
    public = pdf_text(report_file(world.c1, Y2025, lang="fr", fmt="pdf", public=True)[0])
    # Women 2 of 3, young 2 of 3, rural 1 of 2: none is shown.
    assert "66,7 %" not in public
    assert "50,0 %" not in public


def test_a_dashboard_asks_a_fixed_number_of_queries_whatever_the_data(
    world: World, personas: Personas, client_for: Any
) -> None:
    """Figures come from grouped queries: no query per programme, province or holder."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from essor.conventions.tests.factories import make_line, make_programme
    from essor.monitoring.facts import refresh
    from essor.programmes.models import Application, Enrollment
    from essor.registry.tests.factories import make_person

    client = client_for(personas.user("committee_member"))
    urls = [
        f"/monitoring/conventions/{world.c1.pk}/?period=2025",
        "/monitoring/national/?period=2025",
    ]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries.captured_queries))
        return found

    before = counts()
    # One more programme on the convention, and holders in another province.
    programme = make_programme(personas.own, make_line(world.c1, personas.own, amount="10000"))
    for n, commune in enumerate(world.urban.province.communes.all()[:3]):
        person = make_person(personas.own, first_name=f"Nouveau {n}", commune=commune)
        application = Application.objects.create(
            holder=personas.own,
            programme=programme,
            person=person,
            receipt=f"Q-{n}",
            channel="office",
            status="enrolled",
            submitted_on=date(2025, 5, 2),
        )
        Enrollment.objects.create(application=application, started_on=date(2025, 5, 20))
    refresh()
    assert counts() == before
    assert before[0] < 60
    assert before[1] < 40
