"""Small tasks, routing of answers, service failures, handoff, language, clarify."""

from __future__ import annotations

from action_fakes import FakeCity, customs, slots_of, texts, tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.dialogue import ActionGreet, ActionHandoff, ActionSwitchLanguage
from actions.task_actions import ActionAffirm, ActionClarify, ActionInform, task_action


async def test_greet_follows_turn_language() -> None:
    for lang, word in (("ru", "Здравствуйте"), ("en", "Hello")):
        d = CollectingDispatcher()
        await ActionGreet().run(d, tracker("hi", "greet", lang=lang), {})
        assert texts(d)[0].startswith(word)


async def test_troika_asks_then_answers_in_groups() -> None:
    city = FakeCity()
    d = CollectingDispatcher()
    events = await task_action("action_troika_balance", lambda: city).run(
        d, tracker("баланс тройки", "troika_balance"), {})
    state = slots_of(events)["pending"]
    assert state["need"] == "card_number"
    assert customs(d)[0] == {"event": "expect", "slot": "card_number", "phrases": []}
    d = CollectingDispatcher()
    events = await ActionInform(lambda: city).run(
        d, tracker("0123456789", slots={"pending": state}), {})
    assert "01 23 45 67 89" in texts(d)[0] and "245" in texts(d)[0]
    assert slots_of(events)["pending"] is None


async def test_troika_failures_explain_then_offer_operator() -> None:
    city = FakeCity()
    state = {"task": "troika_balance", "need": "card_number", "kind": "ask", "fails": 0}
    said = []
    for _ in range(3):
        d = CollectingDispatcher()
        events = await ActionInform(lambda: city).run(
            d, tracker("12", slots={"pending": state}), {})
        state = slots_of(events)["pending"]
        said.append(texts(d)[0])
    assert "десять цифр" in said[0]
    assert "обороте" in said[1]  # second failure explains the format
    assert "оператор" in said[2] and state["kind"] == "operator"


async def test_an_unsure_answer_to_a_question_counts_as_an_answer() -> None:
    # "понятия не имею" with low confidence must not turn into "do you want to cancel a visit?"
    city = FakeCity()
    state = {"task": "troika_balance", "need": "card_number", "kind": "ask", "fails": 1}
    d = CollectingDispatcher()
    t = tracker("понятия не имею", "nlu_fallback", slots={"pending": state})
    t.latest_message["intent_ranking"] = [{"name": "nlu_fallback"},
                                          {"name": "cancel_appointment"}]
    events = await ActionClarify(lambda: city).run(d, t, {})
    assert "обороте" in texts(d)[0]  # the second bad answer: the format is explained
    assert slots_of(events)["pending"]["fails"] == 2


async def test_service_down_offers_retry_and_keeps_state() -> None:
    city = FakeCity(down=True)
    d = CollectingDispatcher()
    events = await task_action("action_troika_balance", lambda: city).run(
        d, tracker("баланс тройки 0123456789", "troika_balance"), {})
    assert "не отвечает" in texts(d)[0]
    state = slots_of(events)["pending"]
    assert state["kind"] == "retry"
    city.down = False
    d = CollectingDispatcher()
    await ActionAffirm(lambda: city).run(d, tracker("да", "affirm", slots={"pending": state}), {})
    assert "245" in texts(d)[0]


async def test_handoff_summary_is_masked() -> None:
    d = CollectingDispatcher()
    events = [{"event": "user", "text": "мой полис 7712345678901234"},
              {"event": "bot", "text": "Полис принят"}]
    t = tracker("оператор", "human_handoff", slots={"policy_number": "7712345678901234",
                "specialty": "dentist", "birth_date": "1985-03-14"}, events=events,
                active_loop="booking_form")
    await ActionHandoff().run(d, t, {})
    summary = next(c for c in customs(d) if c["event"] == "handoff")["summary"]
    assert summary["task"] == "booking_form"
    assert summary["slots"]["policy_number"].endswith("1234")
    assert "7712345678901234" not in str(summary)
    assert "1985" not in str(summary)


async def test_switch_language_emits_event() -> None:
    d = CollectingDispatcher()
    events = await ActionSwitchLanguage().run(
        d, tracker("говорите по английски", "switch_language"), {})
    assert customs(d)[0] == {"event": "language", "lang": "en"}
    assert texts(d)[0].startswith("OK")
    assert slots_of(events)["lang"] == "en"


async def test_clarify_asks_about_best_guess() -> None:
    d = CollectingDispatcher()
    t = tracker("тройка что там", "nlu_fallback")
    t.latest_message["intent_ranking"] = [{"name": "nlu_fallback"}, {"name": "troika_balance"}]
    events = await ActionClarify(lambda: FakeCity()).run(d, t, {})
    assert "Тройки" in texts(d)[0]
    assert slots_of(events)["pending"] == {"kind": "clarify", "task": "troika_balance"}


async def test_yes_to_a_guess_runs_the_task_in_the_same_action() -> None:
    # no FollowupAction to a plain action: Rasa would follow it with the core fallback
    for lang, yes, question in (("ru", "да", "номер"), ("en", "yes", "number")):
        d = CollectingDispatcher()
        clarify = {"kind": "clarify", "task": "troika_balance"}
        events = await ActionAffirm(lambda: FakeCity()).run(
            d, tracker(yes, "affirm", lang=lang, slots={"pending": clarify}), {})
        assert not [e for e in events if e.get("event") == "followup"]
        assert question in texts(d)[0].lower()
        assert slots_of(events)["pending"]["need"] == "card_number"


async def test_yes_to_a_guessed_booking_hands_on_to_the_form() -> None:
    d = CollectingDispatcher()
    clarify = {"kind": "clarify", "task": "book_appointment"}
    events = await ActionAffirm(lambda: FakeCity()).run(
        d, tracker("да", "affirm", slots={"pending": clarify}), {})
    assert [e["name"] for e in events if e["event"] == "followup"] == ["booking_form"]


async def test_spoken_switch_earlier_in_the_turn_wins_over_metadata() -> None:
    from actions.base import turn_lang

    t = tracker("говорите по английски", "switch_language")
    t.events = [{"event": "user", "text": "x"}, {"event": "slot", "name": "lang", "value": "en"}]
    assert turn_lang(t) == "en"


def test_a_step_answer_classified_as_a_task_stays_an_answer() -> None:
    from dataclasses import replace

    from actions.pending import Pending
    from actions.task_actions import answers_pending

    asked = Pending("ask", "report_problem", need="type")
    said = tracker("яма на дороге", "report_problem")
    assert answers_pending(asked, "report_problem", said)  # same task: the answer
    place = replace(asked, need="place")
    unsure = tracker("тверская улица дом 7", "traffic_status")  # confidence 0.9 < sure
    assert not answers_pending(place, "traffic_status", unsure)
    unsure.latest_message["intent"]["confidence"] = 0.6
    assert answers_pending(place, "traffic_status", unsure)  # free text, not sure: the answer
    assert not answers_pending(asked, "troika_balance", unsure)  # a real digression
    assert not answers_pending(None, "report_problem", said)
