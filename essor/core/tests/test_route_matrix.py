"""The route matrix: every page and API endpoint, every role, own partner and other partner.

``ROUTES`` below declares, for every route that ``config.urls`` serves, who may read it (GET)
and who may change something through it (POST, PUT, PATCH, DELETE), for an object of the
actor's own partner, of another partner, and of a partner that shares its records with the
actor's (read only). Three tests read it:

1. *coverage*: every route is declared, and every declared route exists (a new page cannot ship
   without a line here);
2. *the read sweep*: every route is read by every persona (the six roles of the own partner,
   the platform operator, an anonymous visitor) on every side; the status must be the declared
   one (a 500 is always a failure), and no answer may hold another partner's sentinel
   personal data, nor any personal data for the roles that see none;
3. *the denied writes*: every route that writes is sent a plausible request by every persona
   the table denies, which must be refused (403, 404, 405, or the sign-in page) and change
   nothing in the database (the digest of every table is the same).

Allowed writes are not sent here: each app's ``test_permission_matrix`` probes them (the line's
``probe`` names which), with the values they must produce. A known fault of the product
may not be declared as allowed: the first sweep found six (accompaniment let a partner a
session, a group or a diagnostic was shared with write to it, and any partner change another's
bus tour); they are fixed, and a line declaring ``defects`` fails. Two controls show
that the sentinels and the digest see what they must. docs/permissions.md tells how to add a
line for a new page.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from essor.core.routes_testing import (
    PERSONAS,
    SENTINELS,
    World,
    build_world,
    database_digest,
    digest_changes,
    list_routes,
    write_count,
)

# --- Who ----------------------------------------------------------------------------------
#
# Personas are the six roles of the actor's partner, "operator" (a platform operator: every
# capability, every partner) and "anonymous". The sets below include the operator, who may do
# everything a role may do.

Who = frozenset[str]


def roles(*names: str) -> Who:
    return frozenset(names) | {"operator"}


NOBODY: Who = frozenset()
OPERATOR: Who = frozenset({"operator"})
ADMIN = roles("admin")
MANAGERS = roles("admin", "programme_manager")
CLERKS = roles("admin", "data_clerk")  # registry.import, registry.merge, privacy.manage
RESEARCHERS = roles("admin", "programme_manager", "evaluator")  # research.export
EXPORTERS = roles("admin", "programme_manager", "data_clerk")  # registry.export
APPLICATIONS = roles("admin", "programme_manager", "data_clerk")  # applications.manage
STAFF = roles("admin", "programme_manager", "counsellor", "data_clerk")  # personal.view
RUNNERS = roles("admin", "programme_manager", "counsellor")  # sessions and groups run by …
SIGNED_IN = roles(*PERSONAS[:6])
EVERYONE = SIGNED_IN | {"anonymous"}
# Creating a convention, a programme, a session or a group needs the partner that will hold it:
# a platform operator (no partner) is refused those pages.
MANAGERS_OF_A_PARTNER = MANAGERS - OPERATOR
STAFF_OF_A_PARTNER = STAFF - OPERATOR

# --- Sides --------------------------------------------------------------------------------
#
# "own": an object of the actor's partner; "other": of another partner; "shared": of a partner
# whose sharing rule opens its personal records to the actor's partner (reading only); "cross":
# a pair of duplicates, one record the actor's partner's, one another partner's. A route with
# no argument is read on one side, "-".

TWO = ("own", "other")
HELD = ("own", "other", "shared")
NONE = ("-",)

Access = Who | Mapping[str, Who]


def own(who: Who, *, shared: Who = OPERATOR) -> dict[str, Who]:
    """``who`` on the own partner's object; only the operator on another partner's; sharing
    gives ``shared`` (by default nobody but the operator: sharing is for reading)."""
    return {"own": who, "other": OPERATOR, "shared": shared, "cross": who}


Args = Callable[[World, str], dict[str, Any]]


def pk(kind: str, name: str = "pk") -> Args:
    """The URL argument ``name`` is the primary key of the side's ``kind`` (``side.person``…)."""
    return lambda world, side: {name: getattr(world.sides[side], kind).pk}


@dataclass(frozen=True)
class Line:
    """One route of the matrix.

    ``get`` and ``write`` say who may read the route and who may write through it, on every
    side (one set for all sides, or a set by side). ``args`` fills the URL's arguments from the
    side's objects; ``body`` is the plausible request a denied persona sends; ``ok`` the
    statuses of a successful read; ``probe`` the app matrix probe that tests the allowed write;
    ``defects`` the known faults of the product, by (method, side, persona): those cases are
    expected to fail (strictly: once the product is fixed, the line must lose its ``defects``).
    """

    get: Access = NOBODY
    write: Access = NOBODY
    args: Args | None = None
    sides: tuple[str, ...] = ()
    body: Callable[[World, str], dict[str, Any]] | None = None
    query: Mapping[str, Any] | Callable[[World, str], Mapping[str, Any]] = field(
        default_factory=dict
    )
    ok: tuple[int, ...] = (200,)
    url: str = ""  # an unnamed route's address
    readers: tuple[str, ...] = ()  # a document the same for every user: read by these only
    probe: str = ""
    note: str = ""
    defects: Mapping[tuple[str, str, str], str] = field(default_factory=dict)

    @property
    def on(self) -> tuple[str, ...]:
        return self.sides or (TWO if self.args else NONE)

    def who(self, action: str, side: str) -> Who:
        access = self.get if action == "GET" else self.write
        if isinstance(access, frozenset):
            return access
        return access.get(side, OPERATOR)


def defect(reason: str, method: str, side: str, personas: Who) -> dict[tuple[str, str, str], str]:
    """A known fault: ``personas`` are not refused ``method`` on ``side`` as they should be
    (the operator, who may do everything, is never one of them)."""
    return {(method, side, persona): reason for persona in personas - OPERATOR}


def body(**values: Any) -> Callable[[World, str], dict[str, Any]]:
    """A request body; a value may be a function of (world, side)."""
    return lambda world, side: {
        k: (v(world, side) if callable(v) else v) for k, v in values.items()
    }


def of(kind: str, attribute: str = "pk") -> Callable[[World, str], Any]:
    return lambda world, side: getattr(getattr(world.sides[side], kind), attribute)


TODAY = date.today().isoformat()
# A search for the other partner's sentinel name: what it finds must not show.
SEARCH_OTHER = {"q": SENTINELS["other"].last_name}
EMPTY = "an API list answers every signed-in role with the records it may see (maybe none)"
PERSON_FORM = body(
    first_name="Imane", last_name="Saidi", sex="F", birth_date="1995-04-01", address="Rue 1"
)
ORGANISATION_FORM = body(kind="cooperative", name_fr="Coopérative Nouvelle", employees_women="3")


