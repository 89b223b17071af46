from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.accounts.permissions import require
from essor.accounts.roles import Cap
from essor.core.forms import form_errors
from essor.core.http import EssorRequest
from essor.linkage.support import organisation_supports, person_supports
from essor.privacy.models import AccessPurpose, Anonymisation, Objection
from essor.privacy.services import ShownCins, log_full_cin, without_objections

from . import services
from .exporting import organisation_columns, person_columns, to_csv, to_xlsx
from .forms import ConsentForm, ImportForm, MembershipForm, OrganisationForm, PersonForm
from .identifiers import format_phone, mask_cin
from .importing.engine import REJECT, UPDATE
from .importing.jobs import COLUMNS, import_job_create, rejected_rows_csv
from .models import ImportJob, ImportStatus, OrganisationKind, Person, Sex
from .permissions import access_organisation, access_person
from .selectors import (
    OrganisationFilters,
    PersonFilters,
    cooperative_shares,
    organisation_list,
    organisation_members,
    person_list,
    person_search_page,
)
from .tasks import load_import, plan_import

PAGE_SIZE = 25


def _person_filters(request: EssorRequest) -> PersonFilters:
    sex = request.GET.get("sex", "")
    return PersonFilters(
        query=request.GET.get("q", "")[:100],
        sex=sex if sex in Sex.values else "",
        commune=request.GET.get("commune", "")[:14],
    )


@login_required
def persons(request: EssorRequest) -> HttpResponse:
    require(request.user, Cap.PERSONAL_VIEW)
    filters = _person_filters(request)
    try:
        # A billion rows is past the end of any registry: "?offset=" + 30 nines is not an error.
        offset = min(max(0, int(request.GET.get("offset", 0))), 10**9)
    except ValueError:
        offset = 0
    page = person_search_page(actor=request.user, filters=filters, limit=PAGE_SIZE, offset=offset)
    show_cin = request.user.can(Cap.IDENTIFIERS_VIEW)
    if show_cin:  # every full CIN shown is in the access log (one statement for the page)
        log_full_cin(
            request.user, [p.pk for p in page.results if p.cin], AccessPurpose.PAGE, request.path
        )
    context = {
        "page": page,
        "filters": filters,
        "sexes": Sex.choices,
        "show_cin": show_cin,
    }
    template = "registry/partials/_person_rows.html" if request.htmx else "registry/persons.html"
    return render(request, template, context)


@login_required
def persons_export(request: EssorRequest, fmt: str) -> HttpResponse:
    require(request.user, Cap.REGISTRY_EXPORT)
    # Persons who objected are left out of exports (law 09-08; decision 0018).
    persons = without_objections(person_list(actor=request.user, filters=_person_filters(request)))
    shown = ShownCins(request.user, path=request.path)
    records = shown.watch(persons.iterator(chunk_size=2000))
    columns = person_columns(request.user)
    response = _export(records, columns, fmt, "persons")
    shown.write()
    return response


