"""Helpers of the route matrix test: every route essor serves, and a digest of the database.

``list_routes`` walks Django's URL resolver (``config.urls``: pages, the API router, the public
pages and the admin) and gives each route's name, pattern, URL arguments and the HTTP methods
its view accepts. ``database_digest`` gives, for every table, its row count and a checksum of
its rows, so that a test can say "this request changed nothing" by comparing two digests.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# A function view without a method decorator that reads ``request.method`` or ``request.POST``
# takes GET and POST; one that reads neither answers any method as a GET: it takes GET.
UNDECLARED = frozenset({"GET", "POST"})


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str  # readable: ``registry/persons/<int:pk>/``, ``api/v1/persons/<pk>``
    params: tuple[str, ...]
    methods: frozenset[str]
    view: str  # dotted path of the view, to find it

    @property
    def key(self) -> str:
        """The name, or the pattern of an unnamed route (the admin's redirects)."""
        return self.name or self.pattern

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    @property
    def writes(self) -> tuple[str, ...]:
        return tuple(m for m in WRITE_METHODS if m in self.methods)


_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _readable(pattern: str) -> str:
    """``^persons/(?P<pk>[^/.]+)$`` -> ``persons/<pk>``."""
    return _REGEX_GROUP.sub(r"<\1>", pattern).replace("^", "").replace("$", "")


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str | None = None
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + _readable(str(entry.pattern)), inner)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            yield name, prefix + _readable(str(entry.pattern)), entry


def _declared_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The methods a ``require_http_methods`` decorator (``require_POST``…) lets through."""
    seen: Callable[..., Any] | None = view
    while seen is not None:
        try:
            closure = inspect.getclosurevars(seen).nonlocals
        except (TypeError, ValueError):
            closure = {}
        allowed = closure.get("request_method_list")
        if allowed:
            return frozenset(m.upper() for m in allowed)
        seen = getattr(seen, "__wrapped__", None)
    return None


def view_methods(view: Callable[..., Any]) -> frozenset[str]:
    """The HTTP methods a view accepts (HEAD and OPTIONS left out)."""
    actions = getattr(view, "actions", None)  # a DRF viewset's route: {"get": "list", …}
    if actions:
        offered = set(getattr(getattr(view, "cls", None), "http_method_names", actions))
        return frozenset(m.upper() for m in actions if m in offered)
    view_class = getattr(view, "view_class", None) or getattr(view, "cls", None)
    if view_class is not None:  # a class-based view (Django's or DRF's)
        return frozenset(
            m.upper()
            for m in view_class.http_method_names
            if m not in ("head", "options", "trace") and hasattr(view_class, m)
        )
    declared = _declared_methods(view)
    if declared is not None:
        return declared - {"HEAD", "OPTIONS"}
    return UNDECLARED if _reads_the_method(view) else frozenset({"GET"})


_POSTED = re.compile(r"request\.(method|POST|FILES|body)\b")


def _reads_the_method(view: Callable[..., Any]) -> bool:
    """Whether a function view looks at what was posted (else it answers a POST as a GET)."""
    inner: Any = view
    while hasattr(inner, "__wrapped__"):
        inner = inner.__wrapped__
    try:
        source = inspect.getsource(inner)
    except (OSError, TypeError):
        return True
    return bool(_POSTED.search(source))


def _view_path(view: Callable[..., Any]) -> str:
    target = getattr(view, "cls", None) or getattr(view, "view_class", None) or view
    while hasattr(target, "__wrapped__") and not hasattr(target, "view_class"):
        target = target.__wrapped__
    return f"{target.__module__}.{getattr(target, '__qualname__', target)}"


def list_routes(urlconf: str | None = None) -> list[Route]:
    """Every named route of the URL configuration, in the order Django tries them."""
    routes = []
    for name, pattern, entry in _walk(get_resolver(urlconf).url_patterns):
        compiled = entry.pattern.regex
        # Named groups, and unnamed ones (a few of the admin's patterns) as "_1", "_2"…
        unnamed = tuple(f"_{i}" for i in range(1, compiled.groups - len(compiled.groupindex) + 1))
        routes.append(
            Route(
                name=name,
                pattern=pattern,
                params=tuple(compiled.groupindex) + unnamed,
                methods=view_methods(entry.callback),
                view=_view_path(entry.callback),
            )
        )
    return routes


# --- The digest of the database -------------------------------------------------------------

# Sessions are the test clients' own state, not data a request may change.
DIGEST_SKIP = frozenset({"django_session"})


def _tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every concrete table, many-to-many ones included."""
    tables: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in DIGEST_SKIP:
            continue
        tables[meta.db_table] = meta.pk.column
    return sorted(tables.items())


