"""Times and dates the way people say them: accuracy on a table of spoken forms per language.

The tables (parsing_tables/{ru,en}.yml) are written the way Vosk writes: lower case, no
punctuation, numbers as words. Every form goes through spoken.normalize (as the gateway does)
and then the parser the dialogue uses: parse_time_request for times, parse_day for dates. A bare
ordinal ("третий", "the third one") must stay an option number, never a clock time.

Accuracy per language and kind ("time", "date") lands in test-artifacts/parsing-accuracy.json and
must be at least 0.95; the assertion lists the misses.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.parsing import (
    AFTERNOON,
    EVENING,
    MIDDAY,
    MORNING,
    DayPart,
    parse_day,
    parse_time,
    parse_time_request,
    times,
)
from spoken.normalize import normalize

TABLES = Path(__file__).resolve().parent / "parsing_tables"
REPORT = Path(__file__).resolve().parents[3] / "test-artifacts" / "parsing-accuracy.json"
LANGS = ("ru", "en")
KINDS = ("time", "date")
MIN_FORMS = 100
TARGET = 0.95


def _table(lang: str) -> dict[str, Any]:
    with (TABLES / f"{lang}.yml").open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


NAMED = {window.name: window for window in (MORNING, MIDDAY, AFTERNOON, EVENING)}


def _window(window: DayPart | None) -> str | None:
    """A window as its bounds, "10:00-12:00": "before noon" is the morning."""
    return None if window is None else f"{window.start}-{window.end}"


def _expected_window(said: str | None) -> str | None:
    """The tables write "morning", "after 15:00", "before 12:00" or "10:00-12:00"."""
    if said is None:
        return None
    if said in NAMED:
        return _window(NAMED[said])
    bound, _, at = said.partition(" ")
    if bound == "after":
        return f"{at}-{times._DAY_END}"  # until the day's end
    if bound == "before":
        return f"{times._DAY_START}-{at}"  # from the day's start
    return said


def _read_time(row: dict[str, Any], lang: str) -> tuple[str, bool, str, str]:
    """(sub-kind, correct, expected, what was read) for one row of `times`."""
    heard = normalize(row["say"], lang)
    request = parse_time_request(heard, lang)
    clock = str(request.clock) if request.clock is not None else None
    window = _window(request.window)
    if "option" in row:
        numbers = re.findall(r"\d+", heard)
        ok = parse_time(heard, lang) is None and numbers == [str(row["option"])]
        got = f"clock {clock}" if clock else f"numbers {' '.join(numbers) or '-'}"
        return "option", ok, f"option {row['option']}", got
    expected_clock = row.get("clock")
    expected_window = _expected_window(row.get("window"))
    ok = clock == expected_clock and (expected_window is None or window == expected_window)
    expected = " ".join(p for p in (expected_clock, row.get("window"), expected_window and
                                    f"({expected_window})") if p)
    got = " ".join(p for p in (clock, window) if p) or "-"
    return ("clock" if expected_clock else "window"), ok, expected, got


def _read_date(row: dict[str, Any], lang: str, today: date) -> tuple[str, bool, str, str]:
    """(sub-kind, correct, expected, what was read) for one row of `dates`."""
    heard = normalize(row["say"], lang)
    found = parse_day(heard, lang, today)
    wanted = row["date"] if isinstance(row["date"], date) else date.fromisoformat(row["date"])
    past = bool(row.get("past", False))
    ok = found is not None and found.day == wanted and found.past == past
    expected = f"{wanted.isoformat()}{' past' if past else ''}"
    got = "-" if found is None else f"{found.day.isoformat()}{' past' if found.past else ''}"
    return ("past" if past else "future"), ok, expected, got


def _score(rows: list[tuple[str, bool, str, str, str, str]]) -> dict[str, Any]:
    correct = sum(1 for row in rows if row[1])
    by_form: dict[str, dict[str, Any]] = {}
    for sub in sorted({row[0] for row in rows}):
        mine = [row for row in rows if row[0] == sub]
        hits = sum(1 for row in mine if row[1])
        by_form[sub] = {"forms": len(mine), "correct": hits,
                        "accuracy": round(hits / len(mine), 4)}
    return {
        "forms": len(rows),
        "correct": correct,
        "accuracy": round(correct / len(rows), 4) if rows else 0.0,
        "by_form": by_form,
        "misses": [{"say": say, "heard": heard, "expected": expected, "got": got}
                   for _, ok, expected, got, say, heard in rows if not ok],
    }


@cache
def report() -> dict[str, Any]:
    """Accuracy per language and kind, written to test-artifacts/parsing-accuracy.json."""
    out: dict[str, Any] = {"target": TARGET}
    for lang in LANGS:
        table = _table(lang)
        today = table["today"]
        today = today if isinstance(today, date) else date.fromisoformat(today)
        times = [(*_read_time(row, lang), row["say"], normalize(row["say"], lang))
                 for row in table["times"]]
        dates = [(*_read_date(row, lang, today), row["say"], normalize(row["say"], lang))
                 for row in table["dates"]]
        out[lang] = {"today": today.isoformat(), "time": _score(times), "date": _score(dates)}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out


def test_report_is_written_and_printed() -> None:
    result = report()
    lines = [f"{lang} {kind}: {result[lang][kind]['correct']}/{result[lang][kind]['forms']} = "
             f"{result[lang][kind]['accuracy']:.3f}" for lang in LANGS for kind in KINDS]
    print("\n".join(["parsing accuracy:", *lines, f"report: {REPORT}"]))
    assert REPORT.exists()


@pytest.mark.parametrize("lang", LANGS)
def test_tables_hold_enough_forms(lang: str) -> None:
    table = _table(lang)
    assert len(table["times"]) >= MIN_FORMS
    assert len(table["dates"]) >= MIN_FORMS
    for kind in ("times", "dates"):
        said = [row["say"] for row in table[kind]]
        assert len(said) == len(set(said)), f"a form is listed twice in {kind}"
    says = [row["say"] for row in table["times"] + table["dates"]]
    written = [s for s in says if re.search(r"\d|[^\w\s']", s)]
    assert not written, f"Vosk writes words, not digits or punctuation: {written}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", KINDS)
def test_accuracy(lang: str, kind: str) -> None:
    scored = report()[lang][kind]
    misses = "\n".join(f"  {m['say']!r} (heard {m['heard']!r}): expected {m['expected']}, "
                       f"got {m['got']}" for m in scored["misses"])
    assert scored["accuracy"] >= TARGET, (
        f"{lang} {kind}: {scored['correct']}/{scored['forms']} = {scored['accuracy']:.3f} "
        f"< {TARGET}; misses:\n{misses}")