def party(world: World, side: str) -> Any:
    return world.sides[side].convention.parties.get()


def participant(world: World, side: str) -> Any:
    return world.sides[side].session.participants.get()


def stop(world: World, side: str) -> Any:
    return world.sides[side].tour.stops.get()


def criterion(world: World, side: str) -> Any:
    return world.sides[side].programme.scoring_criteria.get()


def region_code(world: World, side: str) -> dict[str, Any]:
    return {"code": world.sides["own"].person.commune.region.code}


def pair_args(world: World, side: str) -> dict[str, Any]:
    pair = world.cross_pair if side == "cross" else world.sides[side].person_pair
    return {"kind": "person", "pk": pair.pk}


# --- The matrix -----------------------------------------------------------------------------
#
# One line per route name. Django's admin (``admin:*``) is declared once, by ADMIN_ROUTES.

ROUTES: dict[str, Line] = {
    # Public pages and the session
    "set_language": Line(get=EVERYONE, write=EVERYONE, ok=(302,), note="a redirect"),
    "accounts:login": Line(get=EVERYONE, write=EVERYONE, ok=(200, 302)),
    "accounts:login_code": Line(
        get=EVERYONE, write=EVERYONE, ok=(302,), note="without a first step: back to sign-in"
    ),
    "accounts:logout": Line(write=EVERYONE),
    "programmes:finder": Line(get=EVERYONE),
    "programmes:apply": Line(
        args=pk("programme"), get=EVERYONE, write=EVERYONE, note="the public form"
    ),
    "programmes:applied": Line(
        args=pk("programme"), get=EVERYONE, ok=(302,), note="without a receipt: back to the form"
    ),
    "programmes:follow": Line(get=EVERYONE, write=EVERYONE, note="receipt and CIN, posted"),
    "api-schema": Line(
        get=EVERYONE,
        readers=("anonymous", "committee_member"),
        note="one document for all (it authenticates no one): read twice, not eight times",
    ),
    "api/v1/": Line(url="/api/v1/no-such-thing", note="any other address: a JSON 404"),
    "api-docs": Line(get=EVERYONE),
    # The signed-in user
    "core:home": Line(get=SIGNED_IN),
    "accounts:profile": Line(get=SIGNED_IN),
    "accounts:token_rotate": Line(write=SIGNED_IN, note="one's own token"),
    "accounts:security": Line(
        get=MANAGERS, write=MANAGERS, note="second factor: admins, approvers"
    ),
    "api-me": Line(get=SIGNED_IN),
    # Partners and users
    "accounts:partners": Line(get=SIGNED_IN),
    "accounts:partner": Line(args=pk("partner"), get=SIGNED_IN),
    "accounts:partner_edit": Line(
        args=pk("partner"),
        get=own(ADMIN),
        write=own(ADMIN),
        body=body(name_fr="Nom changé", kind="other", acronym="NC"),
        probe="accounts:partner/change",
    ),
    "partner-list": Line(get=SIGNED_IN),
    "partner-detail": Line(
        args=pk("partner"),
        get=SIGNED_IN,
        write=own(ADMIN),
        body=body(name_ar="اسم جديد"),
        probe="accounts:partner/change",
    ),
    "accounts:users": Line(get=MANAGERS, probe="accounts:user/list"),
    "accounts:user_create": Line(
        get=ADMIN,
        write=ADMIN,
        body=body(
            username="new.page",
            password="a-long-password-1",
            first_name="Nouvelle",
            last_name="Recrue",
            preferred_language="fr",
            roles=["counsellor"],
        ),
        probe="accounts:user/create",
    ),
    "accounts:user": Line(args=pk("user"), get=own(MANAGERS), probe="accounts:user/view"),
    "accounts:user_edit": Line(
        args=pk("user"),
        get=own(ADMIN),
        write=own(ADMIN),
        body=body(
            first_name="Changé", last_name="X", preferred_language="fr", roles=["counsellor"]
        ),
        probe="accounts:user/change",
    ),
    "accounts:user_deactivate": Line(
        args=pk("user"), get=own(ADMIN), write=own(ADMIN), body=body(reason="Départ")
    ),
    "user-list": Line(
        get=SIGNED_IN,
        write=ADMIN,
        body=body(username="new.api", password="a-long-password-2", roles=["data_clerk"]),
        probe="accounts:user/create",
        note="lists the users one may see (none for most roles)",
    ),
    "user-detail": Line(
        args=pk("user"),
        get=own(MANAGERS),
        write=own(ADMIN),
        body=body(last_name="Modifié"),
        probe="accounts:user/change",
    ),
    "core:history": Line(
        args=lambda world, side: {"model": "registry.person", "pk": world.sides[side].person.pk},
        sides=HELD,
        get=own(MANAGERS, shared=MANAGERS),
        probe="accounts:history/view",
    ),
    # Territory: reference data
    "territory:regions": Line(get=SIGNED_IN),
    "territory:communes": Line(get=SIGNED_IN),
    "territory:commune_options": Line(get=SIGNED_IN),
    "territory:region": Line(args=region_code, sides=NONE, get=SIGNED_IN),
    "territory:province": Line(
        args=lambda world, side: {"code": world.sides["own"].person.commune.province.code},
        sides=NONE,
        get=SIGNED_IN,
    ),
    "region-list": Line(get=SIGNED_IN),
    "region-detail": Line(args=region_code, sides=NONE, get=SIGNED_IN),
    "province-list": Line(get=SIGNED_IN),
    "province-detail": Line(
        args=lambda world, side: {"code": world.sides["own"].person.commune.province.code},
        sides=NONE,
        get=SIGNED_IN,
    ),
    "commune-list": Line(get=SIGNED_IN),
    "commune-detail": Line(
        args=lambda world, side: {"code": world.sides["own"].person.commune.code},
        sides=NONE,
        get=SIGNED_IN,
    ),
    # Registry
    "registry:persons": Line(get=STAFF, query=SEARCH_OTHER, probe="registry:person/view"),
    "registry:persons_export": Line(
        args=lambda world, side: {"fmt": "csv"},
        sides=NONE,
        get=EXPORTERS,
        probe="registry:person/export",
    ),
    "registry:person_create": Line(
        get=STAFF, write=STAFF, body=PERSON_FORM, probe="registry:person/create"
    ),
    "registry:person": Line(
        args=pk("person"), sides=HELD, get=own(STAFF, shared=STAFF), probe="registry:person/view"
    ),
    "registry:person_edit": Line(
        args=pk("person"),
        sides=HELD,
        get=own(STAFF),
        write=own(STAFF),
        body=PERSON_FORM,
        probe="registry:person/change",
    ),
    "registry:person_consent": Line(
        args=pk("person"),
        sides=HELD,
        write=own(STAFF),
        body=body(given_on=TODAY, purpose="Suivi", information_text="Texte lu"),
    ),
    "registry:organisations": Line(
        get=STAFF, query=SEARCH_OTHER, probe="registry:organisation/view"
    ),
    "registry:organisations_export": Line(
        args=lambda world, side: {"fmt": "csv"}, sides=NONE, get=EXPORTERS
    ),
    "registry:organisation_create": Line(get=STAFF, write=STAFF, body=ORGANISATION_FORM),
    "registry:organisation": Line(
        args=pk("organisation"),
        sides=HELD,
        get=own(STAFF, shared=STAFF),
        probe="registry:organisation/view",
    ),
    "registry:organisation_edit": Line(
        args=pk("organisation"),
        sides=HELD,
        get=own(STAFF),
        write=own(STAFF),
        body=ORGANISATION_FORM,
        probe="registry:organisation/change",
    ),
    "registry:organisation_member_add": Line(
        args=pk("organisation"),
        sides=HELD,
        write=own(STAFF),
        body=body(person=of("twin"), role="founder", since=TODAY),
    ),
    "registry:imports": Line(
        get=CLERKS, write=CLERKS, body=body(kind="persons"), probe="registry:person/import"
    ),
    "registry:import": Line(args=pk("import_job"), get=own(CLERKS)),
    "registry:import_mapping": Line(
        args=pk("import_job"), write=own(CLERKS), body=body(**{"col-0": "last_name"})
    ),
    "registry:import_load": Line(args=pk("import_job"), write=own(CLERKS)),
    "registry:import_rejected": Line(args=pk("import_job"), get=own(CLERKS)),
    "person-list": Line(
        get=STAFF,
        write=STAFF,
        query=SEARCH_OTHER,
        body=body(first_name="Omar", last_name="Kettani"),
        probe="registry:person/create",
    ),
    "person-detail": Line(
        args=pk("person"),
        sides=HELD,
        get=own(STAFF, shared=STAFF),
        write=own(STAFF),
        body=body(email="z@example.ma"),
        probe="registry:person/change",
    ),
    "organisation-list": Line(
        get=STAFF,
        write=STAFF,
        query=SEARCH_OTHER,
        body=body(kind="cooperative", name_fr="Coopérative API"),
    ),
    "organisation-detail": Line(
        args=pk("organisation"),
        sides=HELD,
        get=own(STAFF, shared=STAFF),
        write=own(STAFF),
        body=body(employees_men=2),
        probe="registry:organisation/change",
    ),
    "import-list": Line(get=CLERKS, write=CLERKS, body=body(kind="persons")),
    "import-detail": Line(args=pk("import_job"), get=own(CLERKS)),
    "import-load": Line(args=pk("import_job"), write=own(CLERKS)),
    # Duplicates
    "linkage:queue": Line(get=CLERKS, probe="linkage:queue/view"),
    "linkage:pair": Line(
        args=pair_args,
        sides=("own", "other", "cross"),
        get=own(CLERKS),
        write=own(CLERKS),
        body=body(action="not_same"),
        probe="linkage:pair/not_same",
        note="cross: the other partner's record is shown masked",
    ),
    "linkage:merges": Line(get=CLERKS),
    "linkage:merge_undo": Line(args=pk("merge"), write=own(CLERKS), probe="linkage:merge/undo"),
    "linkage:runs": Line(
        get=CLERKS, write=CLERKS, body=body(kind="organisation", dry_run="1"), note="a dry run"
    ),
    "linkage:similar": Line(
        get=STAFF,
        query={"first_name": "Zhorane", "last_name": "Qiblawix"},
        probe="linkage:similar/view",
    ),
}

