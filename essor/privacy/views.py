"""Pages of the privacy app: a person's requests (access, rectification, objection), the
access log, retention and its dry run. Privacy managers only (``privacy.manage``), on the
persons their partner may change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.accounts.permissions import require
from essor.accounts.roles import Cap
from essor.core.forms import form_errors
from essor.core.http import EssorRequest

from . import retention as retention_rules
from . import services
from .access import access_report, report_file
from .forms import (
    ObjectionForm,
    RectificationForm,
    RetentionApplyForm,
    RetentionPolicyForm,
    WithdrawalForm,
)
from .models import AccessLogEntry, AccessPurpose, Anonymisation, AnonymisationTrigger, Objection
from .permissions import access_programme_retention, access_subject, subjects_of

LISTED = 200  # expired persons listed on the retention page (all are anonymised)


@login_required
def index(request: EssorRequest) -> HttpResponse:
    """Where a data manager starts: find the person, the objections, retention."""
    from essor.programmes.models import Programme
    from essor.programmes.permissions import can_change_programme

    require(request.user, Cap.PRIVACY_MANAGE)
    wanted = request.GET.get("person", "").strip().lstrip("#")
    if wanted:
        if wanted.isdigit() and subjects_of(request.user).filter(pk=int(wanted)).exists():  # type: ignore[attr-defined]
            return redirect("privacy:person", pk=int(wanted))
        messages.error(
            request,
            _(
                "No person with the registry number %(number)s among those your partner holds. "
                "Search them in the registry, then open “Personal data” on their page."
            )
            % {"number": wanted[:20]},
        )
    subjects = subjects_of(request.user)
    programmes = list(
        Programme.objects.select_related("operator", "retention_policy").order_by("name_fr")
    )
    context = {
        "objections": Objection.objects.filter(person__in=subjects)
        .select_related("person", "recorded_by")
        .order_by("-recorded_at")[:100],
        "anonymisations": Anonymisation.objects.filter(person__in=subjects)
        .select_related("actor")
        .order_by("-at")[:20],
        "programmes": [
            (p, getattr(p, "retention_policy", None), can_change_programme(request.user, p))
            for p in programmes
        ],
        "default_months": retention_rules.default_months(),
    }
    return render(request, "privacy/index.html", context)


def _person_page(
    request: EssorRequest,
    subject: Any,
    *,
    objection_form: ObjectionForm | None = None,
    withdrawal_form: WithdrawalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    report = access_report(subject, actor=request.user)
    if subject.cin:
        services.log_full_cin(request.user, [subject.pk], AccessPurpose.RIGHTS, request.path)
    context = {
        "person": subject,
        "report": report,
        "objection": Objection.objects.filter(person=subject).select_related("recorded_by").first(),
        "objection_form": objection_form or ObjectionForm(),
        "withdrawal_form": withdrawal_form or WithdrawalForm(),
        "anonymisation": Anonymisation.objects.filter(person=subject).first(),
        "log_count": AccessLogEntry.objects.filter(person=subject).count(),
    }
    return render(request, "privacy/person.html", context, status=status)


@login_required
def person(request: EssorRequest, pk: int) -> HttpResponse:
    """ "Data held": everything essor holds on the person, and their requests."""
    return _person_page(request, access_subject(request.user, pk))


@login_required
def person_data(request: EssorRequest, pk: int, fmt: str) -> HttpResponse:
    """The right-of-access export, PDF or JSON, in French or Arabic (``?lang=``)."""
    subject = access_subject(request.user, pk)
    if fmt not in ("pdf", "json"):
        raise Http404
    lang = request.GET.get("lang") or translation.get_language() or "fr"
    content, content_type, name = report_file(subject, actor=request.user, lang=lang, fmt=fmt)
    if subject.cin:
        services.log_full_cin(request.user, [subject.pk], AccessPurpose.RIGHTS, request.path)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def rectify(request: EssorRequest, pk: int) -> HttpResponse:
    """Correct a person's data at their request, with the reason in the audit trail."""
    from essor.registry.services import PERSON_FIELDS

    subject = access_subject(request.user, pk)
    initial = {name: getattr(subject, name) for name in PERSON_FIELDS}
    form = RectificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            changed = services.person_rectify(
                actor=request.user, person=subject, reason=reason, **data
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            if changed:
                messages.success(
                    request,
                    _("Corrected: %(fields)s. The reason is in the record's history.")
                    % {"fields": ", ".join(changed)},
                )
            else:
                messages.info(request, _("Nothing was different: nothing was changed."))
            return redirect("privacy:person", pk=subject.pk)
    if subject.cin:  # the form shows the CIN in full
        services.log_full_cin(request.user, [subject.pk], AccessPurpose.RIGHTS, request.path)
    return render(request, "privacy/rectify.html", {"person": subject, "form": form})


@login_required
@require_POST
def objection(request: EssorRequest, pk: int) -> HttpResponse:
    subject = access_subject(request.user, pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_record(
                actor=request.user, person=subject, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Objection recorded: the person is left out of exports and named lists "
                    "from now on."
                ),
            )
            return redirect("privacy:person", pk=subject.pk)
    return _person_page(request, subject, objection_form=form, status=400)


@login_required
@require_POST
def objection_withdraw(request: EssorRequest, pk: int) -> HttpResponse:
    subject = access_subject(request.user, pk)
    form = WithdrawalForm(request.POST)
    if not form.is_valid():
        return _person_page(request, subject, withdrawal_form=form, status=400)
    if services.objection_withdraw(
        actor=request.user, person=subject, reason=form.cleaned_data["reason"]
    ):
        messages.success(request, _("Objection withdrawn: the person is in exports again."))
    else:
        messages.info(request, _("This person had no objection recorded."))
    return redirect("privacy:person", pk=subject.pk)


@login_required
def access_log(request: EssorRequest, pk: int) -> HttpResponse:
    """Who was shown the person's full CIN, newest first."""
    subject = access_subject(request.user, pk)
    entries = (
        AccessLogEntry.objects.filter(person=subject)
        .select_related("user__partner")
        .order_by("-at", "-pk")
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "privacy/access_log.html", {"person": subject, "page": page})


@login_required
def retention(request: EssorRequest) -> HttpResponse:
    """The dry run of retention on the persons the user's partner holds, and "apply"."""
    require(request.user, Cap.PRIVACY_MANAGE)
    subjects = subjects_of(request.user)
    expired = retention_rules.expired_persons(persons=subjects)
    current = retention_rules.digest(expired)
    form = RetentionApplyForm(request.POST or None, initial={"digest": current})
    status = 200
    stale = False
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["digest"] == current and expired:
            done = retention_rules.retention_apply(
                actor=request.user, trigger=AnonymisationTrigger.PAGE, expired=expired
            )
            messages.success(
                request,
                _("%(count)s persons anonymised. Their records stay in the figures.")
                % {"count": len(done)},
            )
            return redirect("privacy:retention")
        status = 400
        if form.is_valid():
            # The list moved since it was shown: show the new one, to be checked again.
            form = RetentionApplyForm(initial={"digest": current})
            stale = True
    context = {
        "stale": stale,
        "expired": expired[:LISTED],
        "count": len(expired),
        "form": form,
        "default_months": retention_rules.default_months(),
    }
    return render(request, "privacy/retention.html", context, status=status)


@login_required
def retention_policy(request: EssorRequest, pk: int) -> HttpResponse:
    """How long a programme keeps a holder's data after their exit; its managers set it."""
    from .models import RetentionPolicy

    programme = access_programme_retention(request.user, pk)
    policy = RetentionPolicy.objects.filter(programme=programme).first()
    initial = {
        "months": policy.months if policy else retention_rules.default_months(),
        "reason": policy.reason if policy else "",
    }
    form = RetentionPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.retention_policy_set(
            actor=request.user,
            programme=programme,
            months=form.cleaned_data["months"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            request,
            _("%(programme)s keeps personal data %(months)s months after the holder's exit.")
            % {"programme": programme, "months": form.cleaned_data["months"]},
        )
        return redirect("programmes:programme", pk=programme.pk)
    return render(
        request,
        "privacy/retention_policy.html",
        {
            "programme": programme,
            "policy": policy,
            "form": form,
            "default_months": retention_rules.default_months(),
        },
    )
