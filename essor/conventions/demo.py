"""The three conventions of the seed articles, with their figures, parties and programmes.

Figures and wording come from the articles (``shared/seeds``). Where an article is silent (the
split of an envelope into budget lines, a date it does not give), the demo says so in the
record's ``source`` and ``docs/decisions/0008`` lists each assumption. Loading twice changes
nothing: records are matched on their reference or code.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from essor.accounts.models import Partner, User
from essor.territory.models import Region

from . import services
from .models import BudgetCategory, Convention, ConventionKind, ConventionStatus, PartyRole

D = Decimal

EXTRA_PARTNERS: list[dict[str, Any]] = [
    {
        "code": "mag",
        "acronym": "MAG",
        "name_fr": "Ministère délégué chargé des Affaires générales et de la gouvernance",
        "name_ar": "الوزارة المنتدبة المكلفة بالشؤون العامة والحكامة",
        "kind": "ministry",
        "region": None,
    },
    {
        "code": "apds",
        "acronym": "Agence du Sud",
        "name_fr": (
            "Agence pour la promotion et le développement économique et social des provinces "
            "du Sud du Royaume"
        ),
        "name_ar": "وكالة الإنعاش والتنمية الاقتصادية والاجتماعية لأقاليم الجنوب",
        "kind": "public_agency",
        "region": None,
    },
    {
        "code": "wilaya-lsh",
        "acronym": "Wilaya Laâyoune",
        "name_fr": "Wilaya de la région Laâyoune-Sakia El Hamra",
        "name_ar": "ولاية جهة العيون الساقية الحمراء",
        "kind": "wilaya",
        "region": "11",
    },
]

SEED_TTA_25 = "TTA-TPE-ESS-25MDH"
SEED_TTA_ESS = "TTA-ESS-2023-2025"
SEED_LSH = "LSH-CP-ESS-TPE"

CONVENTIONS: list[dict[str, Any]] = [
    {
        "reference": SEED_TTA_25,
        "kind": ConventionKind.PARTNERSHIP,
        "owner": "cr-tta",
        "regions": ["01"],
        "title_fr": (
            "Convention de partenariat pour le développement des TPE de l'économie sociale et "
            "solidaire de la région Tanger-Tétouan-Al Hoceima"
        ),
        "title_ar": (
            "اتفاقية شراكة لتنمية المقاولات الصغيرة جدا في الاقتصاد الاجتماعي والتضامني بجهة "
            "طنجة تطوان الحسيمة"
        ),
        "envelope": D("25000000"),
        "objectives_fr": (
            "Soutenir les porteurs de projets conformément au programme d'amélioration du revenu "
            "et de l'inclusion économique dans le monde rural : TPE de l'ESS n'ayant bénéficié "
            "d'aucun programme d'appui aux TPE (Intilaka, INDH)."
        ),
        "objectives_ar": (
            "دعم حاملي المشاريع وفق برنامج تحسين الدخل والإدماج الاقتصادي بالعالم القروي لفائدة "
            "المقاولات الصغيرة جدا في الاقتصاد الاجتماعي والتضامني التي لم تستفد من أي برنامج دعم."
        ),
        "source": (
            "Aujourd'hui Le Maroc, via Kiosque360. L'article n'est pas daté : les dates et la "
            "répartition des 25 MDH en lignes budgétaires sont des hypothèses de démonstration."
        ),
        "status": ConventionStatus.IN_EXECUTION,
        "dates": {"approved_on": date(2023, 3, 7), "signed_on": date(2023, 4, 10)},
        "start_on": date(2023, 5, 1),
        "end_on": date(2026, 12, 31),
        "parties": [
            (
                "cr-tta",
                [PartyRole.FUNDER],
                D("25000000"),
                "Mobilise une enveloppe de 25 millions de DH ; acquiert un bus qui sert de « maison "
                "des TPE » mobile dans le monde rural.",
                "تعبئة غلاف مالي قدره 25 مليون درهم؛ اقتناء حافلة تكون «دار المقاولات الصغيرة جدا» "
                "متنقلة بالعالم القروي.",
            ),
            (
                "ccis-tta",
                [PartyRole.HOST, PartyRole.TRAINER],
                D("0"),
                "Met en place les espaces des maisons des TPE sur le territoire urbain ; assure la "
                "formation, l'encadrement et l'accompagnement des TPE.",
                "إحداث فضاءات دور المقاولات الصغيرة جدا بالمجال الحضري؛ ضمان تكوين ومواكبة المقاولات.",
            ),
            (
                "wilaya-tta",
                [PartyRole.FUNDER],
                D("0"),
                "Attribue des ressources financières supplémentaires en cas de nécessité pour "
                "compléter la réalisation du projet.",
                "تخصيص موارد مالية إضافية عند الحاجة لاستكمال إنجاز المشروع.",
            ),
            (
                "irfd-tta",
                [PartyRole.IMPLEMENTER],
                D("0"),
                "Se mobilise avec le conseil de la région pour le développement des TPE.",
                "",
            ),
            (
                "indh-tta",
                [PartyRole.TRAINER, PartyRole.FUNDER],
                D("0"),
                "Contribue à la formation, l'encadrement et l'accompagnement en urbain et en rural ; "
                "apporte son soutien financier à plus de 1 500 projets.",
                "المساهمة في التكوين والتأطير والمواكبة بالمجالين الحضري والقروي؛ الدعم المالي لأزيد "
                "من 1500 مشروع.",
            ),
        ],
        "targets": [
            (
                "projects_supported",
                D("1500"),
                "Plus de 1 500 projets soutenus financièrement par l'INDH dans la région du Nord",
                "دعم مالي لأزيد من 1500 مشروع بجهة الشمال",
            ),
        ],
        "lines": [
            ("cr-tta", BudgetCategory.GRANTS, "Subventions aux TPE de l'ESS", D("14000000")),
            ("cr-tta", BudgetCategory.MOBILE_UNIT, "Bus « maison des TPE » mobile", D("3000000")),
            ("ccis-tta", BudgetCategory.TRAINING, "Formation et accompagnement", D("5000000")),
            (
                "ccis-tta",
                BudgetCategory.OPERATIONS,
                "Espaces urbains des maisons des TPE",
                D("3000000"),
            ),
        ],
        "committee": None,
    },
    {
        "reference": SEED_TTA_ESS,
        "kind": ConventionKind.PARTNERSHIP,
        "owner": "cr-tta",
        "regions": ["01"],
        "title_fr": (
            "Convention de partenariat pour l'accompagnement des acteurs de l'économie sociale et "
            "solidaire de la région Tanger-Tétouan-Al Hoceima (2023-2025)"
        ),
        "title_ar": (
            "اتفاقية شراكة لمواكبة فاعلي الاقتصاد الاجتماعي والتضامني بجهة طنجة تطوان الحسيمة "
            "(2023-2025)"
        ),
        "envelope": D("10000000"),
        "objectives_fr": (
            "Contribuer au développement de l'écosystème de l'ESS de la région par "
            "l'accompagnement des porteurs de projets et des organisations professionnelles ; "
            "mettre en œuvre les projets ESS retenus dans la convention entre le ministère et "
            "l'AECID sur « l'autonomisation des femmes et des jeunes via l'entreprenariat en ESS » ; "
            "renforcer les capacités des organisations de l'ESS et promouvoir leurs produits."
        ),
        "objectives_ar": (
            "المساهمة في تطوير منظومة الاقتصاد الاجتماعي والتضامني بالجهة عبر مواكبة حاملي "
            "المشاريع والهيئات المهنية، وتمكين النساء والشباب عبر المقاولة."
        ),
        "source": (
            "L'Opinion, 08/08/2023 : approuvée par le Conseil régional lors de sa dernière "
            "session ordinaire ; financée conjointement par le Conseil et le ministère (la "
            "répartition est une hypothèse de démonstration)."
        ),
        "status": ConventionStatus.IN_EXECUTION,
        "dates": {"approved_on": date(2023, 7, 4), "signed_on": date(2023, 9, 15)},
        "approval_session": "Session ordinaire de juillet 2023 du Conseil régional",
        "start_on": date(2023, 1, 1),
        "end_on": date(2025, 12, 31),
        "parties": [
            ("cr-tta", [PartyRole.FUNDER], D("5000000"), "", ""),
            ("mtaess", [PartyRole.FUNDER], D("5000000"), "", ""),
            (
                "wilaya-tta",
                [PartyRole.CHAIR],
                D("0"),
                "Le Wali préside le comité de suivi.",
                "يترأس الوالي لجنة التتبع.",
            ),
        ],
        "targets": [],
        "lines": [
            (
                "cr-tta",
                BudgetCategory.TRAINING,
                "Renforcement des capacités des organisations de l'ESS",
                D("3000000"),
            ),
            (
                "cr-tta",
                BudgetCategory.GRANTS,
                "Appui au financement des activités retenues",
                D("2000000"),
            ),
            (
                "mtaess",
                BudgetCategory.GRANTS,
                "Autonomisation des femmes et des jeunes",
                D("4000000"),
            ),
            ("mtaess", BudgetCategory.OPERATIONS, "Promotion des produits de l'ESS", D("1000000")),
        ],
        "committee": {
            "name": "Comité de suivi de la convention ESS 2023-2025",
            "chair": "Le Wali de la région Tanger-Tétouan-Al Hoceima",
            "mandate": (
                "Élaborer les programmes et plans d'action de mise en œuvre, assurer leur mise en "
                "œuvre et leur suivi, préparer les rapports d'évaluation des résultats."
            ),
            "members": [
                ("wilaya-tta", "Le Wali de la région", "Président", True),
                ("cr-tta", "Représentant du Conseil de la région", "Membre", False),
                ("mtaess", "Représentant du ministère", "Membre", False),
            ],
        },
    },
    {
        "reference": SEED_LSH,
        "kind": ConventionKind.PROGRAMME_CONTRACT,
        "owner": "mag",
        "regions": ["11"],
        "title_fr": (
            "Contrat-programme de promotion de l'économie sociale et solidaire, des petites "
            "entreprises et des TPE de la région Laâyoune-Boujdour-Sakia El Hamra (5 ans)"
        ),
        "title_ar": (
            "عقد برنامج لإنعاش الاقتصاد الاجتماعي والتضامني والمقاولات الصغيرة والصغيرة جدا بجهة "
            "العيون بوجدور الساقية الحمراء (5 سنوات)"
        ),
        "envelope": D("105500000"),
        "objectives_fr": (
            "Développer le tissu entrepreneurial local (coopératives, petites entreprises, TPE) et "
            "un tissu associatif qui les encadre ; créer des emplois durables ; promouvoir la "
            "coopération ; valoriser les ressources locales. Financé par le Fonds d'économie "
            "sociale créé à cet effet."
        ),
        "objectives_ar": (
            "تطوير النسيج المقاولاتي المحلي من تعاونيات ومقاولات صغيرة وصغيرة جدا، وخلق فرص شغل "
            "مستدامة، عبر صندوق الاقتصاد الاجتماعي المحدث لهذا الغرض."
        ),
        "source": (
            "Signé un mardi à Laâyoune en présence du ministre Nizar Baraka ; l'article ne donne "
            "pas de date, la fiche n'en garde donc aucune."
        ),
        "status": ConventionStatus.SIGNED,
        "dates": {},
        "start_on": None,
        "end_on": None,
        "parties": [
            (
                "mag",
                [PartyRole.FUNDER, PartyRole.CHAIR],
                D("105500000"),
                "Finance le programme par le Fonds d'économie sociale (105,5 MDH).",
                "تمويل البرنامج عبر صندوق الاقتصاد الاجتماعي (105,5 مليون درهم).",
            ),
            ("apds", [PartyRole.IMPLEMENTER], D("0"), "", ""),
            ("wilaya-lsh", [PartyRole.IMPLEMENTER], D("0"), "", ""),
        ],
        "targets": [],
        "lines": [],
        "committee": None,
    },
]

PROGRAMMES: list[dict[str, Any]] = [
    {
        "code": "tpe-ess-tta",
        "operator": "cr-tta",
        "name_fr": "Appui aux TPE de l'économie sociale et solidaire — Tanger-Tétouan-Al Hoceima",
        "name_ar": "دعم المقاولات الصغيرة جدا في الاقتصاد الاجتماعي والتضامني — طنجة تطوان الحسيمة",
        "description_fr": (
            "Formation, encadrement et accompagnement dans les maisons des TPE urbaines et à bord "
            "du bus en milieu rural, et subvention des projets retenus."
        ),
        "audience_fr": "TPE de l'ESS de la région n'ayant bénéficié ni d'Intilaka ni de l'INDH.",
        "services_fr": "Formation ; coaching individuel ; conseil de groupe ; subvention.",
        "capacity": 1500,
        "opens_on": date(2023, 5, 1),
        "closes_on": date(2026, 6, 30),
        "approval_threshold": D("50000"),
        "lines": [
            (SEED_TTA_25, "cr-tta", BudgetCategory.GRANTS),
            (SEED_TTA_25, "ccis-tta", BudgetCategory.TRAINING),
            (SEED_TTA_25, "cr-tta", BudgetCategory.MOBILE_UNIT),
        ],
        "rules": [
            ("territory", {"regions": ["01"]}),
            (
                "legal_forms",
                {
                    "values": [
                        "informal",
                        "auto_entrepreneur",
                        "cooperative",
                        "association",
                        "sarl",
                        "sarl_au",
                    ]
                },
            ),
            ("prior_support", {"programmes": ["intilaka", "indh-p3"]}),
        ],
    },
    {
        "code": "ess-tta-2023",
        "operator": "cr-tta",
        "name_fr": "Accompagnement des acteurs de l'ESS 2023-2025",
        "name_ar": "مواكبة فاعلي الاقتصاد الاجتماعي والتضامني 2023-2025",
        "description_fr": (
            "Renforcement des capacités organisationnelles, techniques et managériales des "
            "organisations de l'ESS ; autonomisation des femmes et des jeunes."
        ),
        "audience_fr": "Coopératives et associations de l'ESS de la région ; femmes et jeunes.",
        "services_fr": "Formation ; accompagnement ; appui au financement ; foires.",
        "capacity": 400,
        "opens_on": date(2023, 9, 15),
        "closes_on": date(2025, 12, 31),
        "approval_threshold": D("50000"),
        "lines": [
            (SEED_TTA_ESS, "cr-tta", BudgetCategory.TRAINING),
            (SEED_TTA_ESS, "cr-tta", BudgetCategory.GRANTS),
            (SEED_TTA_ESS, "mtaess", BudgetCategory.GRANTS),
        ],
        "rules": [
            ("territory", {"regions": ["01"]}),
            ("legal_forms", {"values": ["cooperative", "association"]}),
        ],
    },
    {
        "code": "indh-p3",
        "operator": "indh-tta",
        "name_fr": "INDH — Programme 3 : amélioration du revenu et inclusion économique des jeunes",
        "name_ar": "المبادرة الوطنية للتنمية البشرية — البرنامج 3: تحسين الدخل والإدماج الاقتصادي للشباب",
        "description_fr": (
            "Troisième phase de l'INDH : appui aux projets générateurs de revenus et à "
            "l'entrepreneuriat des jeunes."
        ),
        "audience_fr": "Jeunes porteurs de projets, TPE et coopératives.",
        "services_fr": "Subvention ; accompagnement.",
        "capacity": None,
        "opens_on": None,
        "closes_on": None,
        "approval_threshold": D("50000"),
        "lines": [],
        "rules": [
            ("age", {"min": 18, "max": 45}),
            (
                "grant",
                {
                    "max_share_pct": 60,
                    "cap_person": "100000",
                    "cap_tpe": "100000",
                    "cap_cooperative": "300000",
                },
            ),
        ],
    },
]


def load_conventions(partners: dict[str, Partner], actor: User | None = None) -> None:
    """Create the seed conventions and programmes that are missing."""
    from essor.programmes import services as programme_services
    from essor.programmes.models import Programme

    regions = {region.code: region for region in Region.objects.all()}
    for spec in CONVENTIONS:
        if Convention.objects.filter(reference=spec["reference"]).exists():
            continue
        convention = services.convention_create(
            actor=actor,
            owner=partners[spec["owner"]],
            regions=[regions[code] for code in spec["regions"] if code in regions],
            reference=spec["reference"],
            kind=spec["kind"],
            title_fr=spec["title_fr"],
            title_ar=spec["title_ar"],
            envelope=spec["envelope"],
            objectives_fr=spec["objectives_fr"],
            objectives_ar=spec["objectives_ar"],
            source=spec["source"],
            approval_session=spec.get("approval_session", ""),
            start_on=spec["start_on"],
            end_on=spec["end_on"],
        )
        for code, roles, pledged, in_kind_fr, in_kind_ar in spec["parties"]:
            services.party_add(
                actor=actor,
                convention=convention,
                partner=partners[code],
                roles=roles,
                pledged=pledged,
                in_kind_fr=in_kind_fr,
                in_kind_ar=in_kind_ar,
            )
        for indicator, value, label_fr, label_ar in spec["targets"]:
            services.target_add(
                actor=actor,
                convention=convention,
                indicator=indicator,
                value=value,
                label_fr=label_fr,
                label_ar=label_ar,
                due_on=spec["end_on"],
            )
        for code, category, label, amount in spec["lines"]:
            services.budget_line_create(
                actor=actor,
                convention=convention,
                partner=partners[code],
                category=category,
                label=label,
                amount=amount,
            )
        committee = spec["committee"]
        if committee:
            body = services.committee_set(
                actor=actor,
                convention=convention,
                name=committee["name"],
                chair=committee["chair"],
                mandate=committee["mandate"],
            )
            for code, name, title, is_chair in committee["members"]:
                services.committee_member_add(
                    actor=actor,
                    committee=body,
                    partner=partners[code],
                    name=name,
                    title=title,
                    is_chair=is_chair,
                )
        steps = [ConventionStatus.APPROVED, ConventionStatus.SIGNED, ConventionStatus.IN_EXECUTION]
        target_index = steps.index(spec["status"]) if spec["status"] in steps else -1
        on = {
            ConventionStatus.APPROVED: spec["dates"].get("approved_on"),
            ConventionStatus.SIGNED: spec["dates"].get("signed_on"),
            ConventionStatus.IN_EXECUTION: spec["start_on"],
        }
        for step in steps[: target_index + 1]:
            services.convention_transition(
                actor=actor, convention=convention, to=step, on=on[step] or None
            )
            if on[step] is None:  # the article gives no date: record the step without one
                field = {"approved": "approved_on", "signed": "signed_on"}.get(step)
                if field:
                    Convention.objects.filter(pk=convention.pk).update(**{field: None})

    for spec in PROGRAMMES:
        if Programme.objects.filter(code=spec["code"]).exists():
            continue
        lines: list[Any] = []
        for reference, partner_code, category in spec["lines"]:
            lines.extend(
                Convention.objects.get(reference=reference).budget_lines.filter(
                    partner=partners[partner_code], category=category
                )
            )
        programme = programme_services.programme_create(
            actor=actor,
            operator=partners[spec["operator"]],
            budget_lines=lines,
            **{k: v for k, v in spec.items() if k not in {"operator", "lines", "rules"}},
        )
        for kind, params in spec["rules"]:
            programme_services.rule_set(actor=actor, programme=programme, kind=kind, params=params)


PURPOSE = "Équipement et fonds de roulement du projet"


def load_demo_funding(partners: dict[str, Partner], manager: User, approver: User) -> None:
    """A few grants of the 25 MDH convention, so that execution pages have money to show.

    Seven project holders (synthetic names from the reference lists) receive grants on the
    council's grants line; two large grants wait for a second approval, as in real life (one
    entered by the programme manager, one by the administrator: each waits for the other).
    """
    from dataclasses import asdict

    from essor.funding import services as funding
    from essor.funding.models import Commitment
    from essor.programmes.models import Programme
    from essor.registry import services as registry
    from essor.registry.models import Person
    from essor.registry.synthetic import persons

    if Commitment.objects.filter(purpose=PURPOSE).exists():
        return
    council = partners["cr-tta"]
    convention = Convention.objects.get(reference=SEED_TTA_25)
    line = convention.budget_lines.get(partner=council, category=BudgetCategory.GRANTS)
    programme = Programme.objects.get(code="tpe-ess-tta")
    # The last two wait for a second signature: one entered by the manager, one by the admin.
    amounts = [
        D("45000"),
        D("30000"),
        D("48000"),
        D("25000"),
        D("40000"),
        D("120000"),
        D("90000"),
    ]
    for index, (synthetic, amount) in enumerate(
        zip(persons(len(amounts), seed=2026), amounts, strict=True)
    ):
        person = Person.objects.filter(cin=synthetic.cin).first() or registry.person_create(
            actor=manager, partner=council, source="demo", **asdict(synthetic)
        )
        commitment = funding.commitment_create(
            actor=approver if index == 6 else manager,
            budget_line=line,
            programme=programme,
            person=person,
            amount=amount,
            committed_on=date(2024, 2 + index, 12),
            purpose=PURPOSE,
        )
        if index < 4:
            funding.disbursement_create(
                actor=manager,
                commitment=commitment,
                amount=(amount / 2).quantize(D("0.01")),
                paid_on=date(2024, 3 + index, 20),
                reference=f"OV-2024-{index + 1:04d}",
            )
