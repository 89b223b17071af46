"""Server-rendered SVG figures: a choropleth map of the provinces and a horizontal bar chart.

The SVG is inline, self-contained and strict-CSP-safe: every colour and size is a presentation
attribute (no ``style`` attribute, no ``<style>``, no ``<script>``, no external reference), so
the same markup shows in a page and in a PDF (WeasyPrint renders inline SVG). Every text is
escaped. The root has ``role="img"``, an ``aria-label`` and a ``<title>``; each province and
each bar has a ``<title>`` with its name and value (a tooltip, read by screen readers).

The outlines are ``data/province_shapes.json`` (ODbL-1.0, see ``data/SOURCES.md``): one path
per HCP province in a plane in kilometres, y downwards. The eight prefectures of arrondissements
of Casablanca have no outline of their own; Casablanca's is under ``06.141``. A page or a PDF
showing a map must carry ``attribution()``.

Arabic in PDFs: WeasyPrint (70 here) draws SVG text one code point at a time, without Arabic
shaping or bidi reordering (Kozea/WeasyPrint#2909), so an Arabic text *inside* the SVG comes out
as separate letters in mirrored order in the PDF, while browsers render it correctly. Numbers
and Latin text are fine. For an Arabic PDF, pass ``heading=False`` and set the title in the
HTML around the figure, which WeasyPrint shapes correctly.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeGuard
from xml.sax.saxutils import escape, quoteattr

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils import formats
from django.utils.translation import get_language_bidi, gettext, ngettext

Number = Decimal | int | float
Formatter = Callable[[Number], str]

SHAPES = Path(__file__).resolve().parent / "data" / "province_shapes.json"
FONT = "DejaVu Sans, sans-serif"  # DejaVu has Arabic glyphs; it is the PDF machine's font
TEXT = "#1a1a1a"
MUTED = "#555555"
NO_DATA = "#d9d9d9"  # a plain light grey, distinct from the palest class
PROVINCE_STROKE = "#707070"
REGION_STROKE = "#262626"
BAR = "#2c7fb8"
# ColorBrewer "YlGnBu" (Cynthia Brewer, Apache-2.0): sequential, one hue family, safe for the
# colour-blind and in greyscale print. One palette per number of classes.
YLGNBU: dict[int, tuple[str, ...]] = {
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
}
MAX_CLASSES = max(YLGNBU)

# Layout, in nominal pixels (the figure scales to its container: width="100%").
PAD = 10
HEADING_SIZE = 16
TEXT_SIZE = 12
LABEL_SIZE = 11
MAP_PX = 560  # the longer side of the map
LEGEND_BOX = (18, 13)
LEGEND_ROW = 20
CHAR_WIDTH = 0.6  # DejaVu Sans' mean advance, in em: to estimate a text's width
BAR_WIDTH_PX = 640
BAR_ROW = 22
BAR_HEIGHT = 14
BAR_LABEL_MAX = 220


@dataclass(frozen=True)
class ProvinceShape:
    """The outline of one HCP province in the map's plane (km, y downwards)."""

    code: str
    region: str
    iso: str
    path: str
    bbox: tuple[float, float, float, float]
    label_point: tuple[float, float]


@dataclass(frozen=True)
class Shapes:
    provinces: Mapping[str, ProvinceShape]
    region_borders: str  # the lines between two regions, to stroke on the national map
    source: str
    licence: str


@functools.cache
def province_shapes() -> Shapes:
    """The outlines, read once per process from the package data."""
    data = json.loads(SHAPES.read_text(encoding="utf-8"))
    provinces = {
        code: ProvinceShape(
            code=code,
            region=shape["region"],
            iso=shape["iso"],
            path=shape["path"],
            bbox=(shape["bbox"][0], shape["bbox"][1], shape["bbox"][2], shape["bbox"][3]),
            label_point=(shape["label_point"][0], shape["label_point"][1]),
        )
        for code, shape in data["provinces"].items()
    }
    return Shapes(provinces, data["region_borders"], data["source"], data["licence"])