def _export(records: Any, columns: Any, fmt: str, name: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(to_csv(records, columns), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            to_xlsx(records, columns, name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="essor-{name}.{fmt}"'
    return response


@login_required
def person_detail(request: EssorRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk)
    show_cin = request.user.can(Cap.IDENTIFIERS_VIEW)
    if show_cin and person.cin:
        log_full_cin(request.user, [person.pk], AccessPurpose.PAGE, request.path)
    context = {
        "person": person,
        "objection": Objection.objects.filter(person=person).first(),
        "anonymised": Anonymisation.objects.filter(person=person).exists(),
        "cin": person.cin if show_cin else mask_cin(person.cin),
        "phone": format_phone(person.phone),
        "age": person.age(),
        "memberships": person.memberships.select_related("organisation").order_by(
            "organisation__name_fr"
        ),
        "consents": person.consents.select_related("collected_by", "partner"),
        "holders": person.holdings.select_related("partner").order_by("since"),
        "can_change": Person.objects.changeable_by(request.user).filter(pk=pk).exists(),
        "consent_form": ConsentForm(),
        "supports": person_supports(person),
        **_support_of(request, person),
    }
    return render(request, "registry/person_detail.html", context)


def _support_of(request: EssorRequest, person: Person) -> dict[str, Any]:
    """The support the person received, as far as the user may see it: applications and their
    journey, sessions attended and hours of training, commitments."""
    from essor.accompaniment.models import Participant, Session
    from essor.accompaniment.services import training_hours
    from essor.funding.models import Commitment
    from essor.programmes.models import Application

    user = request.user
    sessions = Session.objects.visible_to(user)
    return {
        "applications": Application.objects.visible_to(user)
        .filter(person=person)
        .select_related("programme", "enrollment"),
        "participations": Participant.objects.filter(person=person, session__in=sessions)
        .select_related("session__service", "session__venue")
        .order_by("-session__starts_at")[:20],
        "training_hours": training_hours(person),
        "commitments": Commitment.objects.visible_to(user)
        .filter(person=person)
        .select_related("programme"),
    }


def _person_initial(person: Person) -> dict[str, Any]:
    return {f: getattr(person, f) for f in services.PERSON_FIELDS}


@login_required
def person_create(request: EssorRequest) -> HttpResponse:
    require(request.user, Cap.PERSONAL_CHANGE)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and request.user.partner:
        try:
            person = services.person_create(
                actor=request.user, partner=request.user.partner, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": person})
            return redirect("registry:person", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form, "person": None})


@login_required
def person_edit(request: EssorRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk, action="change")
    form = PersonForm(request.POST or None, initial=_person_initial(person))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.person_update(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            if changed:
                messages.success(request, _("Changes saved."))
            return redirect("registry:person", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form, "person": person})


@login_required
@require_POST
def person_consent(request: EssorRequest, pk: int) -> HttpResponse:
    person = access_person(request.user, pk, action="change")
    form = ConsentForm(request.POST)
    if form.is_valid() and request.user.partner:
        services.consent_record(
            actor=request.user, person=person, partner=request.user.partner, **form.cleaned_data
        )
        messages.success(request, _("Consent recorded."))
    else:
        messages.error(
            request, _("The consent was not recorded: give its date, purpose and the text shown.")
        )
    return redirect("registry:person", pk=person.pk)


@login_required
def organisations(request: EssorRequest) -> HttpResponse:
    require(request.user, Cap.PERSONAL_VIEW)
    filters = OrganisationFilters(
        query=request.GET.get("q", "")[:100],
        kind=request.GET.get("kind", ""),
        commune=request.GET.get("commune", "")[:14],
    )
    page = Paginator(organisation_list(actor=request.user, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "filters": filters, "kinds": OrganisationKind.choices}
    template = (
        "registry/partials/_organisation_rows.html"
        if request.htmx
        else "registry/organisations.html"
    )
    return render(request, template, context)


@login_required
def organisations_export(request: EssorRequest, fmt: str) -> HttpResponse:
    require(request.user, Cap.REGISTRY_EXPORT)
    filters = OrganisationFilters(
        query=request.GET.get("q", "")[:100], kind=request.GET.get("kind", "")
    )
    records = organisation_list(actor=request.user, filters=filters).iterator(chunk_size=2000)
    return _export(records, organisation_columns(request.user), fmt, "organisations")


@login_required
def organisation_detail(request: EssorRequest, pk: int) -> HttpResponse:
    organisation = access_organisation(request.user, pk)
    context = {
        "organisation": organisation,
        "members": organisation_members(organisation),
        "shares": cooperative_shares(organisation)
        if organisation.kind == OrganisationKind.COOPERATIVE
        else None,
        "holders": organisation.holdings.select_related("partner").order_by("since"),
        "can_change": organisation.__class__.objects.changeable_by(request.user)
        .filter(pk=pk)
        .exists(),
        "member_form": MembershipForm(),
        "supports": organisation_supports(organisation),
    }
    return render(request, "registry/organisation_detail.html", context)


@login_required
def organisation_create(request: EssorRequest) -> HttpResponse:
    require(request.user, Cap.PERSONAL_CHANGE)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and request.user.partner:
        try:
            organisation = services.organisation_create(
                actor=request.user, partner=request.user.partner, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": organisation})
            return redirect("registry:organisation", pk=organisation.pk)
    return render(request, "registry/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request: EssorRequest, pk: int) -> HttpResponse:
    organisation = access_organisation(request.user, pk, action="change")
    initial = {f: getattr(organisation, f) for f in services.ORGANISATION_FIELDS}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("registry:organisation", pk=organisation.pk)
    return render(
        request,
        "registry/organisation_form.html",
        {"form": form, "organisation": organisation},
    )


@login_required
@require_POST
def organisation_member_add(request: EssorRequest, pk: int) -> HttpResponse:
    organisation = access_organisation(request.user, pk, action="change")
    form = MembershipForm(request.POST)
    if form.is_valid():
        person = access_person(request.user, form.cleaned_data["person"])
        services.membership_add(
            actor=request.user,
            organisation=organisation,
            person=person,
            role=form.cleaned_data["role"],
            since=form.cleaned_data["since"],
        )
        messages.success(request, _("%(name)s added.") % {"name": person})
    else:
        messages.error(request, _("Give the registry number of a person you can see, and a role."))
    return redirect("registry:organisation", pk=organisation.pk)


# --- Imports ------------------------------------------------------------------------------------


def _access_job(request: EssorRequest, pk: int) -> ImportJob:
    require(request.user, Cap.REGISTRY_IMPORT)
    jobs = ImportJob.objects.select_related("partner", "created_by")
    if not request.user.is_superuser:
        jobs = jobs.filter(partner=request.user.partner)
    try:
        return jobs.get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404 from None


@login_required
def imports(request: EssorRequest) -> HttpResponse:
    require(request.user, Cap.REGISTRY_IMPORT)
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at")
    if not request.user.is_superuser:
        jobs = jobs.filter(partner=request.user.partner)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and request.user.partner:
        upload = form.cleaned_data["file"]
        job = import_job_create(
            actor=request.user,
            partner=request.user.partner,
            kind=form.cleaned_data["kind"],
            file=upload,
            name=upload.name,
            strict=form.cleaned_data["strict"],
        )
        plan_import.enqueue(job.pk)
        return redirect("registry:import", pk=job.pk)
    return render(request, "registry/imports.html", {"jobs": jobs[:50], "form": form})


@login_required
def import_detail(request: EssorRequest, pk: int) -> HttpResponse:
    job = _access_job(request, pk)
    columns = COLUMNS[job.kind]  # type: ignore[index]
    rejected = [o for o in job.outcomes if o[1] == REJECT]
    updated = [o for o in job.outcomes if o[1] == UPDATE]
    context = {
        "job": job,
        "rejected": rejected[:500],
        "rejected_count": len(rejected),
        "updated": updated[:200],
        "fields": [(f, label) for f, (label, _names) in columns.items()],
        "mapping": {int(i): f for i, f in job.mapping.items()},
        "header": list(enumerate(job.header)),
    }
    template = (
        "registry/partials/_import_status.html" if request.htmx else "registry/import_detail.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def import_mapping(request: EssorRequest, pk: int) -> HttpResponse:
    """The user matches the file's columns to fields; the rows are checked again."""
    job = _access_job(request, pk)
    if job.is_running or job.status == ImportStatus.DONE:
        raise Http404
    columns = COLUMNS[job.kind]  # type: ignore[index]
    mapping: dict[str, str] = {}
    for index, _title in enumerate(job.header):
        field = request.POST.get(f"col-{index}", "")
        if field in columns and field not in mapping.values():
            mapping[str(index)] = field
    job.mapping = mapping
    job.status = ImportStatus.UPLOADED
    job.save(update_fields=["mapping", "status", "updated_at"])
    plan_import.enqueue(job.pk)
    return redirect("registry:import", pk=job.pk)


@login_required
@require_POST
def import_load(request: EssorRequest, pk: int) -> HttpResponse:
    job = _access_job(request, pk)
    if job.status != ImportStatus.PLANNED:
        messages.error(request, _("This import cannot be loaded now: check it first."))
        return redirect("registry:import", pk=job.pk)
    job.status = ImportStatus.LOADING
    job.progress_done = 0
    job.save(update_fields=["status", "progress_done", "updated_at"])
    load_import.enqueue(job.pk, request.user.pk)
    return redirect("registry:import", pk=job.pk)


@login_required
def import_rejected(request: EssorRequest, pk: int) -> HttpResponse:
    job = _access_job(request, pk)
    response = HttpResponse(rejected_rows_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{job.pk}.csv"'
    return response
