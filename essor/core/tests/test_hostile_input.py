"""Hostile input in the forms: injection strings and invisible characters.

Each main form is sent with an attack string in every text field. A field that checks its
format (a CIN, an e-mail, a code) refuses it with a message beside the field, showing what was
typed, escaped; every other field stores it as typed, and every page that shows it escapes it.
The database is intact afterwards. Names lose the invisible characters that would let them
reverse a table row or hide a duplicate; free text keeps them and is shown isolated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from essor.accompaniment.forms import GroupForm, GroupLogForm
from essor.accompaniment.models import Group, GroupLog
from essor.conventions import services as convention_services
from essor.conventions.forms import ConventionForm, MeetingForm
from essor.conventions.models import Convention, Meeting
from essor.conventions.tests.factories import make_convention, make_line, make_programme
from essor.core.testing import Personas
from essor.core.text import clean_line, clean_text, spreadsheet_cell
from essor.programmes.forms import ProgrammeForm
from essor.programmes.forms_applications import ApplicationForm
from essor.programmes.models import Application, Programme
from essor.registry.forms import OrganisationForm, PersonForm
from essor.registry.models import Organisation, Person, Sector
from essor.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db

INJECTIONS = [
    "'; DROP TABLE registry_person;--",
    '" OR 1=1 --',
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}",
    "${7*7}",
]
# What must never reach a page as markup.
RAW_MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]

RLO, LRO, PDF, RLI, PDI = "\u202e", "\u202d", "\u202c", "\u2067", "\u2069"
LRM, RLM, ZWSP, ZWJ, BOM, NUL = "\u200e", "\u200f", "\u200b", "\u200d", "\ufeff", "\x00"
INVISIBLE = [RLO, LRO, PDF, RLI, PDI, LRM, RLM, ZWSP, ZWJ, BOM, NUL, "\u202a", "\u202b", "\u2066"]


@dataclass
class FormCase:
    """A form of a page: where it is sent, what it needs besides the attack, what it creates
    and the pages that show it."""

    name: str
    form: type[forms.Form]
    model: type[Model]
    url: Callable[[Any], str]
    base: Callable[[Any, int], dict[str, Any]]
    pages: Callable[[Any, Model], list[str]]
    role: str = "admin"

    def created(self) -> Model:
        return self.model._default_manager.order_by("-pk")[0]


class World:
    def __init__(self, personas: Personas) -> None:
        own = personas.own
        self.personas = personas
        self.convention = make_convention(own)
        line = make_line(self.convention, own)
        self.programme = make_programme(own, line)
        convention_services.committee_set(
            actor=None, convention=self.convention, name="Comité de suivi"
        )
        # One applicant per attack: a holder applies once to a programme.
        self.holders = [
            make_person(own, first_name="Amina", last_name=f"Alaoui{n}", cin=f"AB12345{n}")
            for n in range(len(INJECTIONS))
        ]
        self.sector = Sector.objects.order_by("pk")[0]
        self.counsellor = personas.user("counsellor")
        self.group = Group.objects.create(
            holder=own,
            name="Groupe des couturières",
            sector=self.sector,
            counsellor=self.counsellor,
            started_on=date(2025, 1, 1),
        )


CASES = [
    FormCase(
        "person",
        PersonForm,
        Person,
        url=lambda w: reverse("registry:person_create"),
        base=lambda w, n: {"first_name": "Amina", "last_name": f"Test{n}", "sex": "F"},
        pages=lambda w, p: [
            reverse("registry:person", args=[p.pk]),
            reverse("registry:persons"),
            reverse("registry:person_edit", args=[p.pk]),
        ],
    ),
    FormCase(
        "organisation",
        OrganisationForm,
        Organisation,
        url=lambda w: reverse("registry:organisation_create"),
        base=lambda w, n: {"kind": "cooperative", "name_fr": f"Coopérative {n}"},
        pages=lambda w, o: [
            reverse("registry:organisation", args=[o.pk]),
            reverse("registry:organisations"),
        ],
    ),
    FormCase(
        "convention",
        ConventionForm,
        Convention,
        url=lambda w: reverse("conventions:convention_create"),
        base=lambda w, n: {
            "reference": f"CONV-{n}",
            "kind": "partnership",
            "title_fr": f"Convention {n}",
            "envelope": "1000000",
        },
        pages=lambda w, c: [
            reverse("conventions:convention", args=[c.pk]),
            reverse("conventions:conventions"),
        ],
    ),
    FormCase(
        "programme",
        ProgrammeForm,
        Programme,
        url=lambda w: reverse("programmes:programme_create"),
        base=lambda w, n: {"code": f"prog-x{n}", "name_fr": f"Programme {n}"},
        pages=lambda w, p: [
            reverse("programmes:programme", args=[p.pk]),
            reverse("programmes:programmes"),
        ],
    ),
    FormCase(
        "application",
        ApplicationForm,
        Application,
        url=lambda w: reverse("programmes:application_create", args=[w.programme.pk]),
        base=lambda w, n: {"beneficiary": w.holders[n].cin, "submitted_on": "2025-03-01"},
        pages=lambda w, a: [
            reverse("programmes:application", args=[a.pk]),
            reverse("programmes:applications", args=[w.programme.pk]),
        ],
    ),
    FormCase(
        "committee meeting",
        MeetingForm,
        Meeting,
        url=lambda w: reverse("conventions:meeting_add", args=[w.convention.pk]),
        base=lambda w, n: {"held_on": "2025-05-02"},
        pages=lambda w, m: [reverse("conventions:committee", args=[w.convention.pk])],
    ),
    FormCase(
        "counselling group",
        GroupForm,
        Group,
        url=lambda w: reverse("accompaniment:group_create"),
        base=lambda w, n: {
            "name": f"Groupe {n}",
            "sector": w.sector.pk,
            "counsellor": w.counsellor.pk,
            "started_on": "2025-01-01",
        },
        pages=lambda w, g: [reverse("accompaniment:group", args=[g.pk])],
    ),
    FormCase(
        "group log",
        GroupLogForm,
        GroupLog,
        url=lambda w: reverse("accompaniment:group", args=[w.group.pk]),
        base=lambda w, n: {"on": "2025-02-01", "needs": f"Besoin {n}"},
        pages=lambda w, log: [reverse("accompaniment:group", args=[w.group.pk])],
    ),
]


def text_fields(form: type[forms.Form]) -> list[str]:
    """Every field of the form that takes typed text (not a choice, a date or a number)."""
    return [name for name, f in form.base_fields.items() if isinstance(f, forms.CharField)]


def assert_harmless(html: str, payload: str) -> None:
    for markup in RAW_MARKUP:
        assert markup not in html.lower(), f"{markup!r} reached the page unescaped"
    assert escape(payload) in html or escape(payload.upper()) in html, (
        f"{payload!r} is not on the page"
    )


def table_count(model: type[Model]) -> int:
    """The table, counted in SQL: still there and readable after the attack."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {model._meta.db_table}")
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_injection_strings_in_every_text_field_are_refused_clearly_or_stored_and_escaped(
    personas: Personas, client_for: Any, case: FormCase
) -> None:
    world = World(personas)
    client: Client = client_for(personas.user(case.role))
    fields = text_fields(case.form)
    assert fields, f"the {case.name} form has no text field"
    for number, payload in enumerate(INJECTIONS):
        before = table_count(case.model)
        base = case.base(world, number)
        sent = base | dict.fromkeys(fields, payload)
        response = client.post(case.url(world), sent)
        refused: list[str] = []
        # The form refuses what breaks a format (an e-mail), then the service what breaks a
        # rule (a CIN): each time with a message by the field, showing what was typed, escaped.
        while response.status_code in (200, 400) and len(refused) < len(fields):
            errors = response.context["form"].errors
            new = [name for name in fields if name in errors and name not in refused]
            assert new, f"{case.name}: {payload!r} refused without saying why: {errors}"
            assert all(errors[name] for name in new)
            assert_harmless(response.content.decode(), payload)
            refused += new
            sent |= {name: base.get(name, "") for name in new}
            response = client.post(case.url(world), sent)
        assert response.status_code == 302, response.status_code
        record = case.created()
        stored = [name for name in fields if name not in refused and hasattr(record, name)]
        assert stored, f"{case.name}: nothing of {payload!r} was stored"
        for name in stored:
            value = getattr(record, name)
            if isinstance(value, str):
                assert value == payload, (case.name, name, value)
        for url in case.pages(world, record):
            page = client.get(url)
            assert page.status_code == 200, url
            assert_harmless(page.content.decode(), payload)
        assert table_count(case.model) == before + 1
    assert table_count(Person) >= 1  # the registry's table is still there


