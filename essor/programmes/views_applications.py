"""Staff pages of applications: the list of a programme, one file with its screening, scores,
decision, letter and journey; the selection committee's sessions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from essor.accounts.roles import Cap
from essor.core.audit import save_audited
from essor.core.forms import submit
from essor.core.http import EssorRequest
from essor.funding.views import resolve_beneficiary

from . import applications, selection
from .forms_applications import (
    ApplicationForm,
    DecisionForm,
    EvaluatorForm,
    ExitForm,
    InterviewForm,
    ReferralForm,
    ScoreForm,
    SessionForm,
    StageForm,
    WithdrawForm,
)
from .models import Application, ApplicationStatus, Programme
from .permissions import access_application, access_programme, can_change_programme

PAGE_SIZE = 50


@login_required
def application_list(request: EssorRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk)
    user = request.user
    if not (user.can(Cap.PERSONAL_VIEW) or user.can(Cap.APPLICATIONS_SCORE)):
        raise Http404
    status = request.GET.get("status", "")
    rows = (
        Application.objects.visible_to(user)
        .filter(programme=programme)
        .select_related("person", "organisation")
    )
    if status in ApplicationStatus.values:
        rows = rows.filter(status=status)
    manage = Application.objects.changeable_by(user).filter(programme=programme).exists() or (
        user.can(Cap.APPLICATIONS_MANAGE) and programme.operator_id == user.partner_id
    )
    return render(
        request,
        "programmes/applications.html",
        {
            "programme": programme,
            "applications": rows[:PAGE_SIZE],
            "count": rows.count(),
            "status": status,
            "statuses": ApplicationStatus.choices,
            "can_manage": manage,
            "taken": selection.places_taken(programme),
            "session_form": SessionForm(),
        },
    )


@login_required
def application_create(request: EssorRequest, pk: int) -> HttpResponse:
    programme = access_programme(request.user, pk)
    user = request.user
    if not user.can(Cap.APPLICATIONS_MANAGE) or (
        not user.is_superuser and programme.operator_id != user.partner_id
    ):
        raise Http404
    form = ApplicationForm(request.POST or None)
    created: list[Application] = []

    def call(data: dict[str, Any]) -> None:
        applicant = resolve_beneficiary(user, data.pop("beneficiary"))
        created.append(
            applications.application_create(actor=user, programme=programme, **applicant, **data)
        )

    if request.method == "POST":
        return submit(
            request,
            form,
            call,
            success=_("Application recorded."),
            done=lambda: redirect("programmes:application", pk=created[0].pk),
            again=lambda bound: render(
                request,
                "programmes/application_form.html",
                {"form": bound, "programme": programme},
                status=400,
            ),
        )
    return render(
        request, "programmes/application_form.html", {"form": form, "programme": programme}
    )


def _page(
    request: EssorRequest, application: Application, *, status: int = 200, **bound: Any
) -> HttpResponse:
    user = request.user
    programme = application.programme
    manage = Application.objects.changeable_by(user).filter(pk=application.pk).exists()
    assigned = application.evaluators.filter(pk=user.pk).exists()
    screening = application.screenings.first()
    enrollment = getattr(application, "enrollment", None)
    my_scores = {s.criterion_id: s.value for s in application.scores.filter(evaluator=user)}
    criteria = programme.scoring_criteria.all()
    context = {
        "application": application,
        "programme": programme,
        "screening": screening,
        "results": screening.rule_results() if screening else [],
        "can_manage": manage,
        "can_score": assigned and user.can(Cap.APPLICATIONS_SCORE),
        "show_scores": manage,
        "scores": application.scores.select_related("evaluator", "criterion") if manage else [],
        "total": selection.total_score(application),
        "evaluators": application.evaluators.all(),
        "decisions": application.decisions.select_related("session", "decided_by"),
        "enrollment": enrollment,
        "stage_changes": enrollment.stage_changes.select_related("by") if enrollment else [],
        "referrals": enrollment.referrals.all() if enrollment else [],
        "evaluator_form": bound.get("evaluator_form") or EvaluatorForm(),
        "score_form": bound.get("score_form")
        or ScoreForm(
            criteria=criteria,
            initial={f"criterion_{k}": v for k, v in my_scores.items()},
        ),
        "interview_form": bound.get("interview_form")
        or InterviewForm(initial={"interview_note": application.interview_note}),
        "decision_form": bound.get("decision_form") or DecisionForm(programme=programme),
        "stage_form": bound.get("stage_form") or StageForm(),
        "exit_form": bound.get("exit_form") or ExitForm(),
        "referral_form": bound.get("referral_form") or ReferralForm(),
        "withdraw_form": bound.get("withdraw_form") or WithdrawForm(),
        "open_form": next(iter(bound), ""),
    }
    return render(request, "programmes/application_detail.html", context, status=status)


@login_required
def application_detail(request: EssorRequest, pk: int) -> HttpResponse:
    return _page(request, access_application(request.user, pk))


def _act(
    request: EssorRequest,
    application: Application,
    form: Any,
    name: str,
    call: Any,
    success: str,
) -> HttpResponse:
    return submit(
        request,
        form,
        call,
        success=success,
        done=lambda: redirect("programmes:application", pk=application.pk),
        again=lambda bound: _page(request, application, status=400, **{name: bound}),
    )


@login_required
@require_POST
def application_screen(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="manage")
    screening = applications.application_screen(actor=request.user, application=application)
    from django.contrib import messages

    messages.success(
        request,
        _("Screened: %(outcome)s.") % {"outcome": ApplicationStatus(screening.outcome).label},
    )
    return redirect("programmes:application", pk=application.pk)


@login_required
@require_POST
def evaluator_assign(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="manage")
    return _act(
        request,
        application,
        EvaluatorForm(request.POST),
        "evaluator_form",
        lambda data: selection.evaluator_assign(
            actor=request.user, application=application, evaluator=data["evaluator"]
        ),
        _("Evaluator assigned."),
    )


@login_required
@require_POST
def score(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="score")
    form = ScoreForm(request.POST, criteria=application.programme.scoring_criteria.all())

    def call(data: dict[str, Any]) -> None:
        for criterion in form.criteria:
            value = data.get(f"criterion_{criterion.pk}")
            if value is not None:
                selection.score_set(
                    evaluator=request.user,
                    application=application,
                    criterion=criterion,
                    value=value,
                    note=data["note"],
                )

    return _act(request, application, form, "score_form", call, _("Scores saved."))


@login_required
@require_POST
def interview(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="manage")

    def call(data: dict[str, Any]) -> None:
        application.interview_note = data["interview_note"]
        save_audited(
            application,
            actor=request.user,
            verb="programmes.application.interviewed",
            update_fields=["interview_note", "updated_at"],
        )

    return _act(
        request, application, InterviewForm(request.POST), "interview_form", call, _("Note saved.")
    )


@login_required
@require_POST
def decide(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="manage")
    return _act(
        request,
        application,
        DecisionForm(request.POST, programme=application.programme),
        "decision_form",
        lambda data: selection.decide(actor=request.user, application=application, **data),
        _("Decision recorded."),
    )


@login_required
@require_POST
def enroll(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="manage")
    try:
        selection.enroll(actor=request.user, application=application)
    except ValidationError as error:
        from django.contrib import messages

        messages.error(request, " ".join(error.messages))
    return redirect("programmes:application", pk=application.pk)


def _enrollment(application: Application) -> Any:
    enrollment = getattr(application, "enrollment", None)
    if enrollment is None:
        raise Http404
    return enrollment


@login_required
@require_POST
def stage(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="manage")
    enrollment = _enrollment(application)
    return _act(
        request,
        application,
        StageForm(request.POST),
        "stage_form",
        lambda data: selection.stage_set(actor=request.user, enrollment=enrollment, **data),
        _("Stage recorded."),
    )


@login_required
@require_POST
def exit_(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="manage")
    enrollment = _enrollment(application)
    return _act(
        request,
        application,
        ExitForm(request.POST),
        "exit_form",
        lambda data: selection.exit_record(actor=request.user, enrollment=enrollment, **data),
        _("Exit recorded."),
    )


@login_required
@require_POST
def referral(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="manage")
    enrollment = _enrollment(application)
    return _act(
        request,
        application,
        ReferralForm(request.POST),
        "referral_form",
        lambda data: selection.referral_add(actor=request.user, enrollment=enrollment, **data),
        _("Referral recorded."),
    )


@login_required
@require_POST
def withdraw(request: EssorRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk, action="manage")
    return _act(
        request,
        application,
        WithdrawForm(request.POST),
        "withdraw_form",
        lambda data: selection.withdraw(
            actor=request.user, application=application, reason=data["reason"]
        ),
        _("Application withdrawn."),
    )


@login_required
def letter(request: EssorRequest, pk: int) -> HttpResponse:
    """The decision notice, printable, in French or Arabic whatever the page's language."""
    application = access_application(request.user, pk, action="manage")
    decision = application.decisions.first()
    if decision is None:
        raise Http404
    language = request.GET.get("lang", translation.get_language() or "fr")
    language = language if language in ("fr", "ar") else "fr"
    with translation.override(language):
        return render(
            request,
            "programmes/letter.html",
            {
                "application": application,
                "decision": decision,
                "letter_language": language,
                "letter_bidi": language == "ar",
            },
        )