# Conventions, their committees and budget lines: public to every signed-in user; changed by
# the managers of the partner that keeps the convention or executes the line.
CONVENTION = body(
    reference="CHANGED", title_fr="Changée", envelope="25 000 000", kind="partnership"
)
ROUTES |= {
    "conventions:conventions": Line(get=SIGNED_IN, probe="conventions:convention/view"),
    "conventions:convention_create": Line(
        get=MANAGERS_OF_A_PARTNER,
        write=MANAGERS_OF_A_PARTNER,
        body=body(reference="NEW-PAGE", kind="partnership", title_fr="Nouvelle", envelope="1 000"),
        probe="conventions:convention/create",
    ),
    "conventions:convention_extract": Line(
        get=MANAGERS_OF_A_PARTNER,
        write=MANAGERS_OF_A_PARTNER,
        body=body(content="La Région et la CCIS signent une convention de 2 000 000 DH."),
        note="a convention proposed from a text, then reviewed and saved",
    ),
    "conventions:convention": Line(
        args=pk("convention"), get=SIGNED_IN, probe="conventions:convention/view"
    ),
    "conventions:convention_edit": Line(
        args=pk("convention"), get=own(MANAGERS), write=own(MANAGERS), body=CONVENTION
    ),
    "conventions:convention_transition": Line(
        args=pk("convention"), write=own(MANAGERS), body=body(to="suspended", note="Pause")
    ),
    "conventions:party_add": Line(
        args=pk("convention"),
        write=own(MANAGERS),
        body=body(partner=lambda world, side: world.sides["shared"].partner.pk, roles=["funder"]),
    ),
    "conventions:payment_add": Line(
        args=pk("convention"),
        write=own(MANAGERS),
        body=body(party=of("partner"), kind="receipt", amount="1 000", on=TODAY),
    ),
    "conventions:target_add": Line(
        args=pk("convention"),
        write=own(MANAGERS),
        body=body(indicator="projects_supported", value="1500"),
        probe="conventions:convention/change",
    ),
    "conventions:line_add": Line(
        args=pk("convention"),
        write=own(MANAGERS),
        body=body(partner=of("partner"), category="training", amount="1 000"),
    ),
    "conventions:execution_export": Line(
        args=pk("convention"), get=SIGNED_IN, probe="conventions:execution/export"
    ),
    "conventions:committee": Line(args=pk("convention"), get=SIGNED_IN),
    "conventions:committee_set": Line(
        args=pk("convention"), write=own(MANAGERS), body=body(name="Comité changé")
    ),
    "conventions:member_add": Line(
        args=pk("convention"), write=own(MANAGERS), body=body(name="Gouverneur")
    ),
    "conventions:meeting_add": Line(
        args=pk("convention"), write=own(MANAGERS), body=body(held_on=TODAY, decisions="Valider")
    ),
    "conventions:action_add": Line(
        args=pk("convention"), write=own(MANAGERS), body=body(text="Relancer le ministère")
    ),
    "conventions:action_status": Line(
        args=lambda world, side: {
            "pk": world.sides[side].convention.pk,
            "action_pk": world.sides[side].action_item.pk,
        },
        write=own(MANAGERS),
        body=body(status="done"),
    ),
    "conventions:line": Line(args=pk("line"), get=SIGNED_IN),
    "conventions:line_edit": Line(
        args=pk("line"),
        write=own(MANAGERS),
        body=body(label="Page", amount="900 000"),
        probe="conventions:line/change",
    ),
    "convention-list": Line(
        get=SIGNED_IN,
        write=MANAGERS,
        body=body(reference="NEW-API", kind="partnership", title_fr="Nouvelle", envelope="1000"),
        probe="conventions:convention/create",
    ),
    "convention-detail": Line(
        args=pk("convention"),
        get=SIGNED_IN,
        write=own(MANAGERS),
        body=body(objectives_fr="Appui"),
        probe="conventions:convention/change",
    ),
    "convention-committee": Line(
        args=pk("convention"), get=SIGNED_IN, write=own(MANAGERS), body=body(name="Comité API")
    ),
    "convention-execution": Line(
        args=pk("convention"), get=SIGNED_IN, probe="conventions:execution/export"
    ),
    "convention-transition": Line(
        args=pk("convention"), write=own(MANAGERS), body=body(to="suspended")
    ),
    "party-list": Line(
        get=SIGNED_IN,
        sides=TWO,
        write=own(MANAGERS),
        body=body(
            convention=of("convention"),
            partner=lambda world, side: world.sides["shared"].partner.code,
            roles=["funder"],
        ),
        note="a list; the side is the convention's in the body",
    ),
    "party-detail": Line(
        args=lambda world, side: {"pk": party(world, side).pk},
        write=own(MANAGERS),
        body=body(pledged="1000.00"),
    ),
    "partner-payment-list": Line(
        get=SIGNED_IN,
        sides=TWO,
        write=own(MANAGERS),
        body=body(
            party=lambda world, side: party(world, side).pk, kind="receipt", amount="1000", on=TODAY
        ),
    ),
    "target-list": Line(
        get=SIGNED_IN,
        sides=TWO,
        write=own(MANAGERS),
        body=body(convention=of("convention"), indicator="projects_supported", value="5"),
    ),
    "budget-line-list": Line(
        get=SIGNED_IN,
        sides=TWO,
        write=own(MANAGERS),
        body=body(
            convention=of("convention"),
            partner=of("partner", "code"),
            category="training",
            amount="1000",
        ),
    ),
    "budget-line-detail": Line(
        args=pk("line"),
        get=SIGNED_IN,
        write=own(MANAGERS),
        body=body(label="API"),
        probe="conventions:line/change",
    ),
    "action-item-list": Line(
        get=SIGNED_IN,
        sides=TWO,
        write=own(MANAGERS),
        body=body(convention=of("convention"), text="Relancer"),
    ),
    "action-item-detail": Line(
        args=pk("action_item"), write=own(MANAGERS), body=body(status="done")
    ),
    "committee-member-list": Line(
        get=SIGNED_IN,
        sides=TWO,
        write=own(MANAGERS),
        body=body(convention=of("convention"), name="Membre API"),
    ),
    "meeting-list": Line(
        get=SIGNED_IN,
        sides=TWO,
        write=own(MANAGERS),
        body=body(convention=of("convention"), held_on=TODAY),
    ),
}

