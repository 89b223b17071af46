"""The rules' patterns, on folded text (lower case, no accents: see :func:`.text.fold`)."""

from __future__ import annotations

import re

from .gazetteer import TARGET_UNITS

# --- Patterns on folded text (lower case, no accents) ----------------------------------------

NOUN = (
    r"(?:conventions?(?:[- ]cadre)?|accords?(?:[- ]cadre)?|contrats?[- ]programmes?"
    r"|protocoles? d'accord|memorandums? d'entente)"
)
INDEFINITE = re.compile(
    rf"\b(?:un|une|d'une|d'un|deux|trois|quatre|plusieurs|nouvelles?|nouveaux?)\s+"
    r"(?:(?:nouvelle|nouveau|importante?|projet de|premiere?|seconde?|autre)\s+)*"
    rf"(?P<noun>{NOUN})\b"
)
DEFINITE = re.compile(rf"\b(?:la|le|l')\s*(?P<noun>{NOUN})\b")
# "deux conventions" approved at once, then told one by one: "la première convention…".
PLURAL = re.compile(
    r"\b(?:deux|trois|quatre|cinq|six|plusieurs)\s+(?:(?:nouvelles?|nouveaux)\s+)?"
    r"(?P<noun>conventions|accords|contrats[- ]programmes|protocoles d'accord)\b"
)
ORDINAL = re.compile(
    r"\b(?:la|le|l')\s*(?:premiere?|seconde?|deuxieme|troisieme|quatrieme|cinquieme|sixieme"
    rf"|derniere?|autre)(?:\s+(?P<noun>{NOUN})\b|(?=\s*,|\s+(?:porte|concerne|vise|lie"
    r"|a ete|est|sera|prevoit)\b))"
)
# The convention's own text: "la présente convention", "entre les soussignés".
OWN_TEXT = re.compile(rf"\b(?:la |le |du |de la )?present(?:e)?\s+(?P<noun>{NOUN})\b")
SIGNATORIES = re.compile(
    r"^\s*entre\s*(?:les\s+(?:soussignes|parties)\s*)?(?::|$)|^\s*entre\b(?=.*\bd'une part\b)"
)
SIGNATORIES_END = re.compile(
    r"\bil a ete (?:convenu|arrete)\b|\bil est (?:convenu|arrete)\b|\bconviennent\b"
    r"|\bont convenu\b|^\s*(?:article|preambule|titre)\b"
)
# Between two parties of that list: "d'autre part", ";", a line's number or dash.
PARTY_BOUNDARY = re.compile(r";|\bd'(?:une|autre) part\b,?")
SIGNATORY_GAP = re.compile(
    r"\s*(?:[-–•*]|\d{1,2}[.)-]|[a-e]\))?\s*(?:,\s*)?(?:et\s+)?(?:(?:le|la|les|l')\s*)?"
)
# A convention recalled, not announced: "la convention signée en 2021 … a permis".
RETROSPECT = re.compile(
    r"\b(?:signee?s?|conclue?s?|approuvee?s?)\s+(?:en|depuis|il y a)\s+(?:\d|l'an)"
    r"|\b(?:a|avait|avaient|ont) (?:deja )?permis\b"
)
SIGNAL = re.compile(
    r"\bsigne(?:e|s|es)?\b|\bsignature\b|\bconclue?s?\b|\bapprouvee?s?\b|\badoptee?s?\b"
    r"|\bparaphee?s?\b|\bscellee?s?\b|\bratifiee?s?\b|\bfai(?:t|saient) l'objet\b"
    r"|\bfont l'objet\b|\bse tradui(?:t|sent|ra)\b|\bprojet de convention\b|\bvient d'etre\b"
    r"|\bont procede\b|\ba procede\b|\bl'objet d'une?\b"
)
FRAME = re.compile(
    r"\b(?:dans le cadre|en application|en vertu|au titre)\s+"
    r"(?:de la\s+|du\s+|de l'\s*|des\s+|de\s+)"
    rf"{NOUN}"
    r"|\bconformement (?:a la|au|a l')\s*"
    + NOUN
    # A convention's preamble: "Vu la convention-cadre signée le …", another convention.
    + r"|\b(?:vu|considerant)\s+(?:la|le|les|l')\s*"
    + NOUN
)
NEGATIVE = re.compile(
    r"\bn'(?:ayant|ont|a|avait|avaient)\s+(?:jamais\s+|pas\s+|encore\s+)*(?:beneficie|ete)\b"
    r"|\baucune?\b"
)
# Words that bring partners in wherever they are said…
STRONG_TRIGGER = re.compile(
    r"\bpartenariat entre\b|\bde concert avec\b|\ben partenariat avec\b|\ben collaboration avec\b"
    r"|\ben association avec\b|\bavec le concours d(?:e|u|es)?\b|\bavec l'appui d(?:e|u|es)?\b"
    r"|\bavec le soutien d(?:e|u|es)?\b|\bavec la participation d(?:e|u|es)?\b"
)
# …and words that do only in a sentence about the convention or the partnership.
LIST_TRIGGER = re.compile(
    r"\bconclue?s? entre\b|\bsignee?s? entre\b|\bentre\b|\bsignee?s? par\b|\bconclue?s? par\b"
    r"|\bconclue?s? avec\b|\bsignee?s? avec\b|\bliant\b|\bpartenaires? :"
)
# "X de concert avec Y", "X signe avec Y": partners on both sides of a trigger with "avec".
SYMMETRIC = re.compile(r"avec")
# A bare "avec" brings partners only in the sentence that announces the convention.
WITH_TRIGGER = re.compile(r"\bavec\b")
FUNDING_TRIGGER = re.compile(
    r"\b(?:co)?financee?s? (?:conjointement |a parts egales |notamment |principalement )?par\b"
    r"|\bavec (?:le|un) financement d(?:e|u|es)?\b|\bcontributions? d(?:e|u|es)?\b"
)
COMMIT = re.compile(
    r"\s*(?:,[^,]{0,40},\s*)?(?:s'engage(?:nt)?|se charg(?:e|ent|era)|contribu(?:e|ent|era)"
    r"|apport(?:e|ent|era)|assur(?:e|ent|era)|mobilis(?:e|ent|era)|financ(?:e|ent|era)"
    r"|prend(?:ra)? en charge|met(?:tra)? a (?:la )?disposition|a pour (?:mission|role)"
    r"|ont pour mission|(?:est|sera) chargee?|particip(?:e|ent|era)|octroi(?:e|era)"
    r"|accord(?:e|era)|allou(?:e|era)|fourni(?:t|ra)|veill(?:e|era)|s'occupe(?:ra)?"
    r"|debloqu(?:e|era)|vers(?:e|era)|va (?:acquerir|mobiliser|financer|contribuer|apporter"
    r"|assurer|mettre)|(?:a|ont) (?:\w+ment )?(?:signe|conclu|approuve|paraphe))\b"
)
# A partner that pledges (not one that signs or approves): the subject of an amount.
PLEDGE = re.compile(
    r"\s*(?:,[^,]{0,40},\s*)?(?:s'engage(?:nt)?|contribu(?:e|ent|era)|apport(?:e|ent|era)"
    r"|mobilis(?:e|ent|era)|financ(?:e|ent|era)|prend(?:ra)? en charge|particip(?:e|ent|era)"
    r"|octroi(?:e|era)|accord(?:e|era)|allou(?:e|era)|debloqu(?:e|era)|vers(?:e|era)"
    r"|va (?:mobiliser|financer|contribuer|apporter))\b"
)
TOTAL = re.compile(r"\s*(?:\([^)]*\))?\s*,?\s*dont\b")
GAP_CONNECTOR = re.compile(
    r"^\s*(?:(?:et|ainsi que|ainsi qu'|ou)\s*)?(?:(?:le|la|les|l'|du|de la|des|de l'|de|d'|au|aux)"
    r"\s*)?$"
)
# "les autorités locales, les élus…" between two partners of a list; "de Taza" after one.
GAP_PARTICIPANT = re.compile(
    r"^\s*(?:les|la|le|l'|des|ses|son|sa|leurs?)\s*[\w' -]{2,40}$"
    r"|^\s*(?:de|du|d')\s*[\w'-]+(?:[\s-][\w'-]+)?\s*$"
)
GAP_STOP = re.compile(
    r"\b(?:que|qui|dont|pour|afin|visant|vise|a|ont|est|sont|sera|va|vont|se|s'|n'|ne|dans|sur"
    r"|en|selon|apres|avant)\b"
)
ROLE_WORDS = {
    "funder": re.compile(
        r"financ|enveloppe|soutien financier|ressources financieres|contribution financiere"
        r"|budget|\bmdh\b|dirhams|\bdh\b"
    ),
    "trainer": re.compile(r"formation|\bformer\b|encadrement|accompagnement|accompagner|coaching"),
    "host": re.compile(r"mise en place des espaces|accueillir|\blocaux\b|\bespaces\b|heberg"),
    "implementer": re.compile(r"mise en oeuvre|mettre en oeuvre|\bexecut"),
}
ENVELOPE_CUE = re.compile(
    r"enveloppe|budget|cout (?:global|total)|montant (?:global|total)"
    r"|d'un (?:montant|cout|budget|investissement)|dotation|investissement (?:global|total)"
    r"|somme globale|financement global|pour un (?:montant|cout)|d'une valeur|portant sur"
    rf"|{NOUN}(?: de [a-z]+)? (?:de |d')$"  # "une convention de financement de 3 M€"
)
AMOUNT_TO = re.compile(
    r"^\s*[(,:]?\s*(?:apportee?s? |financee?s? |versee?s? |mobilisee?s? |accordee?s? )?"
    r"(?:par|de la part d(?:e|u|es)?|du|de la|de l'|des|pour|a la charge d(?:e|u|es)?)\s*"
    r"(?:le |la |l'|les )?$"
)
AMOUNT_FROM = re.compile(
    r"^\s*[(:,]?\s*(?:(?P<verb>contribue(?:ra)?|participe(?:ra)?|apporte(?:ra)?|versera|mobilisera"
    r"|allouera|accorde(?:ra)?|s'engage a (?:verser|mobiliser|apporter))\s+)?"
    r"(?:a hauteur de|pour|avec|de|d'un montant de|:)?\s*(?:une (?:enveloppe|contribution|somme"
    r"|dotation)(?: budgetaire| financiere)? (?:de |d'))?$"
)
# Without a verb, "X, d'un montant de 8 MDH" after a partner is the convention's amount.
CONVENTION_AMOUNT = re.compile(r"d'un montant|enveloppe|somme|dotation|budget|cout")
PURPOSE = re.compile(
    rf"(?P<head>(?P<noun>(?:projet de )?{NOUN})(?:\s+de\s+partenariat)?)(?:\s*\([^)]*\))?"
    r"\s*,?\s*(?:d'(?:un|une) (?:montant|enveloppe|cout|budget)[^;]{3,60}?\s*,?\s*)?"
    r"(?:qui\s+)?(?P<link>destinee?s?\s+a|visant\s+a|vise\s+a|relative?s?\s+a|portant\s+sur"
    r"|en faveur d(?:e|u|es)|ayant pour objet|a pour objet|pour (?!la periode|une duree"
    r"|une periode|un montant|un cout))\s*(?P<p>[^.;]{10,600})"
)
# "La convention vise à …": the objectives, but "Convention vise à …" is no title.
VERB_LINK = re.compile(r"vise\s+a|a pour objet")
AIM = re.compile(
    r"\b(?:vise (?:egalement |notamment )?a|a pour objectifs? (?:de|d')|ambitionne de"
    r"|a pour objet (?:de|d'))\s*(?P<p>[^.;]{10,600})"
)
PURPOSE_END = re.compile(
    r",\s+(?:a ete|ont|sera|seront|est|sont|vise|qui)\b|\s+a ete\b|\s+et dans le cadre\b"
    r"|\s+dans le cadre\b"
)
COMMITTEE = re.compile(
    r"\bcomite (?:de suivi|de pilotage|technique|directeur|mixte|de coordination|de gestion"
    r"|regional de suivi)\b|\bcomite\b"
)
CHAIR = re.compile(
    r"\b(?:presidee?s?|copresidee?s?) par\s+(?:le |la |l'|les )?(?P<chair>[^,.;()]{3,80}?)"
    r"(?=\s+et\s|\s+avec\s|,|\.|;|$)"
    r"|\bsous la presidence d(?:u|e la|e l'|e)\s*(?P<chair2>[^,.;()]{3,80}?)(?=\s+et\s|,|\.|;|$)"
)
MANDATE = re.compile(
    r"\b(?:sera|est|seront|sont) chargee?s? (?:de la |de l'|des |du |de |d')(?P<m>[^.;]{5,400})"
)
TARGET_QUALIFIER = re.compile(
    r"(?:plus de|pas moins de|au moins|pres de|pres d'|environ|quelque|jusqu'a|un total de"
    r"|au total|au profit de|a)\s*$"
)
AGES = re.compile(
    r"\s*,?\s*(?:ages?|agees?)\s+(?:de|entre)\s+(?P<a>\d{1,2})\s+(?:a|et)\s+(?P<b>\d{1,2})\s+ans"
)
PERCENT = re.compile(r"(?P<n>\d{1,3}(?:,\d+)?)\s?%\s+(?:de |des |d')?(?P<who>femmes|jeunes)")
UNIT = re.compile(
    r"\s+(?:de\s+|d')?(?:"
    + "|".join(f"(?P<u{i}>{p})" for i, (p, _k) in enumerate(TARGET_UNITS))
    + r")\b"
)
GENERIC_TITLE = re.compile(rf"(?:projet de )?{NOUN}(?: de partenariat)?|contrat-programme")
HEADLINE_JUNK = re.compile(r"^\s*(?:date\b|le \d|\d|www\.|source\b|par\s)", re.IGNORECASE)