@login_required
@require_POST
def session_create(request: EssorRequest, pk: int) -> HttpResponse:
    programme: Programme = access_programme(request.user, pk)
    if not (
        can_change_programme(request.user, programme) and request.user.can(Cap.APPLICATIONS_MANAGE)
    ):
        raise Http404
    form = SessionForm(request.POST)
    if form.is_valid():
        selection.session_create(actor=request.user, programme=programme, **form.cleaned_data)
        from django.contrib import messages

        messages.success(request, _("Selection committee recorded."))
    return redirect("programmes:applications", pk=programme.pk)


@login_required
def exclusion_lists(request: EssorRequest) -> HttpResponse:
    """Partners' lists of people already supported elsewhere; screening looks them up."""
    from django import forms as django_forms
    from django.contrib import messages
    from django.db.models import Count

    from .exclusions import exclusion_list_import
    from .models import ExclusionList

    user = request.user
    if not user.can(Cap.PERSONAL_VIEW):
        raise Http404

    class UploadForm(django_forms.Form):
        name = django_forms.CharField(label=_("Name of the list"), max_length=200)
        programme_code = django_forms.SlugField(
            label=_("Code of the programme it lists"),
            help_text=_("The code the eligibility rules name, e.g. intilaka or indh-p3."),
        )
        file = django_forms.FileField(label=_("File (XLSX or CSV)"))

    partner = user.partner
    can_import = user.can(Cap.REGISTRY_IMPORT) and partner is not None
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST":
        if not can_import or partner is None:
            raise Http404
        if form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
            try:
                report = exclusion_list_import(
                    actor=user,
                    partner=partner,
                    name=form.cleaned_data["name"],
                    programme_code=form.cleaned_data["programme_code"],
                    content=upload.read(),
                    suffix=suffix,
                )
            except ValidationError as error:
                from essor.core.forms import form_errors

                form_errors(form, error)
            else:
                if report.loaded:
                    messages.success(
                        request,
                        _("%(count)s rows loaded; %(errors)s refused.")
                        % {"count": report.loaded, "errors": len(report.errors)},
                    )
                else:
                    messages.error(request, _("No valid row: nothing was loaded."))
    lists = ExclusionList.objects.select_related("partner").annotate(size=Count("entries"))
    return render(
        request,
        "programmes/exclusions.html",
        {"lists": lists, "form": form, "report": report, "can_import": can_import},
        status=400 if form.errors else 200,
    )