# Programmes: public to every signed-in user, changed by the partner that runs them. Their
# applications are personal data held by that partner.
ROUTES |= {
    "programmes:programmes": Line(get=SIGNED_IN),
    "programmes:programme_create": Line(
        get=MANAGERS_OF_A_PARTNER,
        write=MANAGERS_OF_A_PARTNER,
        body=body(code="nouveau", name_fr="Nouveau programme"),
    ),
    "programmes:programme": Line(
        args=pk("programme"), get=SIGNED_IN, probe="conventions:programme/view"
    ),
    "programmes:programme_edit": Line(
        args=pk("programme"),
        get=own(MANAGERS),
        write=own(MANAGERS),
        body=body(code=of("programme", "code"), name_fr="Changé"),
    ),
    "programmes:rule_set": Line(
        args=pk("programme"),
        write=own(MANAGERS),
        body=body(kind="age", minimum="18", maximum="35"),
        probe="conventions:programme/change",
    ),
    "programmes:rule_remove": Line(
        args=lambda world, side: {
            "pk": world.sides[side].programme.pk,
            "rule_pk": world.sides[side].rule.pk,
        },
        write=own(MANAGERS),
    ),
    "programmes:criterion_add": Line(
        args=pk("programme"),
        write=own(MANAGERS),
        body=body(label_fr="Impact", weight="1", scale_max="5"),
    ),
    "programmes:applications": Line(
        args=pk("programme"),
        get=STAFF | {"evaluator"},
        note="lists the applications one may see; an evaluator's are those assigned",
    ),
    "programmes:application_create": Line(
        args=pk("programme"),
        get=own(APPLICATIONS),
        write=own(APPLICATIONS),
        body=body(
            beneficiary=lambda world, side: f"E{world.sides[side].organisation.pk}",
            project_title="Épicerie",
        ),
        probe="programmes:application/create",
    ),
    "programmes:session_create": Line(
        args=pk("programme"), write=own(MANAGERS), body=body(held_on=TODAY, place="Salle")
    ),
    "programmes:application": Line(
        args=pk("application"),
        sides=HELD,
        get=own(STAFF, shared=STAFF),
        probe="programmes:application/view",
    ),
    "programmes:letter": Line(
        args=pk("enrolled"), sides=HELD, get=own(APPLICATIONS), note="the decision's letter"
    ),
    "programmes:exclusions": Line(
        get=STAFF, write=CLERKS, body=body(name="Liste", programme_code="intilaka")
    ),
    "programmes:bulk_screening": Line(args=pk("programme"), get=STAFF),
    "programmes:bulk_export": Line(
        args=lambda world, side: {"pk": world.sides[side].programme.pk, "fmt": "csv"},
        get=EXPORTERS,
    ),
    "programme-list": Line(
        get=SIGNED_IN, write=MANAGERS, body=body(code="nouveau-api", name_fr="Nouveau")
    ),
    "programme-detail": Line(
        args=pk("programme"),
        get=SIGNED_IN,
        write=own(MANAGERS),
        body=body(capacity=20),
        probe="conventions:programme/change",
    ),
    "programme-rules": Line(
        args=pk("programme"),
        write=own(MANAGERS),
        body=body(kind="age", params={"min": 18, "max": 35}),
    ),
    "application-list": Line(
        get=SIGNED_IN,
        write=APPLICATIONS,
        sides=HELD,
        body=body(
            programme=of("programme"), organisation=of("organisation"), project_title="Épicerie"
        ),
        probe="programmes:application/create",
        note=EMPTY + "; for a write, the side is the programme's in the body",
    ),
    "application-detail": Line(
        args=pk("application"),
        sides=HELD,
        get=own(STAFF, shared=STAFF),
        probe="programmes:application/view",
    ),
    "application-decide": Line(
        args=pk("application"),
        sides=HELD,
        write=own(APPLICATIONS),
        body=body(outcome="selected"),
        probe="programmes:decision/record",
    ),
    "application-scores": Line(
        args=pk("application"),
        sides=HELD,
        write=NOBODY,
        body=body(criterion=lambda world, side: criterion(world, side).pk, value=3),
        probe="programmes:score/set",
        note="only the evaluators assigned (none here), not even the operator",
    ),
    "application-screen": Line(
        args=pk("application"),
        sides=HELD,
        write=own(APPLICATIONS),
        probe="programmes:application/screen",
    ),
}