# --- Invisible characters ----------------------------------------------------------------------


def test_a_name_with_a_right_to_left_override_cannot_reverse_the_rest_of_the_row(
    personas: Personas, client_for: Any
) -> None:
    client = client_for(personas.user("data_clerk"))
    response = client.post(
        reverse("registry:person_create"),
        {
            "first_name": f"Amina{RLO}",
            "last_name": f"{LRO}Alaoui{PDF}{ZWSP}",
            "first_name_ar": f"{RLI}أمينة{PDI}{RLM}",
            "address": f"12 rue{NUL} des Oliviers{BOM}",
            "sex": "F",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.first_name, person.last_name, person.first_name_ar) == (
        "Amina",
        "Alaoui",
        "أمينة",
    )
    assert person.address == "12 rue des Oliviers"
    listing = client.get(reverse("registry:persons")).content.decode()
    assert "Alaoui" in listing
    assert not any(char in listing for char in INVISIBLE)


def test_a_name_made_only_of_invisible_characters_is_said_to_be_missing(
    personas: Personas, client_for: Any
) -> None:
    client = client_for(personas.user("data_clerk"))
    response = client.post(
        reverse("registry:person_create"),
        {"first_name": RLO + ZWSP, "last_name": LRM + NUL, "sex": "F"},
    )
    assert response.status_code == 200
    assert "Indiquez au moins un nom" in response.content.decode()
    assert Person.objects.count() == 0


def test_a_zero_width_character_does_not_hide_a_duplicate(
    personas: Personas, client_for: Any
) -> None:
    """The same name with an invisible joiner inside is the same name: stored the same."""
    make_person(personas.own, first_name="Amina", last_name="Alaoui", birth_date=date(1990, 1, 1))
    client = client_for(personas.user("data_clerk"))
    client.post(
        reverse("registry:person_create"),
        {"first_name": f"Ami{ZWJ}na", "last_name": f"Ala{ZWSP}oui", "sex": "F"},
    )
    assert set(Person.objects.values_list("first_name", "last_name")) == {("Amina", "Alaoui")}


def test_arabic_names_keep_their_letters_and_vowel_marks(
    personas: Personas, client_for: Any
) -> None:
    client = client_for(personas.user("data_clerk"))
    client.post(
        reverse("registry:person_create"),
        {"first_name_ar": "  مُحَمَّد  ", "last_name_ar": "العلوي\u200f", "sex": "M"},
    )
    person = Person.objects.get()
    assert (person.first_name_ar, person.last_name_ar) == ("مُحَمَّد", "العلوي")
    page = client.get(reverse("registry:person", args=[person.pk])).content.decode()
    assert "مُحَمَّد" in page


def test_free_text_keeps_its_direction_marks_and_is_shown_isolated(
    personas: Personas, client_for: Any
) -> None:
    """A description mixing Arabic and French keeps what the writer typed, NUL aside, and the
    page isolates it: an override inside cannot reorder the labels around it."""
    world = World(personas)
    client = client_for(personas.user("admin"))
    description = f"Atelier {RLO}de couture{PDF} — خياطة{NUL}\r\nDeuxième ligne"
    response = client.post(
        reverse("programmes:application_create", args=[world.programme.pk]),
        {
            "beneficiary": world.holders[0].cin,
            "project_title": f"Couture{RLO} fine",
            "project_description": description,
            "submitted_on": "2025-03-01",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.project_title == "Couture fine"
    assert application.project_description == (
        f"Atelier {RLO}de couture{PDF} — خياطة\nDeuxième ligne"
    )
    page = client.get(reverse("programmes:application", args=[application.pk])).content.decode()
    shown = re.search(r'<p dir="auto">(.*?)</p>', page, re.S)
    assert shown is not None
    assert RLO in shown.group(1)
    assert "Deuxième ligne" in shown.group(1)


def test_the_api_cleans_names_as_the_forms_do(personas: Personas, api_for: Any) -> None:
    api = api_for(personas.user("data_clerk"))
    response = api.post(
        "/api/v1/persons",
        {"first_name": f"Amina{RLO}", "last_name": f"Ala{ZWSP}oui{NUL}", "sex": "F"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["first_name"], response.json()["last_name"]) == ("Amina", "Alaoui")


def test_the_api_cleans_titles_as_names_and_keeps_free_text(
    personas: Personas, api_for: Any
) -> None:
    api = api_for(personas.user("admin"))
    response = api.post(
        "/api/v1/conventions",
        {
            "reference": f"CONV{ZWSP}-1",
            "title_fr": f"{RLO}Convention de l'Oriental",
            "objectives_fr": f"Former {RLO}200{PDF} porteurs\r\nen 2026",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    convention = Convention.objects.get()
    assert (convention.reference, convention.title_fr) == ("CONV-1", "Convention de l'Oriental")
    assert convention.objectives_fr == f"Former {RLO}200{PDF} porteurs\nen 2026"


# --- The rules themselves ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (f"Amina{RLO} ilawlA", "Amina ilawlA"),
        ("  أمينة \t العلوي \n", "أمينة العلوي"),
        (f"{LRM}Fatima{ZWSP}-Zahra{NUL}", "Fatima-Zahra"),
        ("Ame\u0301lie", "Amélie"),  # NFC: the same letters typed on two keyboards
        ("مُحَمَّد", "مُحَمَّد"),
        (None, ""),
    ],
)
def test_clean_line(typed: Any, stored: str) -> None:
    assert clean_line(typed) == stored


def test_clean_text_keeps_lines_and_direction_but_no_controls() -> None:
    assert clean_text(f"Ligne 1\r\nLigne {RLO}2{PDF}\x00\x07\n") == f"Ligne 1\nLigne {RLO}2{PDF}"
    assert clean_text("\ud800 seul") == "? seul"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","clic")', '\'=HYPERLINK("http://x","clic")'),
        ("+212 6 61 23 45 67", "'+212 6 61 23 45 67"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("＝1+1", "'＝1+1"),
        ("Amina", "Amina"),
        (-12, -12),
        (Decimal("-3.5"), Decimal("-3.5")),
        (None, None),
    ],
)
def test_spreadsheet_cell(value: Any, cell: Any) -> None:
    assert spreadsheet_cell(value) == cell


# --- What the address carries -------------------------------------------------------------------

SEARCHES = [
    ("registry:persons", ["q", "sex", "commune", "offset"]),
    ("registry:organisations", ["q", "kind", "commune", "page"]),
    ("conventions:conventions", ["q", "status"]),
    ("accounts:partners", ["q"]),
    ("territory:communes", ["q", "kind", "region", "page"]),
]


@pytest.mark.parametrize(("page", "params"), SEARCHES, ids=[page for page, _ in SEARCHES])
def test_search_boxes_and_filters_take_attacks_and_absurd_numbers(
    personas: Personas, client_for: Any, page: str, params: list[str]
) -> None:
    """Whatever the address says, the list answers (or says what is wrong), never a server
    error; what it repeats of the search is escaped."""
    client = client_for(personas.user("admin"))
    for value in [*INJECTIONS, "9" * 30, "-1", "Amina" * 50]:
        for param in params:
            response = client.get(reverse(page), {param: value})
            assert response.status_code in (200, 400), (page, param, value)
            html = response.content.decode()
            for markup in RAW_MARKUP:
                assert markup not in html.lower(), (page, param)
        if value in INJECTIONS and "q" in params:
            echoed = client.get(reverse(page), {"q": value}).content.decode()
            assert escape(value) in echoed, (page, value)


def test_a_nul_in_the_address_is_refused_with_a_message(
    personas: Personas, client_for: Any, api_for: Any, settings: Any
) -> None:
    """PostgreSQL refuses a NUL even in a comparison: the guard answers first, for the pages
    and the API alike (it must be in MIDDLEWARE, see essor.core.middleware)."""
    settings.MIDDLEWARE = ["essor.core.middleware.RejectNulMiddleware", *settings.MIDDLEWARE]
    client = client_for(personas.user("admin"))
    for page, params in SEARCHES:
        for param in params:
            response = client.get(reverse(page), {param: f"Amina{NUL}"})
            assert response.status_code == 400, (page, param)
            assert "NUL" in response.content.decode()
    api = api_for(personas.user("admin"))
    response = api.get("/api/v1/persons", {"q": f"Amina{NUL}"})
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