def database_digest() -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of all its rows (ordered by primary key)."""
    quote = connection.ops.quote_name
    digest: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for table, pk in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")
            rows = cursor.fetchall()
            checksum = hashlib.blake2b(repr(rows).encode(), digest_size=12).hexdigest()
            digest[table] = (len(rows), checksum)
    return digest


def digest_changes(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> str:
    """The tables whose rows changed, with their counts: ``registry_person 3 -> 4``."""
    changed = [
        f"{table} {before.get(table, (0, ''))[0]} -> {after.get(table, (0, ''))[0]} rows"
        for table in sorted(set(before) | set(after))
        if before.get(table) != after.get(table)
    ]
    return ", ".join(changed)


def write_count() -> int | None:
    """Rows written so far on this connection, when the database can say it cheaply.

    SQLite counts every row inserted, changed or deleted by the connection
    (``total_changes()``), PostgreSQL those of the current transaction
    (``pg_stat_xact_user_tables``): when the count has not moved, nothing was written and the
    digest need not be computed again. ``None`` elsewhere: compute the digest every time.
    """
    queries = {
        "sqlite": "SELECT total_changes()",
        "postgresql": "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
        "FROM pg_stat_xact_user_tables",
    }
    if connection.vendor not in queries:
        return None
    with connection.cursor() as cursor:
        cursor.execute(queries[connection.vendor])
        return int(cursor.fetchone()[0])


# --- The fixture world ----------------------------------------------------------------------
#
# One object of every kind for each side: the actor's partner ("own"), another partner
# ("other") and a partner that shares its personal records with the actor's ("shared", read
# only). Each side's persons carry sentinel strings (names, CINs, a phone) found nowhere else,
# so that a page or an answer that shows them where it should not is caught by a substring.


@dataclass(frozen=True)
class Sentinel:
    first_name: str
    last_name: str
    cins: tuple[str, str, str, str]
    phone: str  # as typed: 06…

    def strings(self) -> list[str]:
        """Every way the data may be written in a page, an answer or an export."""
        national = self.phone[1:]
        spaced = " ".join([self.phone[:2], *(self.phone[i : i + 2] for i in range(2, 10, 2))])
        return [
            self.first_name,
            self.last_name,
            *self.cins,
            self.phone,
            spaced,
            f"+212{national}",
            f"212{national}",
        ]


SENTINELS = {
    "own": Sentinel(
        "Ghitane", "Oualidrix", ("ZA918273", "ZA918274", "ZA918275", "ZA918276"), "0677123981"
    ),
    "other": Sentinel(
        "Zhorane", "Qiblawix", ("ZQ918273", "ZQ918274", "ZQ918275", "ZQ918276"), "0677123982"
    ),
    "shared": Sentinel(
        "Nawalet", "Brahimoux", ("ZS918273", "ZS918274", "ZS918275", "ZS918276"), "0677123983"
    ),
}


class Side:
    """The objects of one side; attributes name them (``side.person``, ``side.line``…)."""

    partner: Any
    person: Any
    twin: Any
    organisation: Any
    organisation_twin: Any
    convention: Any
    action_item: Any
    line: Any
    programme: Any
    rule: Any
    application: Any
    enrolled: Any
    follow_up: Any
    commitment: Any
    approved: Any
    disbursement: Any
    session: Any
    group: Any
    diagnostic: Any
    tour: Any
    import_job: Any
    person_pair: Any
    organisation_pair: Any
    merge: Any
    user: Any


def _csv_with(sentinel: Sentinel) -> bytes:
    rows = [
        "Nom;Prénom;CIN;Téléphone;Date de naissance",
        # A birth date that does not exist: the row is rejected, its cells kept for the CSV.
        f"{sentinel.last_name};{sentinel.first_name};{sentinel.cins[3]};{sentinel.phone};"
        "31/02/1990",
    ]
    return ("\n".join(rows) + "\n").encode()


def build_side(name: str, partner: Any, staff: dict[str, Any], number: int) -> Side:
    """Every kind of object for ``partner``, its persons named after ``SENTINELS[name]``."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from essor.accompaniment import services as accompaniment
    from essor.accompaniment.models import Area, Tour, TourStop
    from essor.accompaniment.tests.factories import make_session
    from essor.accounts.roles import Role
    from essor.accounts.tests.factories import UserFactory
    from essor.conventions import services as conventions
    from essor.conventions.models import Target
    from essor.conventions.tests.factories import make_convention, make_line, make_programme
    from essor.funding import services as funding
    from essor.linkage.models import OrganisationPair, PersonPair
    from essor.linkage.services import merge_persons
    from essor.monitoring.models import FollowUp
    from essor.programmes import applications
    from essor.programmes import services as programmes
    from essor.programmes.models import (
        Application,
        ApplicationStatus,
        Enrollment,
        SelectionDecision,
    )
    from essor.programmes.selection import exit_record
    from essor.registry.models import ImportJob, ImportStatus, Membership, Sector
    from essor.registry.tests.factories import make_organisation, make_person
    from essor.territory.models import Commune

    sentinel = SENTINELS[name]
    side = Side()
    side.partner = partner
    commune = Commune.objects.filter(region__code="01", kind="rural").order_by("code")[number]
    identity = {
        "first_name": sentinel.first_name,
        "last_name": sentinel.last_name,
        "sex": "F",
        "birth_date": date(1990, 2, number + 1),
        "commune": commune,
    }
    side.person = make_person(partner, cin=sentinel.cins[0], phone=sentinel.phone, **identity)
    side.twin = make_person(partner, cin=sentinel.cins[1], **identity)
    side.organisation = make_organisation(partner, name_fr=f"Coopérative {sentinel.last_name}")
    side.organisation_twin = make_organisation(partner, name_fr=f"Cooperative {sentinel.last_name}")
    Membership.objects.create(organisation=side.organisation, person=side.person, role="founder")

    side.convention = make_convention(partner, title_fr=f"Convention {name}")
    Target.objects.create(
        convention=side.convention,
        indicator="projects_supported",
        value=10,
        due_on=date(2026, 12, 31),
    )
    committee = conventions.committee_set(
        actor=None, convention=side.convention, name=f"Comité {name}"
    )
    conventions.committee_member_add(actor=None, committee=committee, name="Wali")
    side.action_item = conventions.action_add(
        actor=None, committee=committee, text="Relancer les partenaires"
    )
    side.line = make_line(side.convention, partner, amount="5000000")
    side.programme = make_programme(partner, side.line, threshold="1000", capacity=10)
    side.rule = programmes.rule_set(
        actor=None, programme=side.programme, kind="age", params={"min": 18, "max": 60}
    )
    programmes.criterion_add(actor=None, programme=side.programme, label_fr="Viabilité")
    side.application = applications.application_create(
        actor=None, programme=side.programme, person=side.person, project_title="Épicerie"
    )
    side.enrolled = Application.objects.create(
        holder=partner,
        programme=side.programme,
        person=side.twin,
        receipt=f"RM-{name}",
        channel="office",
        status=ApplicationStatus.ENROLLED,
        submitted_on=date(2025, 1, 5),
    )
    SelectionDecision.objects.create(
        application=side.enrolled, outcome="selected", decided_by=staff["admin"]
    )
    enrollment = Enrollment.objects.create(application=side.enrolled, started_on=date(2025, 1, 20))
    exit_record(actor=None, enrollment=enrollment, outcome="employed", on=date(2025, 2, 1))
    side.follow_up = FollowUp.objects.filter(enrollment=enrollment).order_by("wave").first()

    manager, admin = staff["programme_manager"], staff["admin"]
    side.commitment = funding.commitment_create(
        actor=manager,
        budget_line=side.line,
        programme=side.programme,
        person=side.person,
        amount=Decimal("60000"),
    )
    side.approved = funding.commitment_create(
        actor=manager,
        budget_line=side.line,
        programme=side.programme,
        organisation=side.organisation,
        amount=Decimal("50000"),
    )
    funding.commitment_decide(actor=admin, commitment=side.approved, approve=True)
    side.disbursement = funding.disbursement_create(
        actor=manager, commitment=side.approved, amount=Decimal("20000")
    )

    counsellor = staff["counsellor"]
    side.session = make_session(
        partner,
        counsellor,
        programme=side.programme,
        starts_at=timezone.now() - timedelta(days=number + 1),
    )
    accompaniment.participant_add(actor=None, session=side.session, person=side.person)
    side.group = accompaniment.group_create(
        actor=None,
        holder=partner,
        name=f"Groupe {name}",
        sector=Sector.objects.order_by("pk").first(),
        counsellor=counsellor,
        started_on=date(2025, 1, 6),
    )
    side.group.members.add(side.organisation)
    side.diagnostic = accompaniment.diagnostic_record(
        actor=counsellor,
        holder=partner,
        organisation=side.organisation,
        on=date(2025, 3, 1),
        scores=dict.fromkeys(Area.values, 2),
    )
    unit = side.session.venue.mobile_unit
    side.tour = Tour.objects.create(
        mobile_unit=unit,
        region=unit.home.region,
        start_on=date(2025, 4, 1),
        end_on=date(2025, 4, 30),
        confirmed=True,
    )
    TourStop.objects.create(tour=side.tour, on=date(2025, 4, 2), commune=commune)

    side.import_job = ImportJob(
        kind="persons",
        partner=partner,
        created_by=staff["data_clerk"],
        original_name="liste.csv",
        status=ImportStatus.PLANNED,
        header=["Nom", "Prénom", "CIN", "Téléphone", "Date de naissance"],
        mapping={"0": "last_name", "1": "first_name", "2": "cin", "3": "phone", "4": "birth_date"},
        summary={"rows": 1, "reject": 1},
        outcomes=[[2, "reject", None, {}, [["Date de naissance", "31/02/1990"]]]],
    )
    side.import_job.file.save("liste.csv", ContentFile(_csv_with(sentinel)), save=False)
    side.import_job.save()

    side.person_pair = PersonPair.objects.create(left=side.person, right=side.twin, score=0.99)
    side.organisation_pair = OrganisationPair.objects.create(
        left=side.organisation, right=side.organisation_twin, score=0.95
    )
    kept = make_person(partner, cin=sentinel.cins[2], **identity)
    gone = make_person(partner, **identity | {"first_name": f"{sentinel.first_name}a"})
    side.merge = merge_persons(actor=None, survivor=kept, merged=gone)
    side.user = UserFactory.create(
        username=f"colleague.{name}", partner=partner, roles=[Role.COUNSELLOR]
    )
    return side


