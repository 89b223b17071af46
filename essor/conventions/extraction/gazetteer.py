"""What the rules know by name: partners, target groups, services, target units (regions:
:mod:`.regions`).

Long names are matched on the folded text (lower case, no accents, same offsets: see
:func:`text.fold`), so ``Économie`` and ``Economie`` meet; acronyms on the text as written, case
and all, so ``ADS`` is the agency and ``ads`` is nothing. Adding a partner is one entry in
:data:`PARTNERS`; ``docs/decisions/0016`` says how the lists are used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --- Partners ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Org:
    """A partner essor knows by name: its kind (``accounts.PartnerKind``), acronym, long name.

    ``regional``: one per region (a council, a wilaya, a chamber, INDH's regional side): its
    region is read after the name (``Conseil de la région de l'Oriental``, ``CCIS-TTA``) or,
    failing that, is the convention's.
    """

    key: str
    kind: str
    acronym: str
    name_fr: str
    names: tuple[str, ...] = ()  # folded patterns
    acronyms: tuple[str, ...] = ()  # raw patterns, case-sensitive
    regional: bool = False
    name_ar: str = ""
    regional_name: str = ""  # "Conseil de la région {region}"


PARTNERS: list[Org] = [
    Org(
        "regional_council",
        "regional_council",
        "",
        "Conseil régional",
        names=(r"conseil (?:de la |du )?region(?:al)?",),
        regional=True,
        regional_name="Conseil de la région {region}",
    ),
    Org(
        "wilaya",
        "wilaya",
        "",
        "Wilaya",
        names=(r"wilaya(?: de la region)?",),
        regional=True,
        regional_name="Wilaya de la région {region}",
    ),
    Org(
        "ccis",
        "chamber",
        "CCIS",
        "Chambre de commerce, d'industrie et de services",
        names=(r"chambre (?:regionale )?de commerce,? d'industrie et de services",),
        acronyms=(r"\bCCIS(?:-(?P<tag>[A-Z]{1,4}))?\b",),
        regional=True,
        regional_name="Chambre de commerce, d'industrie et de services de la région {region}",
    ),
    Org(
        "crafts_chamber",
        "chamber",
        "",
        "Chambre d'artisanat",
        names=(r"chambre (?:regionale )?d'artisanat",),
        regional=True,
        regional_name="Chambre d'artisanat de la région {region}",
    ),
    Org(
        "agriculture_chamber",
        "chamber",
        "",
        "Chambre d'agriculture",
        names=(r"chambre (?:regionale )?d'agriculture",),
        regional=True,
        regional_name="Chambre d'agriculture de la région {region}",
    ),
    Org(
        "indh",
        "indh",
        "INDH",
        "Initiative nationale pour le développement humain",
        names=(r"initiative nationale (?:pour le|de) developpement humain",),
        acronyms=(r"\bINDH\b",),
        regional=True,
    ),
    Org(
        "crdh",
        "indh",
        "CRDH",
        "Comité régional de développement humain",
        names=(r"comite regional de developpement humain",),
        acronyms=(r"\bCRDH\b",),
        regional=True,
    ),
    Org(
        "cpdh",
        "indh",
        "CPDH",
        "Comité provincial de développement humain",
        names=(r"comite provincial de developpement humain",),
        acronyms=(r"\bCPDH\b",),
    ),
    Org(
        "cldh",
        "indh",
        "CLDH",
        "Comité local de développement humain",
        names=(r"comite local de developpement humain",),
        acronyms=(r"\bCLDH\b",),
    ),
    Org(
        "anapec",
        "anapec",
        "ANAPEC",
        "Agence nationale de promotion de l'emploi et des compétences",
        names=(r"agence nationale (?:de|pour la) promotion de l'emploi et des competences",),
        acronyms=(r"\bANAPEC\b", r"\bAnapec\b"),
    ),
    Org(
        "ofppt",
        "training_institution",
        "OFPPT",
        "Office de la formation professionnelle et de la promotion du travail",
        names=(r"office de la formation professionnelle et de la promotion du travail",),
        acronyms=(r"\bOFPPT\b",),
    ),
    Org(
        "irfd",
        "training_institution",
        "IRFD",
        "Institution régionale de la formation et de développement",
        names=(r"institution regionale de (?:la )?formation et de developpement",),
        acronyms=(r"\bIRFD\b",),
        regional=True,
    ),
    Org(
        "fm5",
        "association",
        "FM5",
        "Fondation Mohammed V pour la solidarité",
        names=(r"fondation mohammed v\b(?: pour la solidarite)?",),
        acronyms=(r"\bFM5\b",),
    ),
    Org(
        "maroc_pme",
        "public_agency",
        "Maroc PME",
        "Maroc PME",
        names=(
            r"maroc pme",
            r"agence nationale pour la promotion de la (?:petite et moyenne entreprise|pme)",
        ),
        acronyms=(r"\bANPME\b",),
    ),
    Org(
        "ads",
        "public_agency",
        "ADS",
        "Agence de développement social",
        names=(r"agence de developpement social",),
        acronyms=(r"\bADS\b",),
    ),
    Org(
        "apds",
        "public_agency",
        "Agence du Sud",
        "Agence pour la promotion et le développement économique et social des provinces du Sud "
        "du Royaume",
        names=(
            r"agence pour la promotion et (?:le )?developpement economique et social des "
            r"(?:prefectures et )?provinces du sud(?: du royaume)?",
            r"agence du sud",
        ),
        acronyms=(r"\bAPDS\b",),
    ),
    Org(
        "apdn",
        "public_agency",
        "Agence du Nord",
        "Agence pour la promotion et le développement économique et social des préfectures et "
        "provinces du Nord du Royaume",
        names=(
            r"agence pour la promotion et (?:le )?developpement economique et social des "
            r"(?:prefectures et )?provinces du nord(?: du royaume)?",
            r"agence du nord",
        ),
        acronyms=(r"\bAPDN\b",),
    ),
    Org(
        "ado",
        "public_agency",
        "Agence de l'Oriental",
        "Agence de développement de l'Oriental",
        names=(r"agence (?:de developpement |pour le developpement )?de l'oriental",),
    ),
    Org(
        "odco",
        "public_agency",
        "ODCO",
        "Office du développement de la coopération",
        names=(r"office du developpement de la cooperation",),
        acronyms=(r"\bODCO\b",),
    ),
    Org(
        "tamwilcom",
        "bank",
        "Tamwilcom",
        "Tamwilcom",
        names=(r"tamwilcom", r"caisse centrale de garantie"),
        acronyms=(r"\bCCG\b",),
    ),
    Org(
        "cri",
        "public_agency",
        "CRI",
        "Centre régional d'investissement",
        names=(r"centre regional d'investissement",),
        acronyms=(r"\bCRI\b",),
        regional=True,
    ),
    Org(
        "afd",
        "donor",
        "AFD",
        "Agence française de développement",
        names=(r"agence francaise de developpement",),
        acronyms=(r"\bAFD\b",),
    ),
    Org(
        "aecid",
        "donor",
        "AECID",
        "Agence espagnole de coopération internationale pour le développement",
        names=(
            r"agence espagnole (?:de |pour la )?cooperation internationale "
            r"(?:au|pour le|de) developpement",
        ),
        acronyms=(r"\bAECID\b",),
    ),
    Org(
        "giz",
        "donor",
        "GIZ",
        "Coopération allemande (GIZ)",
        names=(
            r"deutsche gesellschaft fur internationale zusammenarbeit",
            r"cooperation (?:technique )?allemande(?: au developpement(?: durable)?)?",
        ),
        acronyms=(r"\bGIZ\b",),
    ),
    Org(
        "enabel",
        "donor",
        "Enabel",
        "Enabel, Agence belge de développement",
        names=(r"agence belge de developpement",),
        acronyms=(r"\bEnabel\b",),
    ),
    Org(
        "jica",
        "donor",
        "JICA",
        "Agence japonaise de coopération internationale",
        names=(r"agence japonaise de cooperation internationale",),
        acronyms=(r"\bJICA\b",),
    ),
    Org("usaid", "donor", "USAID", "USAID", acronyms=(r"\bUSAID\b",)),
    Org("kfw", "donor", "KfW", "KfW", acronyms=(r"\bKfW\b",)),
    Org(
        "eu",
        "donor",
        "UE",
        "Union européenne",
        names=(r"union europeenne",),
        acronyms=(r"(?<![\w-])UE\b",),
    ),
    Org(
        "undp",
        "donor",
        "PNUD",
        "Programme des Nations unies pour le développement",
        names=(r"programme des nations unies pour le developpement",),
        acronyms=(r"\bPNUD\b",),
    ),
    Org("world_bank", "donor", "", "Banque mondiale", names=(r"banque mondiale",)),
    # Banks of the TPE programmes (Intelaka, the guarantee lines).
    Org(
        "attijariwafa",
        "bank",
        "",
        "Attijariwafa bank",
        names=(r"attijariwafa(?: bank)?",),
    ),
    Org(
        "bcp",
        "bank",
        "BCP",
        "Banque Populaire",
        names=(r"banque (?:centrale )?populaire",),
        acronyms=(r"\bBCP\b",),
    ),
    Org(
        "bank_of_africa",
        "bank",
        "BOA",
        "Bank Of Africa",
        names=(r"bank of africa", r"bmce bank(?: of africa)?"),
    ),
    Org("cam", "bank", "CAM", "Crédit Agricole du Maroc", names=(r"credit agricole du maroc",)),
    Org("al_barid_bank", "bank", "", "Al Barid Bank", names=(r"al barid bank",)),
    Org("cih", "bank", "CIH", "CIH Bank", names=(r"cih bank",), acronyms=(r"\bCIH\b",)),
    Org(
        "afdb",
        "donor",
        "BAD",
        "Banque africaine de développement",
        names=(r"banque africaine de developpement",),
    ),
]

# Ministries are read by their portfolio ("ministère du Tourisme, de l'Artisanat et de
# l'Economie sociale et solidaire"); a few acronyms are known.
MINISTRY_ACRONYMS: dict[str, str] = {
    "MTAESS": "Ministère du Tourisme, de l'Artisanat et de l'Économie sociale et solidaire",
    "MAGG": "Ministère des Affaires générales et de la gouvernance",
    "MEF": "Ministère de l'Économie et des Finances",
    "MIC": "Ministère de l'Industrie et du Commerce",
}
MINISTRY_HEAD = re.compile(
    r"\b(?P<head>[Mm]inist[èe]re|[Mm]inistre)(?:\s+(?:d[ée]l[ée]gu[ée]e?|de\s+tutelle))?"
    r"(?:\s+(?P<charge>charg[ée]e?|aupr[èe]s\s+du\s+Chef\s+du\s+gouvernement\s+charg[ée]e?))?"
)
# Words that end a ministry's portfolio: "ministère de l'Industrie pour …".
MINISTRY_STOP = {
    "pour",
    "dans",
    "en",
    "au",
    "aux",
    "sur",
    "par",
    "avec",
    "qui",
    "que",
    "a",
    "ont",
    "est",
    "sont",
    "lors",
    "afin",
    "vise",
    "relative",
    "relatif",
    "le",
    "la",
    "les",
    "un",
    "une",
    "et",
    "ou",
    "à",
    "ce",
    "cette",
    "son",
    "sa",
    "ses",
    "région",
    "tutelle",
}
CHAMBER_ANAPHOR = re.compile(r"\b(?:la|La)\s+Chambre\b(?!\s+(?:de|d'))")
# "le Conseil" (minutes of the council's session): the council named before.
COUNCIL_ANAPHOR = re.compile(
    r"(?<=[Ll]e |[Dd]u |[Aa]u )Conseil\b(?!\s+(?:de|d'|r[ée]gional|provincial|communal"
    r"|pr[ée]fectoral|sup[ée]rieur|[ée]conomique|national))"
)
# "la région s'engage…": the regional council (only as the subject of a commitment).
REGION_AS_ACTOR = re.compile(
    r"\b(?:la|La)\s+r[ée]gion(?=\s*(?:,[^,]{0,30},\s*)?s'engage|\s+(?:contribue|finance"
    r"|mobilise|apporte|assure|prend en charge|se charge|va|allouera|alloue))"
)

# Organisations not in the list: a head noun, its complements and an acronym in parentheses.
GENERIC_ORG = re.compile(
    r"\b(?P<name>(?:Agence|Association|Fondation|Institut|Institution|Office|F[ée]d[ée]ration"
    r"|Conf[ée]d[ée]ration|Union|Banque|Caisse|Centre|Instance|Universit[ée]|[ÉE]cole|R[ée]seau"
    r"|Groupement|Soci[ée]t[ée]|Direction|D[ée]l[ée]gation|Observatoire|Entraide"
    r"|Conseil\s+(?:provincial|pr[ée]fectoral|communal))"
    r"(?:\s+(?:(?:de\s+la|de\s+l'|du|des|de|d'|pour\s+la|pour\s+le|pour\s+l'|pour\s+les|au|aux)"
    r"\s*[\w'-]+|et\s+(?:de\s+la\s+|de\s+l'|du\s+|des\s+|de\s+|le\s+|la\s+)?[\w'-]+"
    r"|[A-ZÉÈ][\w'-]+|[a-zéèêàç]+(?:ale|ales|aux|aire|aires|ique|iques|elle|ienne|aine|aines"
    r"|ée|ées|ais|aise|ois|oise|ain)\b)){0,9})"
    r"(?:\s*\((?P<acronym>[A-Z][A-Za-z0-9-]{1,12})\))?"
)
# Names that look like organisations but are not parties: the press, funds, programmes.
NOT_PARTNERS = re.compile(
    r"(?i)^(?:aujourd'hui le maroc|le matin|l'opinion|lopinion|la map|map|kiosque360|alm"
    r"|m[ée]dias24|le360|h24info|hespress|tel quel|l'[ée]conomiste|la vie [ée]co|maroc diplomatique"
    r"|fonds\b.*|programme\b.*|intilaka|forsa|initiative\b.*|royaume|maroc|[ée]tat)$"
)


# --- Target groups, services, target units ----------------------------------------------------

TARGET_GROUPS: list[tuple[str, str]] = [
    ("tpe", r"\btpe\b|\btres petites? entreprises?\b"),
    (
        "sme",
        r"\bpme\b|\bpetites? et moyennes? entreprises?\b"
        r"|(?<!tres )(?<!ces )\bpetites? entreprises?\b",
    ),
    ("cooperatives", r"\bcooperatives?\b"),
    ("auto_entrepreneurs", r"\bauto[- ]?entrepreneu(?:r|rs|se|ses)\b"),
    ("young_people", r"\bjeunes?\b(?! entreprises?)|\bjeunesse\b"),
    ("women", r"\bfemmes?\b|\bfeminine?s?\b"),
    ("rural", r"\brur(?:al|ale|ales|aux)\b"),
    ("project_holders", r"\bporteu(?:r|rs|se|ses) (?:de |des |d')projets?\b"),
    ("ess", r"\beconomie sociale(?: et solidaire)?\b|\bess\b"),
    ("artisans", r"\bartisan(?:s|e|es)?\b"),
]
SERVICES: list[tuple[str, str]] = [
    ("training", r"\bformations?\b|\bformer\b|\brenforcement des capacites\b|\bcursus\b"),
    ("coaching", r"\bencadrement\b|\baccompagnement\b|\baccompagner\b|\bencadrer\b|\bcoaching\b"),
    ("mentoring", r"\bmentor(?:at|ing)\b|\bparrainage\b"),
    ("group_counselling", r"\bconseil de groupe\b|\bgroupes? de travail\b"),
    ("mobile_unit", r"\bbus\b|\bunite mobile\b|\bcaravanes?\b"),
    ("maison_des_tpe", r"\bmaisons? des (?:tpe|tres petites entreprises)\b"),
    ("honour_loans", r"\bprets? d'honneur\b"),
    (
        "financing",
        r"\bsoutien financier\b|\bappui (?:au )?financ\w*|\baide financiere\b|\bsubventions?\b"
        r"|\bfinancement des (?:projets|activites)\b|\bmicro-?credits?\b",
    ),
    (
        "fair",
        r"\bfoires?\b|\bsalons?\b|\bexpositions?\b|\bcommercialisation\b"
        r"|\bpromotion des produits\b",
    ),
    ("formalities", r"\bformalites\b|\bguichet unique\b"),
]
# Units a target counts (folded), each with the indicator it fills by default.
TARGET_UNITS: list[tuple[str, str]] = [
    (r"porteu(?:r|rs|se|ses) (?:de |des |d')projets?", "holders"),
    (r"projets?", "projects_supported"),
    (r"cooperatives?", "cooperatives_supported"),
    (r"emplois?(?: directs?| indirects?)?|postes? d'emploi|postes? de travail", "jobs_created"),
    (
        r"(?:tres petites |petites |jeunes )?entreprises?|tpe|pme|start-?ups?|"
        r"auto[- ]?entrepreneurs?",
        "enterprises",
    ),
    (
        r"jeunes|femmes|beneficiaires?|personnes|artisans?|agriculteurs|diplomes|associations?"
        r"|stagiaires|conseillers|activites generatrices de revenus|agr|unites de production",
        "other",
    ),
]


@dataclass
class Vocabulary:
    """The compiled lists (folded patterns), built once."""

    groups: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    services: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)


VOCABULARY = Vocabulary(
    groups=[(key, re.compile(p)) for key, p in TARGET_GROUPS],
    services=[(key, re.compile(p)) for key, p in SERVICES],
)