# The steps of an application, each posted from its page by the staff of the partner that runs
# the programme (sharing gives reading only).
for name, form in {
    "application_screen": body(),
    "evaluator_assign": body(evaluator=lambda world, side: world.users["evaluator"].pk),
    "score": body(),
    "interview": body(held_on=TODAY, notes="Motivée"),
    "decide": body(outcome="waiting"),
    "enroll": body(),
    "stage": body(stage="training"),
    "exit": body(outcome="employed", on=TODAY),
    "referral": body(scheme="intilaka", referred_on=TODAY),
    "withdraw": body(reason="Désistement"),
}.items():
    ROUTES[f"programmes:{name}"] = Line(
        args=pk("application"),
        sides=HELD,
        write=NOBODY if name == "score" else own(APPLICATIONS),
        body=form,
        probe={
            "application_screen": "programmes:application/screen",
            "score": "programmes:score/set",
            "decide": "programmes:decision/record",
        }.get(name, ""),
    )

# Money: commitments name a beneficiary (personal data, held by the partner executing the line);
# committed, approved and disbursed by that partner's managers, never their own (four eyes).
ROUTES |= {
    "funding:approvals": Line(get=MANAGERS),
    "funding:commitment_create": Line(
        args=pk("line"),
        write=own(MANAGERS),
        body=body(
            programme=of("programme"),
            beneficiary=lambda world, side: f"E{world.sides[side].organisation_twin.pk}",
            kind="grant",
            amount="20 000",
        ),
        probe="conventions:line/commit",
    ),
    "funding:commitment": Line(
        args=pk("commitment"),
        sides=HELD,
        get=own(STAFF, shared=STAFF),
        probe="conventions:commitment/view",
    ),
    "funding:commitment_decide": Line(
        args=pk("commitment"),
        sides=HELD,
        write=own(MANAGERS),
        body=body(decision="approve"),
        probe="conventions:commitment/approve",
    ),
    "funding:commitment_cancel": Line(
        args=pk("commitment"), sides=HELD, write=own(MANAGERS), body=body(reason="Erreur")
    ),
    "funding:disbursement_add": Line(
        args=pk("approved"), sides=HELD, write=own(MANAGERS), body=body(amount="1 000")
    ),
    "funding:disbursement_decide": Line(
        args=pk("disbursement"), sides=HELD, write=own(MANAGERS), body=body(decision="approve")
    ),
    "commitment-list": Line(
        get=STAFF,
        sides=HELD,
        write=own(MANAGERS),
        body=body(
            budget_line=of("line"),
            programme=of("programme"),
            organisation=of("organisation_twin"),
            kind="grant",
            amount="20000",
        ),
        probe="conventions:line/commit",
    ),
    "commitment-detail": Line(
        args=pk("commitment"),
        sides=HELD,
        get=own(STAFF, shared=STAFF),
        probe="conventions:commitment/view",
    ),
    "commitment-approve": Line(
        args=pk("commitment"),
        sides=HELD,
        write=own(MANAGERS),
        probe="conventions:commitment/approve",
    ),
    "commitment-reject": Line(
        args=pk("commitment"), sides=HELD, write=own(MANAGERS), body=body(note="Non")
    ),
    "commitment-cancel": Line(
        args=pk("commitment"), sides=HELD, write=own(MANAGERS), body=body(reason="Erreur")
    ),
    "commitment-disburse": Line(
        args=pk("approved"), sides=HELD, write=own(MANAGERS), body=body(amount="1000")
    ),
    "disbursement-detail": Line(args=pk("disbursement"), sides=HELD, get=own(STAFF, shared=STAFF)),
    "disbursement-approve": Line(args=pk("disbursement"), sides=HELD, write=own(MANAGERS)),
    "disbursement-reject": Line(args=pk("disbursement"), sides=HELD, write=own(MANAGERS)),
}