PERSONAS = (
    "admin",
    "programme_manager",
    "counsellor",
    "data_clerk",
    "committee_member",
    "evaluator",
    "operator",
    "anonymous",
)


@dataclass
class World:
    sides: dict[str, Side]
    users: dict[str, Any]  # persona -> User (None for anonymous)
    cross_pair: Any  # a pair of the actor's partner's record and another partner's
    pages: dict[str, Any]  # persona -> django.test.Client
    apis: dict[str, Any]  # persona -> APIClient (token)
    cookies: dict[str, dict[str, str]]  # persona -> the page client's cookies once signed in
    digest: dict[str, tuple[int, str]] = field(default_factory=dict)  # the database, as built

    def page(self, persona: str) -> Any:
        """The persona's page client, its cookies as they were when it signed in (a request
        that signs out or rotates the session does not follow the next test)."""
        from http.cookies import SimpleCookie

        client = self.pages[persona]
        client.cookies = SimpleCookie(self.cookies[persona])
        return client


def build_world() -> World:
    """Personas of every role, three sides of objects, and a signed-in client per persona."""
    from django.test import Client
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from essor.accounts.roles import Role
    from essor.accounts.services import sharing_grant
    from essor.accounts.tests.factories import PartnerFactory, UserFactory
    from essor.core.testing import make_personas
    from essor.linkage.models import PersonPair
    from essor.monitoring.facts import refresh

    personas = make_personas()
    sharer = PartnerFactory.create(
        code="partage-test", acronym="PART-T", name_fr="Partenaire qui partage"
    )
    sharing_grant(actor=None, holder=sharer, grantee=personas.own, purpose="convention")
    sharer_staff: dict[str, Any] = {
        role: UserFactory.create(username=f"{role}.shared", partner=sharer, roles=[role])
        for role in (Role.ADMIN, Role.PROGRAMME_MANAGER, Role.COUNSELLOR, Role.DATA_CLERK)
    }
    sides = {
        "own": build_side("own", personas.own, _staff(personas, "own"), 0),
        "other": build_side("other", personas.other, _staff(personas, "other"), 1),
        "shared": build_side("shared", sharer, sharer_staff, 2),
    }
    cross_pair = PersonPair.objects.create(
        left=sides["own"].twin, right=sides["other"].person, score=0.97
    )
    refresh()

    users: dict[str, Any] = {role: personas.user(role, "own") for role in PERSONAS[:6]}
    users["operator"] = personas.operator
    users["anonymous"] = None
    pages: dict[str, Any] = {}
    apis: dict[str, Any] = {}
    cookies: dict[str, dict[str, str]] = {}
    # One request handler for the page clients, one for the API clients: each loads the
    # middleware once (WhiteNoise reads the static files then), not once per persona.
    page_handler, api_handler = Client().handler, APIClient().handler
    for persona, user in users.items():
        page, api = Client(), APIClient()
        page.handler, api.handler = page_handler, api_handler
        if user is not None:
            page.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            token, _created = Token.objects.get_or_create(user=user)
            api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        pages[persona], apis[persona] = page, api
        cookies[persona] = {key: morsel.value for key, morsel in page.cookies.items()}
    return World(sides, users, cross_pair, pages, apis, cookies)


def _staff(personas: Any, side: str) -> dict[str, Any]:
    return {role: personas.user(role, side) for role in PERSONAS[:6]}
