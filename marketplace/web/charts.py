"""Charts drawn on the server with pygal and embedded in the page as SVG.

The site's Content-Security-Policy forbids inline script and style, so pygal's interactive
script and its embedded ``<style>`` are left out and the chart is dressed by ``site.css``
(the block "Charts"); each bar keeps pygal's ``<desc>`` of its label and value, so a reader
of the page (and a test) finds every figure by its label. The SVG is drawn 360 units wide, the
width of a phone's column, so its 13-unit text never shrinks below 12 px there.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pygal
from flask_babel import get_locale
from markupsafe import Markup
from pygal.style import Style

from marketplace.web.infra.filters import yuan

WIDTH = 360
FONT = 13  # user units; site.css sets the same sizes
COLOURS = ("#b71c1c", "#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037",
           "#37474f")
STYLE = Style(
    font_family='system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif',
    label_font_size=FONT, major_label_font_size=FONT, value_font_size=FONT,
    legend_font_size=FONT, title_font_size=FONT + 2, tooltip_font_size=FONT,
    no_data_font_size=FONT, colors=COLOURS, background="transparent",
    plot_background="transparent")
SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Chart:
    """A chart ready for ``_chart.html``: its SVG, or none and what would fill it."""

    title: str
    svg: Markup | None  # None: no figure to draw yet
    empty: str  # shown instead of the chart: what data would fill it


Value = int | None


def _yuan_axis(fen: float) -> str:
    """Axis ticks in yuan (the unit is in the axis title), short enough for a phone's axis:
    from 10,000 yuan on, in 万 (ten thousands) in Chinese and in thousands (k) in English."""
    yuan_ = fen / 100
    if abs(yuan_) < 10_000:
        return f"{yuan_:,.0f}"
    if str(get_locale()) == "en":
        return f"{yuan_ / 1000:,.0f}k"
    return f"{yuan_ / 10_000:,.4g}万"


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _ticks(top: float, low: float = 0, steps: int = 4) -> list[int]:
    """Round ticks from ``low`` (or 0) past ``top``: steps of 1, 2 or 5 times a power of ten,
    about ``steps`` of them (pygal's own steps split a count of 1 into tenths)."""
    low = min(low, 0)
    rough = max((top - low) / steps, 1)
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    first, last = math.floor(low / step) * step, math.ceil(top / step) * step
    return list(range(int(first), int(last) + 1, int(step)))


def _width(text: str) -> float:
    """Roughly how wide a label is drawn: a Chinese character takes a whole em, a Latin
    letter or digit about 0.6 (pygal counts every character as the latter)."""
    return sum(FONT if ord(ch) > 0x2E80 else FONT * 0.6 for ch in text)


def _wider_than_pygal_counts(text: str) -> float:
    """What pygal leaves out when it makes room for a label: 0.4 em per Chinese character."""
    return sum(FONT * 0.4 for ch in text if ord(ch) > 0x2E80)


def _fitting_ticks(top: float, room: float, text: Callable[[float], str]) -> list[int]:
    """Ticks whose labels fit side by side in ``room`` units: fewer, wider steps on a phone's
    narrow plot ("0 200k400k600k" ran together in English)."""
    for steps in (4, 3, 2, 1):
        ticks = _ticks(top, steps=steps)
        if len(ticks) * (max(_width(text(t)) for t in ticks) + FONT) <= room:
            return ticks
    return ticks


def _fit(label: str, room: float = 150) -> str:
    """A bar's label cut to ``room`` units with "…" (the table beside the chart has it whole):
    a phone's chart keeps room for its bars, and pygal loops forever on a title it cannot fit."""
    if _width(label) <= room:
        return label
    while label and _width(label + "…") > room:
        label = label[:-1]
    return label + "…"


def _embeddable(chart: pygal.graph.graph.Graph, title: str) -> Markup:
    """The chart's SVG without script, style element or style attribute (the CSP forbids
    them), titled for screen readers."""
    # parsed again with the standard library, whichever XML library pygal drew with
    # (the parser drops pygal's comments)
    root = ET.fromstring(chart.render(is_unicode=True))
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == f"{SVG}defs" or "tooltip-overlay" in child.get("class", "").split():
                parent.remove(child)
    for element in root.iter():
        element.attrib.pop("style", None)
        if element.get("id") == "":
            del element.attrib["id"]
        if element.tag == f"{SVG}title" and element.text == "Pygal":
            element.text = title
    root.set("role", "img")
    root.set("aria-label", title)
    ET.register_namespace("", SVG[1:-1])
    return Markup(ET.tostring(root, encoding="unicode"))


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Value]]], *,
         empty: str, money: bool = False, unit: str = "") -> Chart:
    """Horizontal bars, one row per label (read top to bottom) and one bar per series; money
    is given in fen and shown in yuan. No row with a figure above zero: the empty state."""
    series = [(name, values) for name, values in series if any(v is not None for v in values)]
    if not labels or not any(v for _, values in series for v in values if v):
        return Chart(title, None, empty)
    rows = len(labels) * len(series)
    value_text: Callable[[float], str] = (lambda v: yuan(int(v))) if money else _count
    top = max(v for _, values in series for v in values if v)
    longest_value = max(_width(value_text(v)) for _, values in series for v in values if v)
    axis_text: Callable[[float], str] = _yuan_axis if money else _count
    longest_label = max(_width(_fit(label)) for label in labels)
    plot = WIDTH - 16 - longest_label - min(longest_value, 100)  # what the bars have
    chart = pygal.HorizontalBar(
        style=STYLE, width=WIDTH, height=70 + rows * 24 + 22 * len(series),
        margin_left=8 + max(_wider_than_pygal_counts(_fit(label)) for label in labels),
        margin_right=8 + min(longest_value, 100),
        y_labels=_fitting_ticks(top, plot, axis_text),
        js=[], css=[], no_prefix=True, disable_xml_declaration=True, legend_at_bottom=True,
        legend_at_bottom_columns=1, show_legend=True, print_values=True,
        print_values_position="top", truncate_label=-1, truncate_legend=-1,
        x_title=unit or None, show_y_guides=False, margin=8, spacing=6,
        value_formatter=axis_text)
    chart.x_labels = [_fit(label) for label in reversed(labels)]
    for name, values in series:
        chart.add(name, list(reversed(list(values))), formatter=value_text)
    return Chart(title, _embeddable(chart, title), empty)


def lines(title: str, x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], *,
          empty: str, unit: str) -> Chart:
    """Money over time, one line per series that moved (fen, shown in yuan)."""
    moved = [(name, values) for name, values in series if any(values)]
    if not x_labels or not moved:
        return Chart(title, None, empty)
    chart = pygal.Line(
        style=STYLE, width=WIDTH, height=260 + 22 * len(moved), js=[], css=[],
        no_prefix=True, disable_xml_declaration=True, legend_at_bottom=True,
        legend_at_bottom_columns=1, truncate_label=-1, truncate_legend=-1,
        y_title=unit, margin=8, margin_right=32, value_formatter=_yuan_axis,
        y_labels=_ticks(max(v for _, values in moved for v in values),
                        min(v for _, values in moved for v in values)),
        show_minor_x_labels=len(x_labels) <= 4, x_labels_major_every=max(len(x_labels) // 3, 1))
    chart.x_labels = list(x_labels)
    for name, values in moved:
        chart.add(name, list(values), formatter=lambda v: yuan(int(v)))
    return Chart(title, _embeddable(chart, title), empty)
