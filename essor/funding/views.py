"""Pages of the money: commit on a line, a commitment with its tranches, the approvals queue."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.accounts.roles import Cap
from essor.conventions.permissions import access_budget_line
from essor.conventions.views import _line_page
from essor.core.forms import form_errors, submit
from essor.core.http import EssorRequest
from essor.registry.identifiers import clean_cin, clean_ice
from essor.registry.models import Organisation, Person
from essor.registry.permissions import access_organisation, access_person

from . import services
from .forms import CancelForm, CommitmentForm, DecisionForm, DisbursementForm
from .permissions import access_commitment, access_disbursement, can_act
from .selectors import approvals_waiting, reserved_on_commitment


def resolve_beneficiary(actor: Any, text: str) -> dict[str, Any]:
    """``P123``, ``E45``, a CIN or an ICE → the person or enterprise, if the actor sees it."""
    value = text.strip().upper()
    found: Person | Organisation | None = None
    match = re.fullmatch(r"([PE])\s*-?\s*(\d+)", value)
    try:
        if match and match.group(1) == "P":
            found = access_person(actor, int(match.group(2)))
        elif match:
            found = access_organisation(actor, int(match.group(2)))
        elif value.isdigit():
            ice = clean_ice(value)
            org = Organisation.objects.visible_to(actor).filter(ice=ice).first()
            found = org
        else:
            person = Person.objects.visible_to(actor).filter(cin=clean_cin(value)).first()
            found = person
    except (Http404, ValidationError):
        found = None
    if found is None:
        raise ValidationError(
            {
                "beneficiary": _(
                    "No project holder or enterprise you can see matches “%(value)s”. Register "
                    "them in the registry first, or check the CIN, ICE or number."
                )
                % {"value": text}
            }
        )
    if isinstance(found, Person):
        return {"person": found}
    return {"organisation": found}


@login_required
@require_POST
def commitment_create(request: EssorRequest, pk: int) -> HttpResponse:
    line = access_budget_line(request.user, pk, action="commit")
    form = CommitmentForm(request.POST, programmes=line.programmes.all())
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            beneficiary = resolve_beneficiary(request.user, data.pop("beneficiary"))
            commitment = services.commitment_create(
                actor=request.user, budget_line=line, **beneficiary, **data
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            if commitment.status == "pending":
                messages.success(
                    request, _("Commitment recorded: it awaits a second person's approval.")
                )
            else:
                messages.success(request, _("Commitment recorded."))
            return redirect("funding:commitment", pk=commitment.pk)
    return _line_page(request, line, commit_form=form, edit_form=None, status=400)


def _commitment_page(
    request: EssorRequest, commitment: Any, *, status: int = 200, **bound: Any
) -> HttpResponse:
    user = request.user
    paid = reserved_on_commitment(commitment)
    context = {
        "commitment": commitment,
        "disbursements": commitment.disbursements.select_related("author", "approver"),
        "left_to_pay": commitment.payable - paid,
        "can_disburse": can_act(user, commitment, Cap.FUNDING_COMMIT)
        and commitment.status == "approved",
        "can_decide": can_act(user, commitment, Cap.FUNDING_APPROVE)
        and commitment.author_id != user.pk,
        "can_cancel": can_act(user, commitment, Cap.FUNDING_COMMIT)
        and commitment.status in ("pending", "approved")
        and paid == 0,
        "disbursement_form": bound.get("disbursement_form") or DisbursementForm(),
        "decision_form": bound.get("decision_form") or DecisionForm(),
        "cancel_form": bound.get("cancel_form") or CancelForm(),
    }
    return render(request, "funding/commitment_detail.html", context, status=status)


@login_required
def commitment_detail(request: EssorRequest, pk: int) -> HttpResponse:
    return _commitment_page(request, access_commitment(request.user, pk))


def _act(
    request: EssorRequest, commitment: Any, form: Any, name: str, call: Any, success: str
) -> HttpResponse:
    return submit(
        request,
        form,
        call,
        success=success,
        done=lambda: redirect("funding:commitment", pk=commitment.pk),
        again=lambda bound: _commitment_page(request, commitment, status=400, **{name: bound}),
    )


@login_required
@require_POST
def commitment_decide(request: EssorRequest, pk: int) -> HttpResponse:
    commitment = access_commitment(request.user, pk, action="approve")
    return _act(
        request,
        commitment,
        DecisionForm(request.POST),
        "decision_form",
        lambda data: services.commitment_decide(
            actor=request.user,
            commitment=commitment,
            approve=data["decision"] == "approve",
            note=data["note"],
        ),
        _("Decision recorded."),
    )


@login_required
@require_POST
def commitment_cancel(request: EssorRequest, pk: int) -> HttpResponse:
    commitment = access_commitment(request.user, pk, action="disburse")
    return _act(
        request,
        commitment,
        CancelForm(request.POST),
        "cancel_form",
        lambda data: services.commitment_cancel(
            actor=request.user, commitment=commitment, reason=data["reason"]
        ),
        _("Commitment cancelled."),
    )


@login_required
@require_POST
def disbursement_add(request: EssorRequest, pk: int) -> HttpResponse:
    commitment = access_commitment(request.user, pk, action="disburse")
    return _act(
        request,
        commitment,
        DisbursementForm(request.POST),
        "disbursement_form",
        lambda data: services.disbursement_create(
            actor=request.user, commitment=commitment, **data
        ),
        _("Disbursement recorded."),
    )


@login_required
@require_POST
def disbursement_decide(request: EssorRequest, pk: int) -> HttpResponse:
    disbursement = access_disbursement(request.user, pk)
    commitment = access_commitment(request.user, disbursement.commitment_id)
    return _act(
        request,
        commitment,
        DecisionForm(request.POST),
        "decision_form",
        lambda data: services.disbursement_decide(
            actor=request.user,
            disbursement=disbursement,
            approve=data["decision"] == "approve",
            note=data["note"],
        ),
        _("Decision recorded."),
    )


@login_required
def approvals(request: EssorRequest) -> HttpResponse:
    if not request.user.can(Cap.FUNDING_APPROVE):
        raise Http404
    commitments, disbursements = approvals_waiting(actor=request.user)
    return render(
        request,
        "funding/approvals.html",
        {"commitments": commitments, "disbursements": disbursements},
    )