# Accompaniment: a counsellor reaches the sessions and groups they run (the own side's are run
# by the own counsellor), managers those of their partner scope (shared included, to read).
ROUTES |= {
    "accompaniment:workspace": Line(get=STAFF),
    "accompaniment:session_create": Line(
        get=MANAGERS_OF_A_PARTNER,
        write=MANAGERS_OF_A_PARTNER,
        body=body(
            service=lambda world, side: world.sides["own"].session.service.pk,
            venue=lambda world, side: world.sides["own"].session.venue.pk,
            starts_at="2030-01-07 09:00",
            ends_at="2030-01-07 12:00",
            counsellors=lambda world, side: [world.users["counsellor"].pk],
            capacity="20",
            weeks="1",
        ),
    ),
    "accompaniment:session": Line(
        args=pk("session"),
        sides=HELD,
        get=own(RUNNERS, shared=MANAGERS),
        probe="accompaniment:session/view",
    ),
    "accompaniment:attendance": Line(
        args=pk("session"),
        sides=HELD,
        write=own(RUNNERS),
        body=body(present=lambda world, side: [participant(world, side).pk]),
        probe="accompaniment:attendance/take",
    ),
    "accompaniment:tour_plan": Line(
        get=MANAGERS,
        write=MANAGERS,
        body=body(
            mobile_unit=lambda world, side: world.sides["own"].tour.mobile_unit.pk,
            start_on="2030-02-04",
            end_on="2030-02-08",
        ),
    ),
    "accompaniment:tour": Line(
        args=pk("tour"),
        get=SIGNED_IN,
        write=own(MANAGERS),
        body=body(stop=lambda world, side: stop(world, side).pk, remove="1"),
        note="a tour is read by all; its stops changed by the bus's partner",
    ),
    "accompaniment:catalogue": Line(get=SIGNED_IN),
    "accompaniment:group_create": Line(
        get=MANAGERS_OF_A_PARTNER,
        write=MANAGERS_OF_A_PARTNER,
        body=body(
            name="Brodeuses",
            sector=lambda world, side: world.sides["own"].group.sector.pk,
            counsellor=lambda world, side: world.users["counsellor"].pk,
            started_on=TODAY,
        ),
    ),
    "accompaniment:group": Line(
        args=pk("group"),
        sides=HELD,
        get=own(RUNNERS, shared=MANAGERS),
        write=own(RUNNERS),
        body=body(on=TODAY, needs="Trésorerie"),
        probe="accompaniment:group/view",
        note="a write adds to the group's log",
    ),
    "accompaniment:group_member_add": Line(
        args=pk("group"),
        sides=HELD,
        write=own(RUNNERS),
        body=body(enterprise=lambda world, side: f"E{world.sides[side].organisation_twin.pk}"),
    ),
    "accompaniment:diagnostic_create": Line(
        args=pk("organisation", "organisation_pk"),
        sides=HELD,
        get=own(STAFF_OF_A_PARTNER, shared=STAFF_OF_A_PARTNER) | {"other": NOBODY},
        write=own(STAFF_OF_A_PARTNER, shared=STAFF_OF_A_PARTNER) | {"other": NOBODY},
        body=body(on=TODAY, notes="Premier entretien"),
        note="the diagnostic is the own partner's work, also on an enterprise shared with it",
    ),
    "accompaniment:diagnostic": Line(
        args=pk("diagnostic"),
        sides=HELD,
        get=own(STAFF, shared=STAFF),
        write=own(STAFF),
        body=body(area="finance", text="Tenir un cahier de caisse", owner="Holder", due_on=TODAY),
        note="a write adds to the action plan",
    ),
    "session-list": Line(get=SIGNED_IN, note=EMPTY),
    "session-detail": Line(
        args=pk("session"),
        sides=HELD,
        get=own(RUNNERS, shared=MANAGERS),
        probe="accompaniment:session/view",
    ),
    "session-attendance": Line(
        args=pk("session"),
        sides=HELD,
        write=own(RUNNERS),
        body=body(present=lambda world, side: [participant(world, side).pk]),
        probe="accompaniment:attendance/take",
    ),
    "group-list": Line(get=SIGNED_IN, note=EMPTY),
    "group-detail": Line(
        args=pk("group"),
        sides=HELD,
        get=own(RUNNERS, shared=MANAGERS),
        probe="accompaniment:group/view",
    ),
    "service-list": Line(get=SIGNED_IN),
    "service-detail": Line(
        args=lambda world, side: {"pk": world.sides[side].session.service.pk}, get=SIGNED_IN
    ),
    "tour-list": Line(get=SIGNED_IN),
    "tour-detail": Line(args=pk("tour"), get=SIGNED_IN),
    "diagnostic-list": Line(get=SIGNED_IN, note=EMPTY),
    "diagnostic-detail": Line(args=pk("diagnostic"), sides=HELD, get=own(STAFF, shared=STAFF)),
}

# Monitoring: figures for every role (no personal data); the people behind a figure, and
# follow-up surveys, for the roles that see personal data, within their partner scope.
ROUTES |= {
    "monitoring:index": Line(get=SIGNED_IN),
    "monitoring:catalogue": Line(get=SIGNED_IN),
    "monitoring:refresh": Line(write=MANAGERS, note="recomputes the figures"),
    "monitoring:national": Line(get=SIGNED_IN),
    "monitoring:region": Line(args=region_code, sides=NONE, get=SIGNED_IN),
    "monitoring:convention": Line(
        args=pk("convention"), get=SIGNED_IN, probe="monitoring:dashboard/view"
    ),
    "monitoring:report": Line(
        args=lambda world, side: {"pk": world.sides[side].convention.pk, "fmt": "xlsx"},
        get=SIGNED_IN,
        readers=("anonymous", "committee_member", "evaluator"),
        note="the file does not depend on its reader (report_file takes no user): read by the "
        "roles that may see no personal data, and refused to the anonymous visitor",
    ),
    "monitoring:programme": Line(args=pk("programme"), get=SIGNED_IN),
    "monitoring:records": Line(
        args=lambda world, side: {
            "kind": "convention",
            "key": str(world.sides[side].convention.pk),
            "code": "holders_reached",
        },
        get=STAFF,
        query={"period": "2025"},
        probe="monitoring:records/view",
        note="names only the records one's partner scope holds; counts the others",
    ),
    "monitoring:follow_ups": Line(get=STAFF),
    "monitoring:follow_up": Line(
        args=pk("follow_up"),
        sides=HELD,
        get=own(STAFF, shared=STAFF),
        write=own(STAFF),
        body=body(reached="no", done_on=TODAY, channel="phone"),
        probe="monitoring:follow_up/record",
    ),
    "api-indicators": Line(
        get=SIGNED_IN,
        query={"scope": "national", "period": "2025"},
        probe="monitoring:dashboard/view",
    ),
    "api-targets-status": Line(args=pk("convention"), get=SIGNED_IN, query={"period": "2025"}),
    "api-follow-ups": Line(get=STAFF),
    "api-follow-up-record": Line(
        args=pk("follow_up"),
        sides=HELD,
        write=own(STAFF),
        body=body(reached=False, done_on=TODAY),
        probe="monitoring:follow_up/record",
    ),
}

# Research: pseudonymised exports of the conventions and programmes one's partner keeps, runs or
# is party to. An export holds no name, CIN nor phone: the sweep reads it as the evaluator, who
# may be shown no personal data at all.
ROUTES |= {
    "monitoring:research_export": Line(
        sides=TWO,
        query=lambda world, side: {
            "convention": world.sides[side].convention.pk,
            "rows": "applications",
            "format": "csv",
        },
        get=own(RESEARCHERS),
        note="the form; with a choice in the query, the file",
    ),
    "monitoring:research_dictionary": Line(get=RESEARCHERS),
    "api-research-export": Line(
        sides=TWO,
        query=lambda world, side: {"convention": world.sides[side].convention.pk},
        get=own(RESEARCHERS),
    ),
}

