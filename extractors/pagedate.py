"""Dates as pages write them: ISO 8601, RFC 822, "Nov. 18, 2019, 4:06 p.m.", bylines.

Pure functions used by extractors.html for published and modified dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_CLOCK = r"(?:,?\s*(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[ap])\.?m\b\.?)?"
_ISO_PATTERN = (
    r"(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_ISO_RE = re.compile(r"^\s*" + _ISO_PATTERN)
# "Nov. 18, 2019, 4:06 p.m." and "18 November 2019"
_MONTH_DATE_RE = re.compile(
    rf"^\s*(?:\w+,\s*)?(?:{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})"
    rf"|(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')}\s+(?P<year2>\d{{4}})){_CLOCK}",
    re.IGNORECASE,
)
_BYLINE_DATE_RE = re.compile(
    r"\b(?P<word>updated|published|posted|date|released?)\s*(?:on|at)?\s*[:：]?\s*"
    r"(?P<when>\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    rf"|(?:{_MONTH.replace('?P<month>', '?:')}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+"
    rf"{_MONTH.replace('?P<month>', '?:')}\s+\d{{4}})(?:,?\s*(?:at\s+)?\d{{1,2}}:\d{{2}}\s*[ap]\.?m\b\.?)?)",
    re.IGNORECASE,
)


def _iso_date(match: re.Match[str]) -> datetime | date:
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    if match["H"] is None:
        return date(year, month, day)
    stamp = f"{year:04d}-{month:02d}-{day:02d}T{int(match['H']):02d}:{match['M']}"
    stamp += f":{match['S'] or '00'}"
    if match["tz"]:
        stamp += "+00:00" if match["tz"] == "Z" else match["tz"]
    return datetime.fromisoformat(stamp)


def _month_date(match: re.Match[str]) -> datetime | date:
    month = _MONTHS[(match["month"] or match["month2"]).lower()]
    day, year = int(match["day"] or match["day2"]), int(match["year"] or match["year2"])
    if match["hour"] is None:
        return date(year, month, day)
    hour = int(match["hour"]) % 12 + (12 if match["ampm"].lower() == "p" else 0)
    return datetime(year, month, day, hour, int(match["minute"]))


def parse_date(value: str | None) -> datetime | date | None:
    """Return the datetime (or date, when no time is given) a date string holds, else None.

    ISO 8601 (also with "/"), "Nov. 18, 2019, 4:06 p.m.", "18 November 2019" and RFC 822.

    >>> parse_date("2025-07-14T19:33:00+08:00").isoformat()
    '2025-07-14T19:33:00+08:00'
    >>> parse_date("2025-07-14")
    datetime.date(2025, 7, 14)
    >>> parse_date("2019/11/19")
    datetime.date(2019, 11, 19)
    >>> parse_date("Nov. 18, 2019, 4:06 p.m.")
    datetime.datetime(2019, 11, 18, 16, 6)
    >>> parse_date("Tuesday, 19 November 2019")
    datetime.date(2019, 11, 19)
    >>> parse_date("Tue, 19 Nov 2019 08:00:00 GMT").isoformat()
    '2019-11-19T08:00:00+00:00'
    >>> parse_date("yesterday") is None
    True
    """
    if not value or not value.strip():
        return None
    try:
        if match := _ISO_RE.match(value):
            return _iso_date(match)
    except ValueError:  # 2019-02-30 and the like
        return None
    try:  # RFC 822 dates with a time (RSS-style meta tags), before the looser month forms
        if ":" in value:
            return parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        pass
    try:
        if match := _MONTH_DATE_RE.match(value):
            return _month_date(match)
    except ValueError:
        return None
    return None


def plausible(value: datetime | date | None) -> bool:
    """Return False for placeholders such as 0001-01-01 or the Unix epoch."""
    if value is None:
        return False
    day = value.date() if isinstance(value, datetime) else value
    return day.year >= 1800 and day != date(1970, 1, 1)


def byline_date(text: str, words: tuple[str, ...]) -> datetime | date | None:
    """Return the first plausible date after one of words ("Updated: 2025-07-14 19:33"), or None.

    >>> byline_date("By Cheng Si | chinadaily.com.cn | Updated: 2025-07-14 19:33", ("updated",))
    datetime.datetime(2025, 7, 14, 19, 33)
    """
    for match in _BYLINE_DATE_RE.finditer(text):
        if match["word"].lower().startswith(words):
            parsed = parse_date(match["when"])
            if plausible(parsed):
                return parsed
    return None
