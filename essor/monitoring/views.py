"""Pages of monitoring: dashboards (convention, programme, region, country), the records behind
a figure, the indicator catalogue, the committee's report, and the follow-up surveys."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.accounts.roles import Cap
from essor.core.forms import form_errors
from essor.core.http import EssorRequest

from . import dashboards, indicators, services
from .forms import FollowUpForm
from .indicators import Period, PeriodError, Scope
from .permissions import (
    access_follow_up,
    access_scope,
    can_record,
    can_refresh,
    can_view,
    persons_with_visible_support,
)
from .selectors import follow_ups_due, targets_against_actuals


def _can_view(request: EssorRequest) -> None:
    if not can_view(request.user):
        raise Http404


def scope_of(request: EssorRequest, kind: str, key: str) -> Scope:
    return access_scope(request.user, kind, key)


def _period(request: EssorRequest) -> tuple[Period, str | None]:
    """The period asked for, or this year with the reason when what was typed is not one."""
    text = request.GET.get("period", "").strip()
    if not text:
        return Period.parse(str(timezone.localdate().year)), None
    try:
        return Period.parse(text), None
    except PeriodError as error:
        return Period.parse(str(timezone.localdate().year)), str(error)


@login_required
def index(request: EssorRequest) -> HttpResponse:
    _can_view(request)
    from essor.conventions.models import Convention
    from essor.territory.models import Region

    return render(
        request,
        "monitoring/index.html",
        {
            "conventions": Convention.objects.filter(parent__isnull=True).order_by("reference"),
            "regions": Region.objects.all(),
            "refreshed": dashboards.last_refresh(),
            "due_count": follow_ups_due(request.user).count()
            if request.user.can(Cap.PERSONAL_VIEW)
            else 0,
        },
    )


def _dashboard(request: EssorRequest, kind: str, key: str) -> HttpResponse:
    scope = scope_of(request, kind, key)
    period, period_error = _period(request)
    board = dashboards.build(scope, period, links=request.user.can(Cap.PERSONAL_VIEW))
    if scope.kind == "convention":
        # The page shows the targets; the budget execution and the committee's work are on
        # the convention's own pages and in the report.
        board.targets = targets_against_actuals(scope.obj, period)
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "board": board,
            "period_error": period_error,
            "scope_kind": kind,
            "scope_key": key,
            "can_refresh": can_refresh(request.user),
        },
    )


@login_required
def convention(request: EssorRequest, pk: int) -> HttpResponse:
    return _dashboard(request, "convention", str(pk))


@login_required
def programme(request: EssorRequest, pk: int) -> HttpResponse:
    return _dashboard(request, "programme", str(pk))


@login_required
def region(request: EssorRequest, code: str) -> HttpResponse:
    return _dashboard(request, "region", code)


@login_required
def national(request: EssorRequest) -> HttpResponse:
    return _dashboard(request, "national", "ma")


@login_required
def records(request: EssorRequest, kind: str, key: str, code: str) -> HttpResponse:
    """The persons or enterprises behind a figure, as far as the user may see them."""
    from essor.registry.models import Organisation, Person

    scope = scope_of(request, kind, key)
    indicator = indicators.BY_CODE.get(code)
    if indicator is None or not indicator.lists:
        raise Http404
    if not request.user.can(Cap.PERSONAL_VIEW):
        raise Http404
    period, _error = _period(request)
    behind: Any
    visible: Any
    if indicator.lists == "applications":
        from essor.programmes.models import Application

        applied = indicators.application_records(scope, period)
        behind = Person.objects.filter(pk__in=applied.values("person_id"))
        mine = applied.filter(pk__in=Application.objects.visible_to(request.user))
        visible = (
            behind.visible_to(request.user)
            .filter(pk__in=mine.values("person_id"))
            .select_related("commune")
            .order_by("pk")
        )
    elif indicator.lists == "persons":
        rows = indicators.record_filter(code, scope, period)
        behind = Person.objects.filter(pk__in=rows.values("person_id"))
        visible = (
            persons_with_visible_support(request.user, behind, scope)
            .select_related("commune")
            .order_by("pk")
        )
    else:
        rows = indicators.record_filter(code, scope, period)
        behind = Organisation.objects.filter(pk__in=rows.values("organisation_id"))
        visible = behind.visible_to(request.user).select_related("commune").order_by("pk")
    total = behind.count()
    if indicator.lists != "organisations":
        # A person who objected is counted, not named (law 09-08; privacy decision 0018).
        from essor.privacy.services import without_objections

        named = without_objections(visible)
        objected = visible.count() - named.count()
        visible = named
    else:
        objected = 0
    page = Paginator(visible, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/records.html",
        {
            "scope": scope,
            "period": period,
            "indicator": indicator,
            "page": page,
            "total": total,
            "hidden": total - page.paginator.count - objected,
            "objected": objected,
            "lists": indicator.lists,
            "back": dashboards.dashboard_url(scope, period),
        },
    )


@login_required
def catalogue(request: EssorRequest) -> HttpResponse:
    _can_view(request)
    return render(request, "monitoring/catalogue.html", {"catalogue": indicators.CATALOGUE})


@login_required
@require_POST
def refresh(request: EssorRequest) -> HttpResponse:
    """Queue a rebuild of the figures (the analytics table) from the records."""
    if not can_refresh(request.user):
        raise Http404
    from .facts import refresh_running
    from .tasks import refresh_facts

    if refresh_running():
        messages.info(request, _("The figures are already being recomputed; come back shortly."))
    else:
        refresh_facts.enqueue()
        messages.success(request, _("The figures are being recomputed from the records."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("monitoring:index")
    return redirect(target)


@login_required
def report(request: EssorRequest, pk: int, fmt: str) -> HttpResponse:
    """The committee's report of a convention for a period, as PDF or XLSX."""
    from .reports import report_file

    if fmt not in ("pdf", "xlsx"):
        raise Http404
    scope = scope_of(request, "convention", str(pk))
    period, error = _period(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    lang = request.GET.get("lang") or request.LANGUAGE_CODE
    public = request.GET.get("public") == "1"
    content, content_type, name = report_file(scope.obj, period, lang=lang, fmt=fmt, public=public)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Follow-ups --------------------------------------------------------------------------


@login_required
def follow_ups(request: EssorRequest) -> HttpResponse:
    if not request.user.can(Cap.PERSONAL_VIEW):
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "monitoring/follow_ups.html",
        {"due": follow_ups_due(request.user, today=today)[:200], "today": today},
    )


@login_required
def follow_up(request: EssorRequest, pk: int) -> HttpResponse:
    item = access_follow_up(request.user, pk)
    recordable = can_record(request.user, item)
    form: Any = FollowUpForm(initial={"reached": "yes", "done_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if not recordable:
            raise Http404
        form = FollowUpForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["reached"] = data["reached"] == "yes"
            try:
                services.follow_up_record(actor=request.user, follow_up=item, **data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, _("The follow-up is recorded."))
                return redirect("monitoring:follow_ups")
        status = 400
    return render(
        request,
        "monitoring/follow_up.html",
        {"item": item, "form": form, "can_record": recordable},
        status=status,
    )
