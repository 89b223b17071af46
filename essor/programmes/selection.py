"""Selection and journey: evaluators' scores, the committee's decisions within capacity, the
waiting list that moves up, enrolment, stages, exit and referrals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from essor.accounts.roles import Cap
from essor.core.audit import save_audited

from .models import (
    Application,
    ApplicationStatus,
    DecisionOutcome,
    Enrollment,
    ExitOutcome,
    Programme,
    Referral,
    Score,
    ScoringCriterion,
    SelectionDecision,
    SelectionSession,
    Stage,
    StageChange,
)

if TYPE_CHECKING:
    from essor.accounts.models import User

TAKING_A_PLACE = (ApplicationStatus.SELECTED, ApplicationStatus.ENROLLED)


def evaluator_assign(*, actor: User | None, application: Application, evaluator: User) -> None:
    if not evaluator.can(Cap.APPLICATIONS_SCORE):
        raise ValidationError(
            {"evaluator": _("%(user)s cannot score applications.") % {"user": evaluator}}
        )
    application.evaluators.add(evaluator)


@transaction.atomic
def score_set(
    *,
    evaluator: User,
    application: Application,
    criterion: ScoringCriterion,
    value: int,
    note: str = "",
) -> Score:
    """An evaluator scores one criterion of a file assigned to them."""
    if not application.evaluators.filter(pk=evaluator.pk).exists():
        raise ValidationError(_("This application is not assigned to you."))
    if criterion.programme_id != application.programme_id:
        raise ValidationError({"criterion": _("This criterion belongs to another programme.")})
    if not 0 <= value <= criterion.scale_max:
        raise ValidationError(
            {"value": _("A score is between 0 and %(max)s.") % {"max": criterion.scale_max}}
        )
    score, _created = Score.objects.update_or_create(
        application=application,
        evaluator=evaluator,
        criterion=criterion,
        defaults={"value": value, "note": note},
    )
    return score


def total_score(application: Application) -> Decimal | None:
    """The weighted score out of 100, averaged over evaluators; ``None`` before any score."""
    criteria = list(application.programme.scoring_criteria.all())
    if not criteria:
        return None
    weights = sum(c.weight for c in criteria)
    rows = (
        Score.objects.filter(application=application)
        .values("criterion")
        .annotate(mean=Avg("value"))
    )
    means = {row["criterion"]: Decimal(str(row["mean"])) for row in rows}
    if not means:
        return None
    total = sum(
        (means.get(c.pk, Decimal(0)) / c.scale_max * c.weight for c in criteria), Decimal(0)
    )
    return (total * 100 / weights).quantize(Decimal("0.01"))


def session_create(
    *, actor: User | None, programme: Programme, held_on: date, members: str = "", minutes: str = ""
) -> SelectionSession:
    return SelectionSession.objects.create(
        programme=programme, held_on=held_on, members=members, minutes=minutes
    )


def places_taken(programme: Programme) -> int:
    return Application.objects.filter(programme=programme, status__in=TAKING_A_PLACE).count()


@transaction.atomic
def decide(
    *,
    actor: User,
    application: Application,
    outcome: str,
    session: SelectionSession | None = None,
    reason: str = "",
) -> SelectionDecision:
    """The committee decides: selected within capacity, waiting list, or not selected (why)."""
    programme = Programme.objects.select_for_update().get(pk=application.programme_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if outcome not in DecisionOutcome.values:
        raise ValidationError({"outcome": _("Unknown decision.")})
    if application.status not in (
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.WAITING,
        ApplicationStatus.SELECTED,
    ):
        raise ValidationError(
            _("Only an eligible application goes to the committee; this one is “%(status)s”.")
            % {"status": application.get_status_display()}
        )
    if session is not None and session.programme_id != programme.pk:
        raise ValidationError({"session": _("This committee session is another programme's.")})
    if outcome == DecisionOutcome.REJECTED and not reason.strip():
        raise ValidationError({"reason": _("Say why the application is not selected.")})
    if (
        outcome == DecisionOutcome.SELECTED
        and application.status != ApplicationStatus.SELECTED
        and programme.capacity is not None
        and places_taken(programme) >= programme.capacity
    ):
        raise ValidationError(
            {
                "outcome": _(
                    "The programme is full (%(capacity)s places): put the application on the "
                    "waiting list; it moves up when a place frees."
                )
                % {"capacity": programme.capacity}
            }
        )
    decision = SelectionDecision(
        application=application,
        session=session,
        outcome=outcome,
        reason=reason.strip(),
        score=total_score(application),
        decided_by=actor,
    )
    save_audited(decision, actor=actor, verb=f"programmes.decision.{outcome}")
    freed = application.status == ApplicationStatus.SELECTED and outcome != DecisionOutcome.SELECTED
    application.status = outcome
    save_audited(application, actor=actor, verb=f"programmes.application.{outcome}")
    if freed:
        move_up(actor=actor, programme=programme)
    return decision


def move_up(*, actor: User | None, programme: Programme) -> Application | None:
    """A place freed: the best-scored application of the waiting list is selected."""
    if programme.capacity is not None and places_taken(programme) >= programme.capacity:
        return None
    waiting = list(
        Application.objects.filter(programme=programme, status=ApplicationStatus.WAITING)
        .select_related("programme")
        .order_by("submitted_on", "pk")
    )
    if not waiting:
        return None
    best = max(waiting, key=lambda a: (total_score(a) or Decimal(-1), -a.pk))
    decision = SelectionDecision(
        application=best,
        outcome=DecisionOutcome.SELECTED,
        reason=_("Moved up from the waiting list: a place was freed."),
        score=total_score(best),
        decided_by=actor,
    )
    save_audited(decision, actor=actor, verb="programmes.decision.moved_up")
    best.status = ApplicationStatus.SELECTED
    save_audited(best, actor=actor, verb="programmes.application.selected")
    return best


@transaction.atomic
def withdraw(*, actor: User | None, application: Application, reason: str = "") -> Application:
    """The holder withdraws (or leaves before starting); their place goes to the waiting list."""
    Programme.objects.select_for_update().get(pk=application.programme_id)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED):
        raise ValidationError(_("This application is already closed."))
    had_place = application.status in TAKING_A_PLACE
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawal_reason = reason.strip()
    save_audited(application, actor=actor, verb="programmes.application.withdrawn")
    if had_place:
        move_up(actor=actor, programme=application.programme)
    return application


@transaction.atomic
def enroll(*, actor: User | None, application: Application, on: date | None = None) -> Enrollment:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.SELECTED:
        raise ValidationError(_("Only a selected application is enrolled."))
    on = on or timezone.localdate()
    enrollment = Enrollment(application=application, stage=Stage.IDEA, started_on=on)
    save_audited(enrollment, actor=actor, verb="programmes.enrollment.started")
    StageChange.objects.create(enrollment=enrollment, stage=Stage.IDEA, on=on, by=actor)
    application.status = ApplicationStatus.ENROLLED
    save_audited(application, actor=actor, verb="programmes.application.enrolled")
    return enrollment


def stage_set(
    *, actor: User | None, enrollment: Enrollment, stage: str, on: date | None = None
) -> Enrollment:
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    if enrollment.exited_on:
        raise ValidationError(_("This holder has left the programme."))
    on = on or timezone.localdate()
    last = enrollment.stage_changes.order_by("-on", "-pk").first()
    if last is not None and on < last.on:
        raise ValidationError(
            {
                "on": _("The stage changes on or after %(date)s.")
                % {"date": last.on.strftime("%d/%m/%Y")}
            }
        )
    enrollment.stage = stage
    save_audited(enrollment, actor=actor, verb=f"programmes.enrollment.{stage}")
    StageChange.objects.create(enrollment=enrollment, stage=stage, on=on, by=actor)
    return enrollment


def exit_record(
    *, actor: User | None, enrollment: Enrollment, outcome: str, on: date | None = None
) -> Enrollment:
    if outcome not in ExitOutcome.values:
        raise ValidationError({"outcome": _("Unknown outcome.")})
    on = on or timezone.localdate()
    if on < enrollment.started_on:
        raise ValidationError({"on": _("A holder leaves after enrolling.")})
    enrollment.exited_on = on
    enrollment.exit_outcome = outcome
    save_audited(enrollment, actor=actor, verb=f"programmes.enrollment.exit.{outcome}")
    from essor.monitoring.services import follow_ups_schedule

    follow_ups_schedule(actor=actor, enrollment=enrollment)
    return enrollment


def referral_add(
    *, actor: User | None, enrollment: Enrollment, scheme: str, referred_on: date, outcome: str = ""
) -> Referral:
    if not scheme.strip():
        raise ValidationError({"scheme": _("Name the scheme the holder is referred to.")})
    return Referral.objects.create(
        enrollment=enrollment, scheme=scheme.strip(), referred_on=referred_on, outcome=outcome
    )
