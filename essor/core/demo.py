"""The demo data set, built from the seed articles (``shared/seeds``).

The Tanger-Tétouan-Al Hoceima region, the partners the articles name, and one demo user for
each role. Loading twice gives the same result: records are matched on their codes.
The seed conventions, their programmes and a few grants come from
``essor.conventions.demo``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from essor.accounts import services as account_services
from essor.accounts.models import Partner, PartnerKind, SharingRule, User
from essor.accounts.roles import Role
from essor.core.audit import save_audited
from essor.territory.models import Region

TTA = "01"

PARTNERS: list[dict[str, str | None]] = [
    {
        "code": "cr-tta",
        "acronym": "CR-TTA",
        "name_fr": "Conseil de la région Tanger-Tétouan-Al Hoceima",
        "name_ar": "مجلس جهة طنجة تطوان الحسيمة",
        "kind": PartnerKind.REGIONAL_COUNCIL,
        "region": TTA,
    },
    {
        "code": "wilaya-tta",
        "acronym": "Wilaya TTA",
        "name_fr": "Wilaya de la région Tanger-Tétouan-Al Hoceima",
        "name_ar": "ولاية جهة طنجة تطوان الحسيمة",
        "kind": PartnerKind.WILAYA,
        "region": TTA,
    },
    {
        "code": "ccis-tta",
        "acronym": "CCIS-TTA",
        "name_fr": (
            "Chambre de commerce, d'industrie et de services de la région Tanger-Tétouan-Al Hoceima"
        ),
        "name_ar": "غرفة التجارة والصناعة والخدمات لجهة طنجة تطوان الحسيمة",
        "kind": PartnerKind.CHAMBER,
        "region": TTA,
    },
    {
        "code": "indh-tta",
        "acronym": "INDH",
        "name_fr": (
            "Initiative nationale pour le développement humain — région Tanger-Tétouan-Al Hoceima"
        ),
        "name_ar": "المبادرة الوطنية للتنمية البشرية — جهة طنجة تطوان الحسيمة",
        "kind": PartnerKind.INDH,
        "region": TTA,
    },
    {
        "code": "irfd-tta",
        "acronym": "IRFD",
        "name_fr": "Institution régionale de la formation et de développement",
        "name_ar": "المؤسسة الجهوية للتكوين والتنمية",
        "kind": PartnerKind.TRAINING_INSTITUTION,
        "region": TTA,
    },
    {
        "code": "mtaess",
        "acronym": "MTAESS",
        "name_fr": "Ministère du Tourisme, de l'Artisanat et de l'Économie sociale et solidaire",
        "name_ar": "وزارة السياحة والصناعة التقليدية والاقتصاد الاجتماعي والتضامني",
        "kind": PartnerKind.MINISTRY,
        "region": None,
    },
    {
        "code": "aecid",
        "acronym": "AECID",
        "name_fr": "Agence espagnole de coopération internationale pour le développement",
        "name_ar": "الوكالة الإسبانية للتعاون الدولي من أجل التنمية",
        "kind": PartnerKind.DONOR,
        "region": None,
    },
    {
        "code": "anapec",
        "acronym": "ANAPEC",
        "name_fr": "Agence nationale de promotion de l'emploi et des compétences",
        "name_ar": "الوكالة الوطنية لإنعاش التشغيل والكفاءات",
        "kind": PartnerKind.ANAPEC,
        "region": None,
    },
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    partner: str | None
    roles: tuple[str, ...]
    superuser: bool = False


DEMO_USERS = [
    DemoUser("operator", "Youssef", "Alaoui", None, (), superuser=True),
    DemoUser("admin.region", "Samira", "Bennani", "cr-tta", (Role.ADMIN,)),
    DemoUser("manager.region", "Karim", "El Idrissi", "cr-tta", (Role.PROGRAMME_MANAGER,)),
    DemoUser("admin.ccis", "Nadia", "Tazi", "ccis-tta", (Role.ADMIN,)),
    DemoUser("counsellor.ccis", "Hamza", "Ouazzani", "ccis-tta", (Role.COUNSELLOR,)),
    DemoUser("counsellor.maison", "Imane", "Bakkali", "ccis-tta", (Role.COUNSELLOR,)),
    DemoUser("counsellor.bus", "Anas", "Akhrif", "cr-tta", (Role.COUNSELLOR,)),
    DemoUser("clerk.indh", "Fatima Zahra", "Amrani", "indh-tta", (Role.DATA_CLERK,)),
    DemoUser("committee.wilaya", "Rachid", "Berrada", "wilaya-tta", (Role.COMMITTEE_MEMBER,)),
    DemoUser("evaluator.irfd", "Laila", "Chraibi", "irfd-tta", (Role.EVALUATOR,)),
]


Populate = Callable[[dict[str, Partner]], None]


def reset_demo_logins() -> list[tuple[DemoUser, str]]:
    """Only the demo users' passwords, reset (a database already holding data is left as is)."""
    password = settings.ESSOR_DEMO_PASSWORD
    logins = []
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is not None:
            user.set_password(password)
            user.is_active = True
            save_audited(user, actor=None, verb="core.demo.reset")
            logins.append((demo, password))
    return logins