# --- numbers and text ----------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate or a size for an attribute: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def default_format(value: Number) -> str:
    """The value in the active language's number format, grouped by thousands: no decimals for
    a whole number, else one (two under 10)."""
    if value == int(value):
        decimals = 0
    elif abs(float(value)) >= 10:
        decimals = 1
    else:
        decimals = 2
    return str(formats.number_format(value, decimals, use_l10n=True, force_grouping=True))


def _text_width(text: str, size: float) -> float:
    """An estimate, enough to leave room for a text and to decide whether it fits."""
    return len(text) * size * CHAR_WIDTH


def _truncate(text: str, width: float, size: float) -> str:
    fits = max(1, int(width / (size * CHAR_WIDTH)))
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float,
    anchor: str = "start",
    rtl: bool = False,
    **attrs: str,
) -> str:
    """A ``<text>`` element. ``anchor`` is logical: "start" is where reading starts, the right
    end of a right-to-left text. ``rtl`` sets ``direction="rtl"``, the base direction of the
    bidi algorithm, so that an Arabic text holding Latin words or numbers reads in the right
    order; the characters themselves are never reordered here."""
    extra = "".join(
        f" {name.replace('_', '-')}={quoteattr(value)}" for name, value in attrs.items()
    )
    if rtl:
        extra += ' direction="rtl"'
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}"'
        f"{extra}>{escape(content)}</text>"
    )


