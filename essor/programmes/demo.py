"""Demo applications to the TPE-ESS programme of Tanger-Tétouan-Al Hoceima: screened, scored
by the demo evaluator, some decided, one enrolled, so that every page has a file to show."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from essor.accounts.models import User

from . import applications, selection, services
from .models import Application, Programme

CRITERIA = [
    ("Viabilité économique du projet", "الجدوى الاقتصادية للمشروع", 3),
    ("Motivation et expérience du porteur", "حافز وتجربة حامل المشروع", 2),
    ("Impact local (emplois, femmes, jeunes)", "الأثر المحلي (التشغيل، النساء، الشباب)", 1),
]
PROJECTS = [
    ("Atelier de couture et broderie", "60000", "30000"),
    ("Coopérative de plantes aromatiques", "150000", "90000"),
    ("Épicerie de quartier", "45000", "20000"),
    ("Élevage caprin", "80000", "40000"),
    ("Fromagerie artisanale de Chefchaouen", "120000", "60000"),
]


def load_demo_applications(*, manager: User, evaluator: User) -> None:
    from essor.registry import services as registry
    from essor.registry.models import Person
    from essor.registry.synthetic import persons
    from essor.territory.models import Commune

    programme = Programme.objects.filter(code="tpe-ess-tta").first()
    if programme is None or programme.scoring_criteria.exists():
        return
    for label_fr, label_ar, weight in CRITERIA:
        services.criterion_add(
            actor=manager, programme=programme, label_fr=label_fr, label_ar=label_ar, weight=weight
        )
    communes = list(Commune.objects.filter(region__code="01", kind="rural").order_by("code")[:40])
    criteria = list(programme.scoring_criteria.all())
    session = selection.session_create(
        actor=manager,
        programme=programme,
        held_on=date(2024, 3, 14),
        members="Conseil régional, CCIS-TTA, INDH, IRFD",
    )
    for index, (synthetic, (title, cost, requested)) in enumerate(
        zip(persons(len(PROJECTS), seed=2027), PROJECTS, strict=True)
    ):
        data = asdict(synthetic) | {
            "commune": communes[index * 7 % len(communes)],
            "birth_date": date(1990 + index * 2, 5, 1),
        }
        person = Person.objects.filter(cin=synthetic.cin).first() or registry.person_create(
            actor=manager, partner=programme.operator, source="demo", **data
        )
        application = applications.application_create(
            actor=manager,
            programme=programme,
            person=person,
            project_title=title,
            project_cost=Decimal(cost),
            requested=Decimal(requested),
            submitted_on=date(2024, 2, 1 + index),
        )
        applications.application_screen(actor=manager, application=application)
        selection.evaluator_assign(actor=manager, application=application, evaluator=evaluator)
        for criterion, value in zip(
            criteria, (4 - index % 3, 3 + index % 2, 2 + index % 3), strict=True
        ):
            selection.score_set(
                evaluator=evaluator, application=application, criterion=criterion, value=value
            )
        application.refresh_from_db()
        if index < 3 and application.status == "eligible":
            outcome = ["selected", "waiting", "selected"][index]
            selection.decide(
                actor=manager, application=application, outcome=outcome, session=session
            )
    first = (
        Application.objects.filter(programme=programme, status="selected").order_by("-pk").first()
    )
    if first is not None:
        enrollment = selection.enroll(actor=manager, application=first, on=date(2024, 4, 1))
        selection.stage_set(
            actor=manager, enrollment=enrollment, stage="preparation", on=date(2024, 6, 3)
        )