@transaction.atomic
def load_demo(populate: Populate | None = None) -> list[tuple[DemoUser, str]]:
    """Create or refresh the demo partners and users; return the logins to print.

    ``populate`` (``essor generate --scale demo``) writes a population in bulk once the
    reference data (partners, users, conventions, programmes, services, venues) is there and
    before the story's own records (a few files taken through every step by the services)."""
    regions = {region.code: region for region in Region.objects.all()}
    partners: dict[str, Partner] = {}
    for data in PARTNERS:
        region_code = data["region"]
        values = {k: v for k, v in data.items() if k not in {"code", "region"}}
        partner = Partner.objects.filter(code=data["code"]).first()
        if partner is None:
            partner = account_services.partner_create(
                actor=None,
                code=data["code"],
                region=regions.get(region_code) if region_code else None,
                **values,
            )
        partners[str(data["code"])] = partner

    password = settings.ESSOR_DEMO_PASSWORD
    logins = []
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            if demo.superuser:
                user = User.objects.create_superuser(
                    demo.username,
                    password=password,
                    first_name=demo.first_name,
                    last_name=demo.last_name,
                )
            else:
                user = account_services.user_create(
                    actor=None,
                    partner=partners[str(demo.partner)],
                    username=demo.username,
                    password=password,
                    roles=demo.roles,
                    first_name=demo.first_name,
                    last_name=demo.last_name,
                )
        else:
            user.set_password(password)
            user.is_active = True
            save_audited(user, actor=None, verb="core.demo.reset")
        logins.append((demo, password))

    from essor.conventions.demo import EXTRA_PARTNERS, load_conventions, load_demo_funding

    for data in EXTRA_PARTNERS:
        partner = Partner.objects.filter(code=data["code"]).first()
        if partner is None:
            region_code = data["region"]
            partner = account_services.partner_create(
                actor=None,
                region=regions.get(region_code) if region_code else None,
                **{k: v for k, v in data.items() if k != "region"},
            )
        partners[str(data["code"])] = partner
    load_conventions(partners)
    from essor.accompaniment.demo import (
        load_demo_accompaniment,
        load_demo_catalogue,
        load_demo_this_week,
    )

    load_demo_catalogue(council=partners["cr-tta"], chamber=partners["ccis-tta"])
    if populate is not None:
        populate(partners)
    load_demo_funding(
        partners,
        manager=User.objects.get(username="manager.region"),
        approver=User.objects.get(username="admin.region"),
    )
    from essor.programmes.demo import load_demo_applications

    load_demo_applications(
        manager=User.objects.get(username="manager.region"),
        evaluator=User.objects.get(username="evaluator.irfd"),
    )
    load_demo_accompaniment(
        council=partners["cr-tta"],
        chamber=partners["ccis-tta"],
        counsellor=User.objects.get(username="counsellor.ccis"),
        manager=User.objects.get(username="manager.region"),
    )
    load_demo_this_week(
        chamber=partners["ccis-tta"], manager=User.objects.get(username="manager.region")
    )
    from essor.monitoring.demo import load_demo_monitoring

    load_demo_monitoring(counsellor=User.objects.get(username="counsellor.ccis"))

    if not SharingRule.objects.filter(
        holder=partners["ccis-tta"], grantee=partners["cr-tta"]
    ).exists():
        account_services.sharing_grant(
            actor=None,
            holder=partners["ccis-tta"],
            grantee=partners["cr-tta"],
            purpose="Convention TPE-ESS (25 MDH) : suivi des porteurs de projets accompagnés",
        )
    return logins
