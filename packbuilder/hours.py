"""Opening hours given as days and times, printed in each language with Babel's names and formats."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Callable

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
EXAMPLE = 'hours = { days = ["tue", "thu"], from = "12:00", to = "16:00" }'


@dataclass(frozen=True)
class Span:
    """Some days of the week, open from one time to another."""

    days: tuple[int, ...]        # 0 = Monday, as Babel numbers them
    start: time
    end: time


@dataclass(frozen=True)
class Hours:
    """Structured opening hours: one or more spans."""

    spans: tuple[Span, ...]

    def format(self, lang: str, ui: Callable[..., str]) -> str:
        """Return the hours in ``lang``: its weekday names, list words and time format."""
        sep = "；" if lang.startswith(("zh", "ja")) else "; "
        return sep.join(ui("opening-hours", days=_days(s.days, lang, ui), times=_times(s, lang))
                        for s in self.spans)


def _days(days: tuple[int, ...], lang: str, ui: Callable[..., str]) -> str:
    from babel.dates import get_day_names
    from babel.lists import format_list
    names = get_day_names("abbreviated", locale=lang)
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts: list[str] = []
    for run in runs:            # three days or more in a row: "Mon–Fri"
        if len(run) >= 3:
            parts.append(ui("day-range", first=names[run[0]], last=names[run[-1]]))
        else:
            parts += [names[d] for d in run]
    return format_list(parts, locale=lang)


def _times(span: Span, lang: str) -> str:
    from babel.dates import format_interval, get_time_format
    skeleton = "Hm" if "H" in get_time_format("short", locale=lang).pattern else "hm"
    return format_interval(span.start, span.end, skeleton, locale=lang)


def text(value: object, lang: str, ui: Callable[..., str]) -> str:
    """Return hours as printed in ``lang``: structured hours formatted, free text as given."""
    return value.format(lang, ui) if isinstance(value, Hours) else str(value or "")


def parse_hours(value: object, where: str, bad: Callable[[str, str], None]) -> Hours | str:
    """Return free-text hours as they are, or a table (or list of tables) as Hours."""
    if isinstance(value, str):
        return value
    tables = value if isinstance(value, list) else [value]
    if not tables:
        bad(where, f"is empty; leave it out, or give days and times like {EXAMPLE}")
    spans = []
    for n, table in enumerate(tables, 1):
        at = f"{where}[{n}]" if isinstance(value, list) else where
        if not isinstance(table, dict) or set(table) - {"days", "from", "to"} or not {"days", "from", "to"} <= set(table):
            bad(at, f"must be a string, or days and times like {EXAMPLE}")
            continue
        days = table["days"]
        if not isinstance(days, list) or not days or any(d not in DAYS for d in days):
            bad(f"{at}.days", f"{days!r}: list days as {', '.join(DAYS)}")
            continue
        times = []
        for key in ("from", "to"):
            match = TIME.match(table[key]) if isinstance(table[key], str) else None
            if match is None:
                bad(f"{at}.{key}", f"{table[key]!r} is not a 24-hour time like \"09:30\"")
            else:
                times.append(time(int(match[1]), int(match[2])))
        if len(times) == 2:
            if times[1] <= times[0]:
                bad(f"{at}.to", f"closes at {table['to']} before it opens at {table['from']}")
            spans.append(Span(tuple(sorted({DAYS.index(d) for d in days})), times[0], times[1]))
    return Hours(tuple(spans))
