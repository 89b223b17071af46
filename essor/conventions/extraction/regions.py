"""Regions as texts name them: today's twelve (HCP codes of the 2015 division), the 1997-2015
names the press still uses (mapped to today's region, with a note), and their tags in acronyms
(``CCIS-TTA``). Names are matched on the folded text (see :func:`.text.fold`)."""

from __future__ import annotations

import re
from dataclasses import dataclass


def _flex(name: str) -> str:
    """A folded name as a pattern: hyphens and spaces interchangeable, apostrophe optional."""
    parts = re.split(r"[\s-]+", name)
    return r"[\s\-–]*".join(re.escape(p).replace("'", "'?") for p in parts)


# (code, folded name, confidence, note): an older name covers today's region in part or whole.
REGION_NAMES: list[tuple[str, str, float, str]] = [
    ("01", "tanger-tetouan-al hoceima", 0.9, ""),
    ("01", "tanger-tetouan-alhoceima", 0.9, ""),
    ("01", "tanger-tetouan", 0.75, "1997-2015 name"),
    ("02", "region de l'oriental", 0.9, ""),
    ("02", "region orientale", 0.9, ""),
    ("03", "fes-meknes", 0.9, ""),
    ("03", "fes-boulemane", 0.6, "1997-2015 name"),
    ("03", "meknes-tafilalet", 0.5, "1997-2015 name, now Fès-Meknès and Drâa-Tafilalet"),
    ("04", "rabat-sale-kenitra", 0.9, ""),
    ("04", "rabat-sale-zemmour-zaer", 0.7, "1997-2015 name"),
    ("04", "gharb-chrarda-beni hssen", 0.7, "1997-2015 name"),
    ("05", "beni mellal-khenifra", 0.9, ""),
    ("05", "tadla-azilal", 0.7, "1997-2015 name"),
    ("06", "casablanca-settat", 0.9, ""),
    ("06", "grand casablanca", 0.7, "1997-2015 name"),
    ("06", "chaouia-ouardigha", 0.6, "1997-2015 name"),
    ("07", "marrakech-safi", 0.9, ""),
    ("07", "marrakech-tensift-al haouz", 0.7, "1997-2015 name"),
    ("08", "draa-tafilalet", 0.9, ""),
    ("09", "souss-massa-draa", 0.6, "1997-2015 name, now Souss-Massa and Drâa-Tafilalet"),
    ("09", "sous-massa-draa", 0.6, "1997-2015 name, now Souss-Massa and Drâa-Tafilalet"),
    ("09", "souss-massa", 0.9, ""),
    ("10", "guelmim-oued noun", 0.9, ""),
    ("10", "guelmim-es semara", 0.6, "1997-2015 name, now Guelmim-Oued Noun and Laâyoune"),
    ("11", "laayoune-sakia el hamra", 0.9, ""),
    ("11", "laayoune-boujdour-sakia el hamra", 0.8, "1997-2015 name"),
    ("12", "dakhla-oued ed-dahab", 0.9, ""),
    ("12", "oued ed-dahab-lagouira", 0.7, "1997-2015 name"),
]
REGION_FOLDED = re.compile(
    r"(?<![\w])(?:"
    + "|".join(
        f"(?P<r{i}>{_flex(name)})"
        for i, (_c, name, _s, _n) in sorted(
            enumerate(REGION_NAMES), key=lambda item: -len(item[1][1])
        )
    )
    + r")(?![\w])"
)
# Written forms that need their capitals: "l'Oriental" (a region, not an adjective), "la région
# du Nord" (Tanger-Tétouan in the press), region acronyms.
REGION_RAW: list[tuple[str, re.Pattern[str], float, str]] = [
    ("02", re.compile(r"\bl'Oriental\b"), 0.85, ""),
    ("01", re.compile(r"\b[Rr][ée]gion du Nord\b"), 0.6, "“région du Nord” read as Tanger-Tétouan"),
    ("01", re.compile(r"(?<![\w-])TTA\b"), 0.85, ""),
    ("04", re.compile(r"(?<![\w-])RSK\b"), 0.85, ""),
    ("05", re.compile(r"(?<![\w-])BMK\b"), 0.85, ""),
]
# Region tags in acronyms such as CCIS-TTA.
REGION_TAGS = {
    "TTA": "01",
    "O": "02",
    "FM": "03",
    "RSK": "04",
    "BMK": "05",
    "CS": "06",
    "MS": "07",
    "DT": "08",
    "SM": "09",
    "GON": "10",
    "LSH": "11",
    "LSEH": "11",
    "DOED": "12",
}


@dataclass(frozen=True)
class RegionMatch:
    code: str
    start: int
    end: int
    confidence: float
    note: str


def find_regions(text: str, folded: str) -> list[RegionMatch]:
    found = []
    for match in REGION_FOLDED.finditer(folded):
        index = int(next(k for k, v in match.groupdict().items() if v)[1:])
        code, _name, confidence, note = REGION_NAMES[index]
        found.append(RegionMatch(code, match.start(), match.end(), confidence, note))
    for code, pattern, confidence, note in REGION_RAW:
        for match in pattern.finditer(text):
            if not any(f.start <= match.start() < f.end for f in found):
                found.append(RegionMatch(code, match.start(), match.end(), confidence, note))
    return sorted(found, key=lambda r: r.start)


# Today's regions by HCP code, as titles are written (the database holds the same names).
REGION_LABELS: dict[str, str] = {
    "01": "Tanger-Tétouan-Al Hoceima",
    "02": "Oriental",
    "03": "Fès-Meknès",
    "04": "Rabat-Salé-Kénitra",
    "05": "Béni Mellal-Khénifra",
    "06": "Casablanca-Settat",
    "07": "Marrakech-Safi",
    "08": "Drâa-Tafilalet",
    "09": "Souss-Massa",
    "10": "Guelmim-Oued Noun",
    "11": "Laâyoune-Sakia El Hamra",
    "12": "Dakhla-Oued Ed-Dahab",
}

# A region as partners' names write it: "Conseil de la région de l'Oriental".
REGION_IN_NAMES: dict[str, str] = {**REGION_LABELS, "02": "de l'Oriental"}
