"""Server-side SVG charts for the dashboard: no JavaScript, no CDN, no inline style.

Colours come from classes in static/css/reports.css (series-1, series-2, ...); geometry from
SVG presentation attributes. Every chart is an <svg role="img"> with a title and a description
listing the values, and each bar or point carries a <title> (the value on hover / for screen
readers), so no meaning rests on colour alone; the page shows the same figures as a table.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import format_date, get_locale
from markupsafe import Markup, escape

# A chart is drawn at about its viewBox width (one or two per row), so these sizes are close
# to CSS pixels: axis text 16, legend 16 (readable at arm's length without zooming).
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 72, 12, 36, 60
LABEL_PX = 16  # width of one CJK character at the axis font size (legend spacing)
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def yuan_axis(fen: int) -> str:
    """An axis tick in yuan, short: ¥8,000 / ¥12万 (zh) or ¥120k (en)."""
    yuan = fen // 100
    if yuan < 10000:
        return f"¥{yuan:,}"
    if str(get_locale() or "zh").startswith("zh"):
        return f"¥{yuan / 10000:g}万"
    return f"¥{yuan / 1000:g}k"


def _category_lines(categories: list[str]) -> list[tuple[str, str]]:
    """Axis labels as (line 1, line 2): months YYYY-MM become "1月" (Jan) with the year under the
    first month and under every January; other categories stay as they are."""
    out, year = [], None
    for cat in categories:
        m = PERIOD.match(cat)
        if not m:
            out.append((cat, ""))
            continue
        month = format_date(date(int(m.group(1)), int(m.group(2)), 1), "MMM")  # 1月 / Jan
        out.append((month, m.group(1) if m.group(1) != year else ""))
        year = m.group(1)
    return out


def _category_text(x: float, lines: tuple[str, str]) -> str:
    first, second = lines
    out = (f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 22}" text-anchor="middle" class="chart-axis">'
           f'{escape(first)}</text>')
    if second:
        out += (f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 42}" text-anchor="middle" class="chart-axis">'
                f'{escape(second)}</text>')
    return out


def _nice_max(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return int(10 * magnitude)


def _frame(title: str, desc: str, body: list[str], legend: list[tuple[str, str]]) -> Markup:
    legend_svg = []
    x = LEFT
    for label, css in legend:
        legend_svg.append(f'<rect x="{x}" y="8" width="16" height="16" class="{css}"/>'
                          f'<text x="{x + 22}" y="22" class="chart-legend">{escape(label)}</text>')
        x += 40 + LABEL_PX * len(label)
    # the visible title is the figure's caption (HTML text: it follows the page's font size)
    return Markup(  # noqa: S704 - every text and label in it went through escape()
        f'<figcaption class="chart-title">{escape(title)}</figcaption>'
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
        + "".join(legend_svg) + "".join(body) + "</svg>")


def _axis(top_value: int, fmt) -> list[str]:
    out = []
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = top_value * i // 4
        y = HEIGHT - BOTTOM - plot_h * i / 4
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="chart-grid"/>'
                   f'<text x="{LEFT - 8}" y="{y + 5:.1f}" text-anchor="end" class="chart-axis">'
                   f'{escape(fmt(value))}</text>')
    return out


def bars(title: str, categories: list[str], series: list[tuple[str, list[int]]], *,
         fmt=str, axis_fmt=None) -> Markup:
    """Grouped bars: one group per category, one bar per series. `fmt` writes a value in full
    (hover titles, description), `axis_fmt` a tick (shorter; defaults to `fmt`)."""
    top_value = _nice_max(max((v for _l, vals in series for v in vals), default=0))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(1, len(categories))
    bar_w = min(56.0, max(2.0, group_w * 0.8 / max(1, len(series))))  # one month: no wall of colour
    body = _axis(top_value, axis_fmt or fmt)
    labels = _category_lines(categories)
    for ci, cat in enumerate(categories):
        gx = LEFT + ci * group_w + (group_w - bar_w * len(series)) / 2  # the group centred
        for si, (label, values) in enumerate(series):
            v = values[ci]
            h = plot_h * max(0, v) / top_value
            x = gx + si * bar_w
            y = HEIGHT - BOTTOM - h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                        f'class="series-{si + 1}"><title>{escape(cat)} {escape(label)}: '
                        f'{escape(fmt(v))}</title></rect>')
        body.append(_category_text(LEFT + ci * group_w + group_w / 2, labels[ci]))
    desc = "; ".join(f"{cat}: " + ", ".join(f"{label} {fmt(vals[i])}" for label, vals in series)
                     for i, cat in enumerate(categories))
    return _frame(title, desc, body, [(label, f"series-{i + 1}") for i, (label, _v) in enumerate(series)])


def line(title: str, categories: list[str], label: str, values: list[float | None], *,
         top_value: int = 100, fmt=lambda v: f"{v}%") -> Markup:
    """One line with points (a gap where a value is missing)."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(categories))
    body = _axis(top_value, fmt)
    points = []
    labels = _category_lines(categories)
    for i, (cat, v) in enumerate(zip(categories, values, strict=True)):
        x = LEFT + step * i + step / 2
        body.append(_category_text(x, labels[i]))
        if v is None:
            continue
        y = HEIGHT - BOTTOM - plot_h * min(v, top_value) / top_value
        points.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" class="series-1">'
                    f'<title>{escape(cat)}: {escape(fmt(v))}</title></circle>')
    if len(points) > 1:
        body.insert(5, f'<polyline points="{" ".join(points)}" class="chart-line series-1-line" fill="none"/>')
    desc = "; ".join(f"{c}: {fmt(v) if v is not None else '—'}" for c, v in zip(categories, values, strict=True))
    return _frame(title, desc, body, [(label, "series-1")])