# Law 09-08: a person's requests are answered by a privacy manager of a partner that holds them
# (sharing gives reading only); retention is set by the programme's managers and run by the
# privacy managers.
RECTIFICATION = body(
    first_name="Imane", last_name="Saidi", sex="F", reason="Demande de la personne"
)
ROUTES |= {
    "privacy:index": Line(get=CLERKS),
    "privacy:person": Line(args=pk("person"), sides=HELD, get=own(CLERKS)),
    "privacy:person_data": Line(
        args=lambda world, side: {"pk": world.sides[side].person.pk, "fmt": "json"},
        sides=HELD,
        get=own(CLERKS),
        note="the right-of-access export (its PDF is the same data)",
    ),
    "privacy:rectify": Line(
        args=pk("person"), sides=HELD, get=own(CLERKS), write=own(CLERKS), body=RECTIFICATION
    ),
    "privacy:objection": Line(
        args=pk("person"), sides=HELD, write=own(CLERKS), body=body(reason="Opposition")
    ),
    "privacy:objection_withdraw": Line(
        args=pk("person"), sides=HELD, write=own(CLERKS), body=body(reason="Retrait")
    ),
    "privacy:access_log": Line(args=pk("person"), sides=HELD, get=own(CLERKS)),
    "privacy:retention": Line(
        get=CLERKS, write=CLERKS, body=body(digest="0"), note="the dry run; a write applies it"
    ),
    "privacy:retention_policy": Line(
        args=pk("programme"),
        get=own(MANAGERS),
        write=own(MANAGERS),
        body=body(months="24", reason="Durée du suivi"),
    ),
}

# Django's admin: platform operators only (the partners' staff are not ``is_staff``). Its
# routes are declared by their prefix; the sweep reads every page that takes no argument.
ADMIN_ROUTES = Line(get=OPERATOR, write=OPERATOR)


# --- The routes and the cases ---------------------------------------------------------------

ALL_ROUTES = list_routes()
BY_NAME = {route.key: route for route in ALL_ROUTES}


def line_of(name: str) -> Line | None:
    """The route's line; the admin's routes (named ``admin:…``, or unnamed redirects under
    ``admin/``) share ADMIN_ROUTES."""
    if name in ROUTES:
        return ROUTES[name]
    if name.startswith(("admin:", "admin/")):
        return ADMIN_ROUTES
    return None


def swept(route: Any, line: Line) -> bool:
    """Of the admin, the sweep reads its index and every model's list (and posts to the lists,
    where its bulk actions are); its other pages answer to the same ``admin_view`` guard."""
    if line is ADMIN_ROUTES:
        return route.name == "admin:index" or route.name.endswith("_changelist")
    return not (route.params and line.args is None)


def read_sides(line: Line) -> tuple[str, ...]:
    return line.on if line.args or callable(line.query) else NONE


def read_cases() -> Iterator[Any]:
    """(route, side, "GET"): every persona reads it, in one test."""
    for route in ALL_ROUTES:
        line = line_of(route.key)
        if line is None or "GET" not in route.methods or not swept(route, line):
            continue
        for side in read_sides(line):
            yield pytest.param(route.key, side, "GET", id=f"{route.key}-{side}-GET")


def denied(line: Line, method: str, side: str) -> list[str]:
    """The personas ``line`` denies ``method`` on ``side``, known faults left out."""
    return [
        persona
        for persona in PERSONAS
        if persona not in line.who(method, side) and (method, side, persona) not in line.defects
    ]


def denied_write_cases() -> Iterator[Any]:
    """(route, side, method): every persona denied it sends it, in one test."""
    for route in ALL_ROUTES:
        line = line_of(route.key)
        if line is None or not swept(route, line):
            continue
        for method in route.writes:
            for side in line.on:
                if denied(line, method, side):
                    yield pytest.param(route.key, side, method, id=f"{route.key}-{side}-{method}")


# --- The fixture world, built once for the module --------------------------------------------


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The world, built once inside a transaction rolled back when the module is done.

    The personas' sessions live in signed cookies: a request's session bookkeeping (the idle
    clock) writes no row, so that the database's digest is computed only when data was
    written; the idle timeout is pushed past the module's run.
    """
    from django.core.cache import cache

    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
            ESSOR_SESSION_IDLE_MINUTES=24 * 60,
        ),
    ):
        cache.clear()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = build_world()
            built.digest = database_digest()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@contextmanager
def undone() -> Iterator[None]:
    """Whatever a request writes is undone after it (a savepoint), so that each persona meets
    the world as it was built."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def url_of(name: str, world: World, side: str) -> str:
    line = line_of(name)
    assert line is not None
    if line.url:
        return line.url
    kwargs = line.args(world, side) if line.args else {}
    return reverse(name, kwargs=kwargs)


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def refused(response: Any, persona: str, api: bool) -> bool:
    """Forbidden looks like missing (404); 403 and 405 refuse too; the anonymous visitor is sent
    to sign in (a page) or told to (the API), and so is a non-staff user at the admin."""
    status = response.status_code
    if status in (403, 404, 405):
        return True
    if api:
        return persona == "anonymous" and status == 401
    return status == 302 and response["Location"].startswith(LOGIN_PATHS)


SEES_PERSONAL = frozenset({"admin", "programme_manager", "counsellor", "data_clerk"})


def forbidden_strings(persona: str) -> list[str]:
    """The sentinel strings ``persona`` must never read: the other partner's always; every one
    for the roles that see no personal data and for the anonymous visitor."""
    if persona == "operator":
        return []
    visible = {"own", "shared"} if persona in SEES_PERSONAL else set()
    return [
        s.lower()
        for side, sentinel in SENTINELS.items()
        if side not in visible
        for s in sentinel.strings()
    ]


def text_of(response: Any) -> str:
    """What the response shows, as text (the cells of a spreadsheet; a PDF is not read)."""
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    return str(content.decode("utf-8", errors="replace"))


def leaked(response: Any, persona: str, query: Mapping[str, str]) -> list[str]:
    """The forbidden sentinel strings the response shows, leaving out what only echoes the
    request: the search typed (a field's value, the links that keep it), the address (the
    language switch's ``next``)."""
    text = text_of(response).lower()
    request = response.wsgi_request
    for echo in (request.get_full_path(), request.get_full_path().replace("&", "&amp;")):
        text = text.replace(echo.lower(), "")
    for key, value in query.items():
        text = text.replace(f'value="{str(value).lower()}"', 'value=""')
        text = text.replace(urlencode({key: value}).lower(), "")  # links that keep the search
    return [s for s in forbidden_strings(persona) if s in text]


# --- 1. Coverage ----------------------------------------------------------------------------


def test_every_route_is_declared() -> None:
    missing = [
        f"{r.name or '(no name)'}  {r.pattern}  {'/'.join(sorted(r.methods))}  ({r.view})"
        for r in ALL_ROUTES
        if line_of(r.key) is None
    ]
    assert not missing, "Routes with no line in ROUTES (add one):\n" + "\n".join(missing)


