"""Pages of accompaniment: the counsellor's workspace, a session and its attendance (on a
phone, one screen, one post), the bus's tour planning, a group and its log."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.accounts.roles import Cap
from essor.core.forms import form_errors, submit
from essor.core.http import EssorRequest
from essor.registry.models import Person

from . import planner, services
from .forms import GroupLogForm, MemberForm, SessionForm, TourForm
from .models import Group, Participant, Session, Tour, TourStop, Venue, VenueKind
from .permissions import (
    access_group,
    access_session,
    change_group,
    change_session,
    may_change_diagnostic,
    may_change_tour,
)


@login_required
def workspace(request: EssorRequest) -> HttpResponse:
    """My groups, my sessions this week, attendance still to take, the holders I follow."""
    user = request.user
    if not user.can(Cap.PERSONAL_VIEW):
        raise Http404
    from essor.programmes.models import Enrollment

    sessions = Session.objects.visible_to(user).filter(counsellors=user)
    to_take = (
        sessions.filter(reported_at__isnull=True, starts_at__lte=timezone.now())
        .select_related("service", "venue")
        .order_by("-starts_at")[:20]
    )
    # The enrollments of the people in my sessions: an IN on the participants' ids rather than
    # a join through every attendance row and a DISTINCT (a second at 2,000 sessions).
    people = Participant.objects.filter(session__in=sessions.values("pk")).values("person_id")
    followed = (
        Enrollment.objects.filter(application__person_id__in=people)
        .select_related("application__person", "application__programme")
        .order_by("-started_on", "pk")[:50]
    )
    return render(
        request,
        "accompaniment/workspace.html",
        {
            "groups": Group.objects.visible_to(user).filter(counsellor=user),
            "overdue": services.overdue_plan_items(user),
            "week": services.sessions_of_week(user),
            "to_take": to_take,
            "followed": followed,
        },
    )


@login_required
def session_create(request: EssorRequest) -> HttpResponse:
    user = request.user
    partner = user.partner
    if not user.can(Cap.ACCOMPANIMENT_ALL) or partner is None:
        raise Http404
    form = SessionForm(request.POST or None, partner=partner)
    created: list[Session] = []

    def call(data: dict[str, Any]) -> None:
        created.extend(services.session_create(actor=user, holder=partner, **data))

    if request.method == "POST":
        return submit(
            request,
            form,
            call,
            success=_("Session planned."),
            done=lambda: redirect("accompaniment:session", pk=created[0].pk),
            again=lambda bound: render(
                request, "accompaniment/session_form.html", {"form": bound}, status=400
            ),
        )
    return render(request, "accompaniment/session_form.html", {"form": form})


@login_required
def session_detail(request: EssorRequest, pk: int) -> HttpResponse:
    session = access_session(request.user, pk)
    query = request.GET.get("q", "").strip()[:60]
    found: list[Person] = []
    if query:
        from essor.registry.selectors import PersonFilters, person_search_page

        page = person_search_page(
            actor=request.user, filters=PersonFilters(query=query), limit=8, offset=0
        )
        found = page.results
    return render(
        request,
        "accompaniment/session_detail.html",
        {
            "session": session,
            "participants": session.participants.select_related("person").order_by(
                "person__last_name"
            ),
            "query": query,
            "found": found,
            "can_report": session.reported_at is None,
        },
    )


@login_required
@require_POST
def attendance(request: EssorRequest, pk: int) -> HttpResponse:
    """One post for the whole list: ticked are present, the others absent; walk-ins added."""
    session = change_session(request.user, pk)
    ids = set(session.participants.values_list("pk", flat=True))
    present = {int(v) for v in request.POST.getlist("present") if v.isascii() and v.isdigit()}
    marks = {pk_: pk_ in present for pk_ in ids}
    walk_ins = Person.objects.visible_to(request.user).filter(
        pk__in=[int(v) for v in request.POST.getlist("walk_in") if v.isascii() and v.isdigit()]
    )
    try:
        with transaction.atomic():
            services.attendance_mark(
                actor=request.user, session=session, marks=marks, walk_ins=walk_ins
            )
            if request.POST.get("report"):
                services.session_report(actor=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Attendance saved."))
    return redirect("accompaniment:session", pk=session.pk)


@login_required
def tour_plan(request: EssorRequest) -> HttpResponse:
    """Propose a tour; confirming it records the stops and a bus-stop venue for each."""
    user = request.user
    if not user.can(Cap.TOURS_PLAN):
        raise Http404
    form = TourForm(request.POST or request.GET or None)
    if not user.is_superuser:  # a partner plans its own buses' tours
        units = form.fields["mobile_unit"].queryset.filter(operator_id=user.partner_id)  # type: ignore[attr-defined]
        form.fields["mobile_unit"].queryset = units  # type: ignore[attr-defined]
    stops: list[planner.Stop] = []
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["mobile_unit"]
        try:
            stops = planner.plan(
                region_code=unit.home.region.code,
                home=unit.home,
                start=form.cleaned_data["start_on"],
                end=form.cleaned_data["end_on"],
                rest_weekdays=form.cleaned_data["rest_days"],
            )
        except ValidationError as error:
            form_errors(form, error)
        if stops and request.method == "POST":
            tour = _confirm(
                user, unit, form.cleaned_data["start_on"], form.cleaned_data["end_on"], stops
            )
            messages.success(request, _("Tour recorded: %(n)s stops.") % {"n": len(stops)})
            return redirect("accompaniment:tour", pk=tour.pk)
    return render(request, "accompaniment/tour_plan.html", {"form": form, "stops": stops})


@transaction.atomic
def _confirm(user: Any, unit: Any, start: date, end: date, stops: list[planner.Stop]) -> Tour:
    tour = Tour.objects.create(
        mobile_unit=unit, region=unit.home.region, start_on=start, end_on=end, confirmed=True
    )
    for stop in stops:
        venue = Venue.objects.create(
            kind=VenueKind.BUS_STOP,
            name=_("Bus — %(commune)s, %(date)s")
            % {"commune": stop.commune.name_fr, "date": stop.on.strftime("%d/%m/%Y")},
            commune=stop.commune,
            capacity=unit.capacity,
            host=unit.operator,
            mobile_unit=unit,
        )
        TourStop.objects.create(
            tour=tour,
            on=stop.on,
            commune=stop.commune,
            distance_km=stop.distance_km,
            venue=venue,
            reason=_(
                "%(waiting)s holders waiting, %(holders)s in the registry, "
                "%(visits)s earlier visits"
            )
            % {"waiting": stop.waiting, "holders": stop.holders, "visits": stop.visits},
        )
    return tour


@login_required
def tour_detail(request: EssorRequest, pk: int) -> HttpResponse:
    if not request.user.can(Cap.AGGREGATES_VIEW):
        raise Http404
    tour = Tour.objects.filter(pk=pk).select_related("mobile_unit").first()
    if tour is None:
        raise Http404
    if request.method == "POST":
        if not request.user.can(Cap.TOURS_PLAN) or not may_change_tour(request.user, tour):
            raise Http404
        _edit_stop(request, tour)
        return redirect("accompaniment:tour", pk=tour.pk)
    return render(
        request,
        "accompaniment/tour_detail.html",
        {"tour": tour, "stops": tour.stops.select_related("commune__province", "venue")},
    )


def _edit_stop(request: EssorRequest, tour: Tour) -> None:
    from datetime import date as date_type

    from essor.territory.models import Commune

    raw = request.POST.get("stop", "")
    stop = tour.stops.filter(pk=int(raw)).first() if raw.isascii() and raw.isdigit() else None
    if stop is None:
        raise Http404
    try:
        if request.POST.get("remove"):
            services.tour_stop_remove(actor=request.user, stop=stop)
        else:
            on = request.POST.get("on", "")
            code = request.POST.get("commune", "").strip()
            commune = Commune.objects.filter(code=code).first() if code else None
            if code and commune is None:
                raise ValidationError(
                    _("There is no commune with the HCP code %(value)s.") % {"value": code}
                )
            services.tour_stop_change(
                actor=request.user,
                stop=stop,
                on=date_type.fromisoformat(on) if on else None,
                commune=commune,
            )
    except (ValidationError, ValueError) as error:
        text = (
            " ".join(error.messages)
            if isinstance(error, ValidationError)
            else _("Give a valid date.")
        )
        messages.error(request, text)
    else:
        messages.success(request, _("Tour changed."))


@login_required
def group_create(request: EssorRequest) -> HttpResponse:
    from .forms import GroupForm

    user = request.user
    partner = user.partner
    if not user.can(Cap.ACCOMPANIMENT_ALL) or partner is None:
        raise Http404
    form = GroupForm(request.POST or None, partner=partner)
    created: list[Group] = []

    def call(data: dict[str, Any]) -> None:
        created.append(services.group_create(actor=user, holder=partner, **data))

    if request.method == "POST":
        return submit(
            request,
            form,
            call,
            success=_("Group created."),
            done=lambda: redirect("accompaniment:group", pk=created[0].pk),
            again=lambda bound: render(
                request, "accompaniment/group_form.html", {"form": bound}, status=400
            ),
        )
    return render(request, "accompaniment/group_form.html", {"form": form})


@login_required
@require_POST
def group_member_add(request: EssorRequest, pk: int) -> HttpResponse:
    from essor.funding.views import resolve_beneficiary

    from .forms import MemberForm

    group = change_group(request.user, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        try:
            found = resolve_beneficiary(request.user, form.cleaned_data["enterprise"])
            if "organisation" not in found:
                raise ValidationError(_("Give an enterprise (its ICE or E-number), not a person."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            group.members.add(found["organisation"])
            messages.success(request, _("Enterprise added to the group."))
    return redirect("accompaniment:group", pk=group.pk)


@login_required
def catalogue(request: EssorRequest) -> HttpResponse:
    """The services offered and the places where they are given."""
    from .models import MobileUnit, Service

    if not request.user.can(Cap.AGGREGATES_VIEW):
        raise Http404
    return render(
        request,
        "accompaniment/catalogue.html",
        {
            "services": Service.objects.prefetch_related("programmes"),
            "venues": Venue.objects.exclude(kind=VenueKind.BUS_STOP).select_related(
                "commune", "host"
            ),
            "buses": MobileUnit.objects.select_related("home", "operator"),
            "tours": Tour.objects.select_related("mobile_unit")[:20],
        },
    )


@login_required
def group_detail(request: EssorRequest, pk: int) -> HttpResponse:
    group = access_group(request.user, pk)
    form = GroupLogForm(request.POST or None)
    if request.method == "POST":
        group = change_group(request.user, pk)
        return submit(
            request,
            form,
            lambda data: services.group_log_add(actor=request.user, group=group, **data),
            success=_("Saved."),
            done=lambda: redirect("accompaniment:group", pk=group.pk),
            again=lambda bound: _group_page(request, group, bound, status=400),
        )
    return _group_page(request, group, form)


def _group_page(request: EssorRequest, group: Group, form: Any, status: int = 200) -> HttpResponse:
    return render(
        request,
        "accompaniment/group_detail.html",
        {
            "group": group,
            "members": group.members.all(),
            "sessions": group.sessions.select_related("service", "venue"),
            "log": group.log.all(),
            "form": form,
            "member_form": MemberForm(),
        },
        status=status,
    )


def _diagnostic(request: EssorRequest, pk: int) -> Any:
    from essor.accounts.scoping import ALL, visible_partner_ids

    from .models import Diagnostic

    user = request.user
    if not user.can(Cap.PERSONAL_VIEW):
        raise Http404
    rows = Diagnostic.objects.select_related("organisation", "counsellor")
    ids = visible_partner_ids(user)
    if ids is not ALL:
        rows = rows.filter(Q(holder_id__in=ids) | Q(counsellor=user))
    diagnostic = rows.filter(pk=pk).first()
    if diagnostic is None:
        raise Http404
    return diagnostic


@login_required
def diagnostic_create(request: EssorRequest, organisation_pk: int) -> HttpResponse:
    from essor.registry.permissions import access_organisation

    from .forms import DiagnosticForm

    user = request.user
    organisation = access_organisation(user, organisation_pk)
    partner = user.partner
    if partner is None or not user.can(Cap.PERSONAL_CHANGE):
        raise Http404
    form = DiagnosticForm(request.POST or None)
    created: list[Any] = []

    def call(data: dict[str, Any]) -> None:
        created.append(
            services.diagnostic_record(
                actor=user,
                holder=partner,
                organisation=organisation,
                on=data["on"],
                scores=form.scores(),
                notes=data["notes"],
            )
        )

    if request.method == "POST":
        return submit(
            request,
            form,
            call,
            success=_("Diagnostic recorded."),
            done=lambda: redirect("accompaniment:diagnostic", pk=created[0].pk),
            again=lambda bound: render(
                request,
                "accompaniment/diagnostic_form.html",
                {"form": bound, "organisation": organisation},
                status=400,
            ),
        )
    return render(
        request, "accompaniment/diagnostic_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def diagnostic_detail(request: EssorRequest, pk: int) -> HttpResponse:
    from .forms import PlanItemForm
    from .models import PlanItem

    diagnostic = _diagnostic(request, pk)
    form = PlanItemForm(request.POST or None)
    if request.method == "POST":
        if not may_change_diagnostic(request.user, diagnostic):
            raise Http404
        if request.POST.get("item"):
            item = (
                PlanItem.objects.filter(pk=request.POST["item"], diagnostic=diagnostic).first()
                if request.POST["item"].isascii() and request.POST["item"].isdigit()
                else None
            )
            if item is None:
                raise Http404
            services.plan_item_follow(
                actor=request.user, item=item, status=request.POST.get("status", "")
            )
            messages.success(request, _("Saved."))
            return redirect("accompaniment:diagnostic", pk=diagnostic.pk)
        return submit(
            request,
            form,
            lambda data: services.plan_item_add(actor=request.user, diagnostic=diagnostic, **data),
            success=_("Saved."),
            done=lambda: redirect("accompaniment:diagnostic", pk=diagnostic.pk),
            again=lambda bound: _diagnostic_page(request, diagnostic, bound, status=400),
        )
    return _diagnostic_page(request, diagnostic, form)


def _diagnostic_page(
    request: EssorRequest, diagnostic: Any, form: Any, status: int = 200
) -> HttpResponse:
    from .models import Area, PlanStatus

    labels = dict(Area.choices)
    return render(
        request,
        "accompaniment/diagnostic_detail.html",
        {
            "diagnostic": diagnostic,
            "profile": [(labels[k], int(v)) for k, v in diagnostic.scores.items() if k in labels],
            "needs": [labels[k] for k in diagnostic.needs()],
            "suggested": services.suggested_services(diagnostic),
            "plan": diagnostic.plan.all(),
            "statuses": PlanStatus.choices,
            "form": form,
        },
        status=status,
    )
