"""China's statutory holiday schedule (public holidays and make-up working days, 调休).

The years the installed ``chinese_calendar`` package knows are available without any setup;
later years are added by an administrator (the schedule is published late each year).
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def known_years() -> range:
    years = sorted({day.year for day in chinese_calendar.holidays})
    return range(years[0], years[-1] + 1)


def schedule(years: range | list[int]) -> tuple[dict[dt.date, str], dict[dt.date, str]]:
    """(weekday holidays, weekend make-up working days) for the given years, with their names."""
    holidays: dict[dt.date, str] = {}
    makeup: dict[dt.date, str] = {}
    for day, name in chinese_calendar.holidays.items():
        if day.year in years and day.weekday() < 5:
            holidays[day] = _name(name)
    for day, name in chinese_calendar.workdays.items():
        if day.year in years and day.weekday() >= 5:
            makeup[day] = _name(name)
    return holidays, makeup


CHINESE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
}


def _name(value: object) -> str:
    """The holiday's name as ``中文 / English``."""
    english = str(getattr(value, "value", value))
    chinese = CHINESE_NAMES.get(english)
    return f"{chinese} / {english}" if chinese else english