def test_every_declared_route_exists() -> None:
    gone = sorted(set(ROUTES) - set(BY_NAME))
    assert not gone, f"ROUTES declares routes that no longer exist: {gone}"


def test_route_names_are_unique() -> None:
    names = [r.name for r in ALL_ROUTES if r.name]
    assert sorted({n for n in names if names.count(n) > 1}) == []


def test_lines_match_the_methods_their_view_accepts() -> None:
    """A line that lets someone write names a route that writes, and a route that writes has
    a body for its denied requests (an empty one is a body)."""
    wrong = []
    for name, line in ROUTES.items():
        route = BY_NAME.get(name)
        if route is None:
            continue
        if line.get and "GET" not in route.methods:
            wrong.append(f"{name}: declares readers but its view takes no GET")
        if line.write and not route.writes:
            wrong.append(f"{name}: declares writers but its view takes no POST/PUT/PATCH/DELETE")
        if route.params and line.args is None:
            wrong.append(f"{name}: takes {route.params} but the line has no args")
        for method, side, persona in line.defects:
            if persona in line.who(method, side):
                wrong.append(f"{name}: a defect names {persona}, whom the line lets {method}")
            # The six faults the first sweep found (accompaniment's shared sessions, groups,
            # diagnostics and other partners' tours) are fixed: none may be declared again.
            wrong.append(f"{name}: {persona} may {method} on the {side} side: fix the product")
    assert wrong == []


def test_probes_named_exist() -> None:
    """``probe="registry:person/view"`` names a row of ``essor/registry/tests/
    test_permission_matrix.py``, which tests the allowed action."""
    import importlib

    wrong = []
    for name, line in ROUTES.items():
        if not line.probe:
            continue
        app, _, probe = line.probe.partition(":")
        obj, _, action = probe.partition("/")
        module = importlib.import_module(f"essor.{app}.tests.test_permission_matrix")
        if (obj, action) not in module.PROBES:
            wrong.append(f"{name}: {line.probe}")
    assert wrong == []


# --- 2. Every route read by every persona, on every side --------------------------------------
#
# One test by route and side; every persona in it, each request in a savepoint of its own.
# A failure lists every persona that was not answered as declared.


def query_of(line: Line, world: World, side: str) -> dict[str, Any]:
    return dict(line.query(world, side) if callable(line.query) else line.query)


def read_problems(world: World, name: str, side: str, persona: str) -> list[str]:
    route, line = BY_NAME[name], line_of(name)
    assert line is not None
    client = world.apis[persona] if route.is_api else world.page(persona)
    query = query_of(line, world, side)
    response = client.get(url_of(name, world, side), query)
    status = response.status_code
    problems = []
    if status == 500:
        problems.append(f"{persona}: 500")
    elif persona in line.who("GET", side):
        if status not in line.ok:
            problems.append(f"{persona} may read it, got {status}")
    elif not refused(response, persona, route.is_api):
        problems.append(f"{persona} may not read it, got {status}")
    found = leaked(response, persona, query)
    if found:
        problems.append(f"{persona} is shown personal data it may not see: {found}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "side", "method"), list(read_cases()))
def test_read(world: World, name: str, side: str, method: str) -> None:
    problems = []
    line = line_of(name)
    assert line is not None
    for persona in line.readers or PERSONAS:
        with undone():
            problems += read_problems(world, name, side, persona)
    assert not problems, f"GET {name} on the {side} side: " + "; ".join(problems)


# --- 3. Every write a persona is denied: refused, and nothing changed -------------------------


def write_problems(world: World, name: str, side: str, method: str, persona: str) -> list[str]:
    route, line = BY_NAME[name], line_of(name)
    assert line is not None
    url = url_of(name, world, side)
    data = line.body(world, side) if line.body else {}
    before = write_count()
    client = world.apis[persona] if route.is_api else world.page(persona)
    send = getattr(client, method.lower())
    response = send(url, data, format="json") if route.is_api else send(url, data)
    problems = []
    if response.status_code == 500:
        problems.append(f"{persona}: 500")
    elif not refused(response, persona, route.is_api):
        problems.append(f"{persona} was not refused: {response.status_code}")
    if before is None or write_count() != before:
        changes = digest_changes(world.digest, database_digest())
        if changes:
            problems.append(f"{persona} changed {changes}")
    found = leaked(response, persona, {})
    if found:
        problems.append(f"{persona} is shown personal data it may not see: {found}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "side", "method"), list(denied_write_cases()))
def test_denied_write(world: World, name: str, side: str, method: str) -> None:
    line = line_of(name)
    assert line is not None
    problems = []
    for persona in denied(line, method, side):
        with undone():
            problems += write_problems(world, name, side, method, persona)
    assert not problems, f"{method} {name} on the {side} side: " + "; ".join(problems)


# --- The sweep's own controls ---------------------------------------------------------------
#
# A leak check that never matches, or a digest that never moves, would let everything pass:
# these show that each one sees what it must.


@pytest.mark.django_db
def test_the_sentinels_are_found_where_they_may_be_seen(world: World) -> None:
    """The admin's page of their partner's person shows its sentinels (which the committee
    member may not see); the operator's answer about another partner's person shows its, and
    so does the operator's search for them (beyond the echo of what was searched)."""
    own, other = world.sides["own"], world.sides["other"]
    with undone():
        page = world.page("admin").get(reverse("registry:person", args=[own.person.pk]))
        assert page.status_code == 200
        found = set(leaked(page, "committee_member", {}))
        assert {"ghitane", "oualidrix", "za918273", "06 77 12 39 81"} <= found
    with undone():
        answer = world.apis["operator"].get(f"/api/v1/persons/{other.person.pk}")
        assert answer.status_code == 200
        assert {"zhorane", "qiblawix", "zq918273"} <= set(leaked(answer, "admin", {}))
    with undone():  # the search the sweep runs finds the other partner's person when allowed
        listed = world.page("operator").get(reverse("registry:persons"), SEARCH_OTHER)
        assert {"zhorane", "qiblawix"} <= set(leaked(listed, "admin", SEARCH_OTHER))


@pytest.mark.django_db
def test_the_digest_sees_a_write(world: World) -> None:
    """An allowed write moves the write count and the digest: a denied one would be caught."""
    with undone():
        before = write_count()
        response = world.page("admin").post(
            reverse("registry:person_create"), {"first_name": "Imane", "last_name": "Saidi"}
        )
        assert response.status_code == 302
        assert before is None or write_count() != before
        count = world.digest["registry_person"][0]
        assert f"registry_person {count} -> {count + 1} rows" in digest_changes(
            world.digest, database_digest()
        )
