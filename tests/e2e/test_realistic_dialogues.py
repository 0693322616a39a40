"""The realistic dialogue suite (assistant/cli/bench/realistic/*.yml) on the session's stack:
goal-driven conversations written the way Vosk writes, each checked as a citizen would (the
right visit booked, through the city API; nothing asked twice; no false statement). The same
runner backs `assistant bench dialogues`."""

from __future__ import annotations

import pytest

from assistant.cli.bench.realistic import load_suite, run_suite
from tests.fixtures.stack import CITY_API_KEY, RunningStack

pytestmark = [pytest.mark.stack, pytest.mark.rasa]

TARGET = 0.95
LANGS = ("ru", "en")


def test_suite_is_big_enough() -> None:
    suite = load_suite(LANGS)
    counts = {lang: sum(d.lang == lang for d in suite) for lang in LANGS}
    assert counts["ru"] >= 50 and counts["en"] >= 30 and sum(counts.values()) >= 80, counts
    assert len({(d.lang, d.name) for d in suite}) == len(suite), "dialogue names repeat"


@pytest.mark.parametrize("lang", LANGS)
def test_realistic_pass_rate(stack: RunningStack, lang: str) -> None:
    result = run_suite(stack.gateway_url, stack.city_url, load_suite([lang]),
                       city_key=CITY_API_KEY)
    rate = result["per_lang"][lang]["pass_rate"]
    failures = "\n".join(
        f"- {f['name']}: {f['reason']}\n" + "\n".join(
            f"    > {t['caller']}\n    < {t['assistant']}" for t in f["transcript"])
        for f in result["failures"])
    assert rate >= TARGET, f"{lang}: pass rate {rate} < {TARGET}; failures:\n{failures}"
