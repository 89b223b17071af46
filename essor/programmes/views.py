from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.accounts.roles import Cap
from essor.conventions.permissions import can_view
from essor.conventions.selectors import programme_execution
from essor.core.forms import form_errors, submit
from essor.core.http import EssorRequest

from . import services
from .forms import CriterionForm, ProgrammeForm, RuleForm
from .models import EligibilityRule, Programme
from .permissions import access_programme, can_change_programme


@login_required
def programmes(request: EssorRequest) -> HttpResponse:
    if not can_view(request.user):
        raise Http404
    rows = Programme.objects.select_related("operator").order_by("name_fr")
    return render(
        request,
        "programmes/programmes.html",
        {
            "programmes": rows,
            "can_create": request.user.can(Cap.PROGRAMMES_MANAGE) and request.user.partner_id,
        },
    )


def _values(form: ProgrammeForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "budget_lines"}


@login_required
def programme_create(request: EssorRequest) -> HttpResponse:
    user = request.user
    if not user.can(Cap.PROGRAMMES_MANAGE) or not user.partner:
        raise Http404
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(
                actor=user,
                operator=user.partner,
                budget_lines=form.cleaned_data["budget_lines"],
                **_values(form),
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Programme created."))
            return redirect("programmes:programme", pk=programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": None})


@login_required
def programme_edit(request: EssorRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk, action="change")
    initial = {f: getattr(programme, f) for f in services.PROGRAMME_FIELDS}
    initial["budget_lines"] = list(programme.budget_lines.all())
    form = ProgrammeForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                actor=request.user,
                programme=programme,
                budget_lines=form.cleaned_data["budget_lines"],
                **_values(form),
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("programmes:programme", pk=programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


def _page(
    request: EssorRequest, programme: Programme, *, status: int = 200, **bound: Any
) -> HttpResponse:
    context = {
        "programme": programme,
        "rules": programme.eligibility_rules.all(),
        "criteria": programme.scoring_criteria.all(),
        "lines": programme.budget_lines.select_related("convention", "partner"),
        "execution": programme_execution(programme),
        "can_change": can_change_programme(request.user, programme),
        "rule_form": bound.get("rule_form") or RuleForm(),
        "criterion_form": bound.get("criterion_form") or CriterionForm(),
    }
    return render(request, "programmes/programme_detail.html", context, status=status)


@login_required
def programme_detail(request: EssorRequest, pk: int) -> HttpResponse:
    return _page(request, access_programme(request.user, pk))


@login_required
@require_POST
def rule_set(request: EssorRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk, action="change")
    form = RuleForm(request.POST)
    return submit(
        request,
        form,
        lambda data: services.rule_set(
            actor=request.user,
            programme=programme,
            kind=data["kind"],
            params=form.params(),
            note=data["note"],
        ),
        success=_("Rule saved."),
        done=lambda: redirect("programmes:programme", pk=programme.pk),
        again=lambda bound: _page(request, programme, status=400, rule_form=bound),
    )


@login_required
@require_POST
def rule_remove(request: EssorRequest, pk: int, rule_pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk, action="change")
    rule = get_object_or_404(EligibilityRule, pk=rule_pk, programme=programme)
    services.rule_remove(actor=request.user, rule=rule)
    messages.success(request, _("Rule removed."))
    return redirect("programmes:programme", pk=programme.pk)


@login_required
@require_POST
def criterion_add(request: EssorRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk, action="change")
    return submit(
        request,
        CriterionForm(request.POST),
        lambda data: services.criterion_add(actor=request.user, programme=programme, **data),
        success=_("Criterion added."),
        done=lambda: redirect("programmes:programme", pk=programme.pk),
        again=lambda bound: _page(request, programme, status=400, criterion_form=bound),
    )
