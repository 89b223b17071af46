"""Pages of conventions: the list, one convention with its parties, lines and execution, its
committee. Forms posted from a convention's page re-render that page with the errors and what
the user typed when a service refuses them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.accounts.models import Partner
from essor.accounts.roles import Cap
from essor.core.forms import form_errors, submit
from essor.core.http import EssorRequest

from . import services
from .exporting import execution_xlsx
from .forms import (
    ActionForm,
    ActionStatusForm,
    BudgetLineEditForm,
    BudgetLineForm,
    CommitteeForm,
    ConventionForm,
    MeetingForm,
    MemberForm,
    PartyForm,
    PaymentForm,
    TargetForm,
    TransitionForm,
)
from .models import (
    ActionItem,
    Committee,
    CommitteeMember,
    Convention,
    ConventionKind,
    ConventionStatus,
)
from .permissions import (
    access_budget_line,
    access_convention,
    can_add_line,
    can_change_convention,
    can_change_line,
    can_commit_on,
    can_view,
)
from .selectors import (
    ConventionFilters,
    convention_execution,
    convention_list,
    convention_totals,
    line_execution,
    overdue_actions,
)


def _require_view(request: EssorRequest) -> None:
    if not can_view(request.user):
        raise Http404


@login_required
def conventions(request: EssorRequest) -> HttpResponse:
    _require_view(request)
    status = request.GET.get("status", "")
    filters = ConventionFilters(
        query=request.GET.get("q", "")[:100],
        status=status if status in ConventionStatus.values else "",
    )
    rows = list(convention_list(filters=filters))
    totals = convention_totals(rows)
    context = {
        "rows": [(c, totals[c.pk]) for c in rows],
        "filters": filters,
        "statuses": ConventionStatus.choices,
        "can_create": request.user.can(Cap.CONVENTIONS_MANAGE) and request.user.partner_id,
    }
    return render(request, "conventions/conventions.html", context)


def _convention_values(form: ConventionForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.pop("parent", None)
    data.pop("regions", None)
    return data


@login_required
def convention_create(request: EssorRequest) -> HttpResponse:
    user = request.user
    if not user.can(Cap.CONVENTIONS_MANAGE) or not user.partner:
        raise Http404
    initial: dict[str, Any] = {}
    parent_id = request.GET.get("parent")
    if parent_id:
        parent = (
            access_convention(user, int(parent_id))
            if parent_id.isascii() and parent_id.isdigit()
            else None
        )
        if parent:
            initial = {"kind": ConventionKind.AMENDMENT, "parent": parent.pk}
    form = ConventionForm(request.POST or None, initial=initial)
    parents = Convention.objects.exclude(kind=ConventionKind.AMENDMENT)
    form.fields["parent"].queryset = (  # type: ignore[attr-defined]
        parents if user.is_superuser else parents.filter(owner_id=user.partner_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            convention = services.convention_create(
                actor=user,
                owner=user.partner,
                parent=form.cleaned_data["parent"],
                regions=form.cleaned_data["regions"],
                **_convention_values(form),
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request, _("Convention %(ref)s created.") % {"ref": convention.reference}
            )
            return redirect("conventions:convention", pk=convention.pk)
    return render(request, "conventions/convention_form.html", {"form": form, "convention": None})


@login_required
def convention_edit(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    initial = {f: getattr(convention, f) for f in services.CONVENTION_FIELDS}
    initial |= {"parent": convention.parent_id, "regions": list(convention.regions.all())}
    form = ConventionForm(request.POST or None, initial=initial)
    form.fields["kind"].disabled = True
    form.fields["parent"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.convention_update(
                actor=request.user,
                convention=convention,
                regions=form.cleaned_data["regions"],
                **_convention_values(form),
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("conventions:convention", pk=convention.pk)
    return render(
        request, "conventions/convention_form.html", {"form": form, "convention": convention}
    )


def _detail(
    request: EssorRequest, convention: Convention, *, status: int = 200, **bound: Any
) -> HttpResponse:
    user = request.user
    can_change = can_change_convention(user, convention)
    own_partner = Partner.objects.filter(pk__in=[user.partner_id])
    line_partners = (
        Partner.objects.filter(pk__in=convention.parties.values("partner"))
        if can_change
        else own_partner
    )
    execution = convention_execution(convention)
    lines = [
        (row, can_change_line(user, row.key), can_commit_on(user, row.key))
        for row in execution.lines
    ]
    context = {
        "convention": convention,
        "execution": execution,
        "lines": lines,
        "parties": convention.parties.select_related("partner"),
        "targets": convention.targets.all(),
        "amendments": convention.amendments.order_by("signed_on", "pk"),
        "status_changes": convention.status_changes.select_related("actor"),
        "committee": Committee.objects.filter(convention=convention).first(),
        "overdue_count": overdue_actions(convention).count(),
        "can_change": can_change,
        "can_add_line": can_add_line(user, convention),
        "next_statuses": [(s, ConventionStatus(s).label) for s in convention.next_statuses()],
        "open_commitments": services.open_commitments(convention)
        if ConventionStatus.CLOSED in convention.next_statuses()
        else [],
        "transition_form": bound.get("transition_form") or TransitionForm(),
        "party_form": bound.get("party_form") or PartyForm(),
        "payment_form": bound.get("payment_form") or PaymentForm(convention=convention),
        "target_form": bound.get("target_form") or TargetForm(),
        "line_form": bound.get("line_form") or BudgetLineForm(partner_choices=line_partners),
        "open_form": next(iter(bound), ""),
    }
    return render(request, "conventions/convention_detail.html", context, status=status)


@login_required
def convention_detail(request: EssorRequest, pk: int) -> HttpResponse:
    return _detail(request, access_convention(request.user, pk))


def _post(
    request: EssorRequest,
    convention: Convention,
    form: Any,
    name: str,
    call: Any,
    success: str,
) -> HttpResponse:
    """Validate ``form``, call the service; on refusal, show the page again with the errors."""
    return submit(
        request,
        form,
        call,
        success=success,
        done=lambda: redirect("conventions:convention", pk=convention.pk),
        again=lambda bound: _detail(request, convention, status=400, **{name: bound}),
    )


@login_required
@require_POST
def convention_transition(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    form = TransitionForm(request.POST)
    return _post(
        request,
        convention,
        form,
        "transition_form",
        lambda data: services.convention_transition(
            actor=request.user,
            convention=convention,
            to=data["to"],
            on=data["on"],
            note=data["note"],
            open_commitments_choice=data["open_commitments_choice"] or None,
        ),
        _("Status changed."),
    )


@login_required
@require_POST
def party_add(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    return _post(
        request,
        convention,
        PartyForm(request.POST),
        "party_form",
        lambda data: services.party_add(actor=request.user, convention=convention, **data),
        _("Party added."),
    )


@login_required
@require_POST
def payment_add(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    return _post(
        request,
        convention,
        PaymentForm(request.POST, convention=convention),
        "payment_form",
        lambda data: services.payment_record(actor=request.user, **data),
        _("Payment recorded."),
    )


@login_required
@require_POST
def target_add(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    return _post(
        request,
        convention,
        TargetForm(request.POST),
        "target_form",
        lambda data: services.target_add(actor=request.user, convention=convention, **data),
        _("Target added."),
    )


@login_required
@require_POST
def line_add(request: EssorRequest, pk: int) -> HttpResponse:
    user = request.user
    convention = access_convention(user, pk)
    if not can_add_line(user, convention):
        raise Http404
    choices = (
        Partner.objects.filter(pk__in=convention.parties.values("partner"))
        if can_change_convention(user, convention)
        else Partner.objects.filter(pk__in=[user.partner_id])
    )
    return _post(
        request,
        convention,
        BudgetLineForm(request.POST, partner_choices=choices),
        "line_form",
        lambda data: services.budget_line_create(actor=user, convention=convention, **data),
        _("Budget line added."),
    )


@login_required
def line_detail(request: EssorRequest, pk: int) -> HttpResponse:
    line = access_budget_line(request.user, pk)
    return _line_page(request, line, commit_form=None, edit_form=None)


def _line_page(
    request: EssorRequest, line: Any, *, commit_form: Any, edit_form: Any, status: int = 200
) -> HttpResponse:
    from django.core.paginator import Paginator

    from essor.funding.forms import CommitmentForm
    from essor.funding.selectors import commitment_list

    user = request.user
    can_see_people = user.can(Cap.PERSONAL_VIEW)
    # The commitments, 50 a page: a line of a large programme holds hundreds.
    listed: Any = commitment_list(actor=user, line=line) if can_see_people else []
    page: Any = Paginator(listed, 50).get_page(request.GET.get("page"))
    context = {
        "line": line,
        "execution": line_execution(line),
        "commitments": page.object_list,
        "page": page,
        "can_see_people": can_see_people,
        "can_change": can_change_line(user, line),
        "can_commit": can_commit_on(user, line)
        and line.convention.status in ("signed", "in_execution"),
        "commit_form": commit_form or CommitmentForm(programmes=line.programmes.all()),
        "edit_form": edit_form
        or BudgetLineEditForm(initial={"label": line.label, "amount": line.amount}),
        "programmes": line.programmes.all(),
    }
    return render(request, "conventions/line_detail.html", context, status=status)


@login_required
@require_POST
def line_edit(request: EssorRequest, pk: int) -> HttpResponse:
    line = access_budget_line(request.user, pk, action="change")
    return submit(
        request,
        BudgetLineEditForm(request.POST),
        lambda data: services.budget_line_update(actor=request.user, line=line, **data),
        success=_("Changes saved."),
        done=lambda: redirect("conventions:line", pk=line.pk),
        again=lambda bound: _line_page(
            request, line, commit_form=None, edit_form=bound, status=400
        ),
    )


@login_required
def execution_export(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk)
    response = HttpResponse(
        execution_xlsx(convention_execution(convention)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="essor-execution-{convention.reference}.xlsx"'
    )
    return response


# --- The committee -----------------------------------------------------------------------


def _committee_page(
    request: EssorRequest, convention: Convention, *, status: int = 200, **bound: Any
) -> HttpResponse:
    committee = Committee.objects.filter(convention=convention).first()
    members = committee.members.select_related("partner") if committee else []
    meetings = committee.meetings.prefetch_related("decisions", "attendees") if committee else []
    actions = committee.actions.select_related("owner", "meeting") if committee else []
    context = {
        "convention": convention,
        "committee": committee,
        "members": members,
        "meetings": meetings,
        "actions": actions,
        "can_change": can_change_convention(request.user, convention),
        "committee_form": bound.get("committee_form")
        or CommitteeForm(
            initial={"name": committee.name, "chair": committee.chair, "mandate": committee.mandate}
            if committee
            else {}
        ),
        "member_form": bound.get("member_form") or MemberForm(),
        "meeting_form": bound.get("meeting_form")
        or MeetingForm(
            members=committee.members.all() if committee else CommitteeMember.objects.none()
        ),
        "action_form": bound.get("action_form") or ActionForm(),
        "statuses": ActionStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]
    }
    return render(request, "conventions/committee.html", context, status=status)


@login_required
def committee(request: EssorRequest, pk: int) -> HttpResponse:
    return _committee_page(request, access_convention(request.user, pk))


def _committee_post(
    request: EssorRequest, convention: Convention, form: Any, name: str, call: Any, success: str
) -> HttpResponse:
    return submit(
        request,
        form,
        call,
        success=success,
        done=lambda: redirect("conventions:committee", pk=convention.pk),
        again=lambda bound: _committee_page(request, convention, status=400, **{name: bound}),
    )


def _committee_of(convention: Convention) -> Committee:
    committee = Committee.objects.filter(convention=convention).first()
    if committee is None:
        raise Http404
    return committee


@login_required
@require_POST
def committee_set(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    return _committee_post(
        request,
        convention,
        CommitteeForm(request.POST),
        "committee_form",
        lambda data: services.committee_set(actor=request.user, convention=convention, **data),
        _("Committee saved."),
    )


@login_required
@require_POST
def member_add(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    body = _committee_of(convention)
    return _committee_post(
        request,
        convention,
        MemberForm(request.POST),
        "member_form",
        lambda data: services.committee_member_add(actor=request.user, committee=body, **data),
        _("Member added."),
    )


@login_required
@require_POST
def meeting_add(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    body = _committee_of(convention)

    def call(data: dict[str, Any]) -> None:
        decisions = data.pop("decisions").splitlines()
        services.meeting_record(actor=request.user, committee=body, decisions=decisions, **data)

    return _committee_post(
        request,
        convention,
        MeetingForm(request.POST, members=body.members.all()),
        "meeting_form",
        call,
        _("Meeting recorded."),
    )


@login_required
@require_POST
def action_add(request: EssorRequest, pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    body = _committee_of(convention)
    return _committee_post(
        request,
        convention,
        ActionForm(request.POST),
        "action_form",
        lambda data: services.action_add(actor=request.user, committee=body, **data),
        _("Action added."),
    )


@login_required
@require_POST
def action_status(request: EssorRequest, pk: int, action_pk: int) -> HttpResponse:
    convention = access_convention(request.user, pk, action="change")
    action = get_object_or_404(ActionItem, pk=action_pk, committee__convention=convention)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services.action_set_status(
            actor=request.user, action=action, status=form.cleaned_data["status"]
        )
        messages.success(request, _("Status changed."))
    return redirect("conventions:committee", pk=convention.pk)