def _is_number(value: object) -> TypeGuard[Number]:
    """A number to colour: not None, not a boolean, not NaN."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        return False
    return value == value  # NaN is the one value unequal to itself


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of a ``#rrggbb`` colour."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --- classes -------------------------------------------------------------------------------


def class_breaks(values: Iterable[Number], classes: int) -> list[Number]:
    """The lower bounds of the classes 2…n: quantiles, so that each class holds about as many
    provinces (counts by province are skewed: equal intervals would leave most of them in the
    palest class). A bound is always a value of the data, so that no class is empty; tied values
    share a class, hence fewer classes when there are fewer distinct values."""
    ordered = sorted(values)
    if not ordered:
        return []
    count = min(classes, len(set(ordered)))
    bounds: list[Number] = []
    previous = ordered[0]
    for i in range(1, count):
        bound = ordered[i * len(ordered) // count]
        if bound <= previous:  # a tie across the quantile: the next distinct value
            bound = next((v for v in ordered if v > previous), previous)
            if bound <= previous:
                break
        bounds.append(bound)
        previous = bound
    return bounds


def class_of(value: Number, bounds: Sequence[Number]) -> int:
    """0 for the lowest class; the highest value is always in the last class."""
    return sum(1 for bound in bounds if value >= bound)


def palette(count: int) -> tuple[str, ...]:
    """``count`` colours from pale to dark (one or two: the dark end of the 3-class palette)."""
    if count >= 3:
        return YLGNBU[count]
    return YLGNBU[3][3 - count :]


# --- labels --------------------------------------------------------------------------------


def province_labels(codes: Iterable[str]) -> dict[str, str]:
    """Code → ``Province.label`` in the active language, or nothing when the database cannot be
    reached (a script without one; a test that does not ask for it)."""
    codes = list(codes)
    try:
        from essor.territory.models import Province

        rows = Province.objects.filter(code__in=codes).only("code", "name_fr", "name_ar")
        return {p.code: p.label for p in rows}
    except (DatabaseError, ImproperlyConfigured, RuntimeError):
        # pytest-django refuses the database with a RuntimeError outside `django_db` tests.
        return {}


# --- choropleth ----------------------------------------------------------------------------


def choropleth_svg(
    values: Mapping[str, Number | None],
    *,
    region_code: str | None = None,
    title: str,
    unit: str = "",
    classes: int = 5,
    formatter: Formatter | None = None,
    labels: Mapping[str, str] | None = None,
    rtl: bool | None = None,
    heading: bool = True,
) -> str:
    """A map of the provinces coloured by ``values`` (HCP province code → number; ``None`` or
    missing = no data, in grey).

    ``region_code`` shows only that region's provinces, fitted to the frame, with each value
    written on its province where it fits; ``None`` shows the country with the region borders.
    The classes are quantiles of the non-null values of the provinces shown (see
    ``class_breaks``), coloured with ColorBrewer's YlGnBu; the legend gives each class the
    range of the values it holds. ``unit`` heads the legend and follows the values in the
    tooltips. Names come from ``labels``, else the database (``Province.label``), else the
    code. ``rtl`` (by default, the active language's direction) mirrors the texts and puts the
    legend of a region on the left. ``heading=False`` leaves out the visible title, for a page
    that already shows it (the SVG keeps its ``<title>`` and ``aria-label``). Values of codes
    without an outline are ignored.
    """
    if not 1 <= classes <= MAX_CLASSES:
        raise ValueError(f"classes must be between 1 and {MAX_CLASSES}, not {classes}")
    rtl = get_language_bidi() if rtl is None else rtl
    fmt = formatter or default_format
    shapes = province_shapes()
    shown = [s for _, s in sorted(shapes.provinces.items()) if region_code in (None, s.region)]
    if not shown:
        raise ValueError(f"no province outline for region {region_code!r}")
    names = dict(labels) if labels is not None else province_labels(s.code for s in shown)

    numbers: dict[str, Number] = {}
    for s in shown:
        value = values.get(s.code)
        if _is_number(value):
            numbers[s.code] = value
    bounds = class_breaks(numbers.values(), classes)
    colours = palette(len(bounds) + 1)
    legend = _legend_rows(numbers, bounds, colours, fmt, no_data=len(numbers) < len(shown))

    # The frame, in the plane's units (km): k of them per nominal pixel.
    left = min(s.bbox[0] for s in shown)
    top = min(s.bbox[1] for s in shown)
    width = max(s.bbox[2] for s in shown) - left
    height = max(s.bbox[3] for s in shown) - top
    k = max(width, height) / MAP_PX
    legend_w = k * max(
        [80.0, _text_width(unit, TEXT_SIZE)]
        + [LEGEND_BOX[0] + 6 + _text_width(text, TEXT_SIZE) for _, text in legend]
    )
    legend_h = k * LEGEND_ROW * (len(legend) + (1 if unit else 0))
    if region_code is None:
        # The country's south-east corner, Algeria and Mauritania, is empty: the legend goes
        # there and the map keeps its full width.
        legend_x, legend_y = left + width - legend_w, top + height - legend_h
    else:
        gap = 16 * k
        legend_x = left - gap - legend_w if rtl else left + width + gap
        legend_y = top
    frame_left = min(left, legend_x) - PAD * k
    frame_right = max(left + width, legend_x + legend_w) + PAD * k
    frame_w = frame_right - frame_left
    heading_size = min(HEADING_SIZE, (frame_w / k - 2 * PAD) / max(1, len(title) * CHAR_WIDTH))
    heading_h = (2 * HEADING_SIZE if heading else 0) * k
    frame_top = top - PAD * k - heading_h
    frame_h = max(top + height, legend_y + legend_h) + PAD * k - frame_top
    view = " ".join(_n(v) for v in (frame_left, frame_top, frame_w, frame_h))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view}" width="100%" role="img"'
        f" aria-label={quoteattr(title)} font-family={quoteattr(FONT)} fill={quoteattr(TEXT)}>",
        f"<title>{escape(title)}</title>",
    ]
    if heading:
        x = frame_right - PAD * k if rtl else frame_left + PAD * k
        y = frame_top + (PAD + heading_size) * k
        out.append(
            _text(
                x, y, title, size=heading_size * k, rtl=rtl, font_weight="bold", aria_hidden="true"
            )
        )

    stroke = _n(0.5 * k)
    out.append(f'<g stroke="{PROVINCE_STROKE}" stroke-width="{stroke}" stroke-linejoin="round">')
    for s in shown:
        name = names.get(s.code) or s.code
        value = numbers.get(s.code)
        if value is None:
            fill, shown_value = NO_DATA, gettext("no data")
        else:
            fill = colours[class_of(value, bounds)]
            shown_value = fmt(value) + (f" {unit}" if unit else "")
        tooltip = gettext("%(name)s: %(value)s") % {"name": name, "value": shown_value}
        out.append(
            f'<path d="{s.path}" fill="{fill}" fill-rule="evenodd" data-code={quoteattr(s.code)}>'
            f"<title>{escape(tooltip)}</title></path>"
        )
    out.append("</g>")
    if region_code is None:
        out.append(
            f'<path d="{shapes.region_borders}" fill="none" stroke="{REGION_STROKE}"'
            f' stroke-width="{_n(1.1 * k)}" stroke-linejoin="round" stroke-linecap="round"/>'
        )
    else:
        out.append(_value_labels(shown, numbers, bounds, colours, fmt, k))

    # The legend: a box per class, its range beside it (mirrored in RTL).
    out.append('<g aria-hidden="true">')
    start = legend_x + legend_w if rtl else legend_x
    y = legend_y
    if unit:
        out.append(_text(start, y + TEXT_SIZE * k, unit, size=TEXT_SIZE * k, rtl=rtl, fill=MUTED))
        y += LEGEND_ROW * k
    box_w, box_h = LEGEND_BOX[0] * k, LEGEND_BOX[1] * k
    for colour, text in legend:
        box_x = start - box_w if rtl else start
        out.append(
            f'<rect x="{_n(box_x)}" y="{_n(y)}" width="{_n(box_w)}" height="{_n(box_h)}"'
            f' fill="{colour}" stroke="{PROVINCE_STROKE}" stroke-width="{stroke}"/>'
        )
        text_x = box_x - 6 * k if rtl else box_x + box_w + 6 * k
        out.append(_text(text_x, y + box_h - 2 * k, text, size=TEXT_SIZE * k, rtl=rtl))
        y += LEGEND_ROW * k
    out.append("</g></svg>")
    return "".join(out)


def _legend_rows(
    numbers: Mapping[str, Number],
    bounds: Sequence[Number],
    colours: Sequence[str],
    fmt: Formatter,
    *,
    no_data: bool,
) -> list[tuple[str, str]]:
    """(colour, "lowest – highest value of the class") per class, then the no-data box."""
    members: dict[int, list[Number]] = {}
    for value in numbers.values():
        members.setdefault(class_of(value, bounds), []).append(value)
    rows = []
    for index in sorted(members):
        low, high = min(members[index]), max(members[index])
        text = fmt(low) if low == high else f"{fmt(low)} – {fmt(high)}"
        rows.append((colours[index], text))
    if no_data:
        rows.append((NO_DATA, gettext("no data")))
    return rows


def _value_labels(
    shown: Sequence[ProvinceShape],
    numbers: Mapping[str, Number],
    bounds: Sequence[Number],
    colours: Sequence[str],
    fmt: Formatter,
    k: float,
) -> str:
    """Each value written at its province's label point, when the text fits in the province's
    box; dark text on pale classes, white on dark ones (contrast without a halo)."""
    out = ['<g aria-hidden="true" font-weight="bold">']
    for s in shown:
        value = numbers.get(s.code)
        if value is None:
            continue
        text = fmt(value)
        box_w = (s.bbox[2] - s.bbox[0]) / k
        box_h = (s.bbox[3] - s.bbox[1]) / k
        if _text_width(text, LABEL_SIZE) > 0.8 * box_w or box_h < 2 * LABEL_SIZE:
            continue
        fill = colours[class_of(value, bounds)]
        ink = "#ffffff" if _luminance(fill) < 0.3 else TEXT
        x, y = s.label_point
        size = LABEL_SIZE * k
        out.append(_text(x, y + 0.35 * size, text, size=size, anchor="middle", fill=ink))
    out.append("</g>")
    return "".join(out)


# --- bar chart -----------------------------------------------------------------------------


def bar_chart_svg(
    rows: Sequence[tuple[str, Number]],
    *,
    title: str,
    formatter: Formatter | None = None,
    max_bars: int = 20,
    rtl: bool = False,
    heading: bool = True,
) -> str:
    """A horizontal bar chart: one row per (label, value), in the given order, with the label,
    the bar and the value side by side; rows past ``max_bars`` are left out and counted in a
    note. Bars start at zero (a negative value grows the other way).

    ``rtl`` mirrors the layout for Arabic: every x is reflected (labels on the right, bars
    growing leftwards) and the texts get ``direction="rtl"``, so that a label mixing Arabic and
    Latin reads in the right order. ``heading=False`` leaves out the visible title.
    """
    fmt = formatter or default_format
    kept = list(rows[:max_bars])
    hidden = len(rows) - len(kept)
    width = BAR_WIDTH_PX
    formatted = [fmt(value) for _, value in kept]
    label_w = min(BAR_LABEL_MAX, max([40.0] + [_text_width(t, TEXT_SIZE) for t, _ in kept]))
    value_w = max([20.0] + [_text_width(text, TEXT_SIZE) for text in formatted])
    bar_left = PAD + label_w + 8
    bar_right = width - PAD - value_w - 6
    low = min([0.0] + [float(v) for _, v in kept])
    high = max([0.0] + [float(v) for _, v in kept])
    span = (high - low) or 1.0

    def position(value: Number) -> float:
        """x of a value, left to right; ``mirrored`` reflects it for RTL."""
        return bar_left + (float(value) - low) / span * (bar_right - bar_left)

    def mirrored(x: float) -> float:
        return width - x if rtl else x

    heading_size = min(HEADING_SIZE, (width - 2 * PAD) / max(1, len(title) * CHAR_WIDTH))
    y = PAD + (2 * HEADING_SIZE if heading else 0)
    height = y + max(1, len(kept)) * BAR_ROW + (LEGEND_ROW if hidden else 0) + PAD
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {_n(height)}"'
        f' width="100%" role="img" aria-label={quoteattr(title)} font-family={quoteattr(FONT)}'
        f" fill={quoteattr(TEXT)}>",
        f"<title>{escape(title)}</title>",
    ]
    if heading:
        out.append(
            _text(
                mirrored(PAD),
                PAD + heading_size,
                title,
                size=heading_size,
                rtl=rtl,
                font_weight="bold",
                aria_hidden="true",
            )
        )
    if not kept:
        out.append(_text(mirrored(PAD), y + TEXT_SIZE, gettext("no data"), size=TEXT_SIZE, rtl=rtl))
    zero = position(0)
    for (label, value), text in zip(kept, formatted, strict=True):
        tooltip = gettext("%(name)s: %(value)s") % {"name": label, "value": text}
        end = position(value)
        x0, x1 = min(zero, end), max(zero, end)
        baseline = y + BAR_ROW / 2 + TEXT_SIZE * 0.35
        value_x = end + 4 if value >= 0 else zero + 4
        short = _truncate(label, label_w, TEXT_SIZE)
        out.append(
            f"<g><title>{escape(tooltip)}</title>"
            + _text(mirrored(PAD + label_w), baseline, short, size=TEXT_SIZE, anchor="end", rtl=rtl)
            + f'<rect x="{_n(width - x1 if rtl else x0)}" y="{_n(y + (BAR_ROW - BAR_HEIGHT) / 2)}"'
            f' width="{_n(x1 - x0)}" height="{BAR_HEIGHT}" fill="{BAR}"/>'
            + _text(mirrored(value_x), baseline, text, size=TEXT_SIZE, rtl=rtl)
            + "</g>"
        )
        y += BAR_ROW
    if hidden:
        note = ngettext("%(count)s more row not shown", "%(count)s more rows not shown", hidden)
        out.append(
            _text(
                mirrored(PAD),
                y + TEXT_SIZE + 4,
                note % {"count": hidden},
                size=TEXT_SIZE,
                rtl=rtl,
                fill=MUTED,
            )
        )
    out.append("</svg>")
    return "".join(out)


def attribution() -> str:
    """The credit a page or a PDF showing a map must carry: the outlines are ODbL data, and a
    map drawn from them is a "produced work" (ODbL §4.3)."""
    return gettext(
        "Contains information from morocco-map 1.3.0 (Saad Yousfi), which is made available "
        "under the Open Database License (ODbL)."
    )
