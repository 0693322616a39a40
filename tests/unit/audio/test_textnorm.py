from __future__ import annotations

import pytest

from audio.speakable import digit_groups, group_digits, rate_request, speak_group, speakable_numbers


def test_policy_number_in_groups_of_four() -> None:
    assert group_digits("полис 7712345678901234") == "полис 7712 3456 7890 1234"


@pytest.mark.parametrize(
    ("digits", "groups"),
    [
        ("12345", ["123", "45"]),
        ("123456", ["1234", "56"]),
        ("123456789", ["1234", "567", "89"]),
        ("1234", ["1234"]),
    ],
)
def test_no_lone_digit_at_the_end(digits: str, groups: list[str]) -> None:
    assert digit_groups(digits) == groups


def test_short_numbers_are_left_alone() -> None:
    assert group_digits("в 2024 году, дом 15") == "в 2024 году, дом 15"


def test_groups_spoken_as_numbers_in_russian() -> None:
    spoken = speakable_numbers("7712345678901234", "ru")
    assert spoken.split(", ")[0] == "семь тысяч семьсот двенадцать"
    assert spoken.count(", ") == 3
    assert not any(ch.isdigit() for ch in spoken)


def test_groups_spoken_in_english_without_inner_commas() -> None:
    spoken = speakable_numbers("policy 7712345678901234", "en")
    assert spoken.startswith("policy seven thousand seven hundred and twelve, three thousand")
    assert spoken.count(",") == 3


def test_leading_zeros_are_not_lost() -> None:
    assert speak_group("0012", "ru") == "ноль ноль двенадцать"
    assert speak_group("0000", "en") == "zero zero zero zero"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Говорите медленнее, пожалуйста", "slower"),
        ("помедленнее", "slower"),
        ("Could you speak slower please", "slower"),
        ("slow down", "slower"),
        ("говорите быстрее", "faster"),
        ("запишите меня к врачу", None),
    ],
)
def test_rate_requests(text: str, want: str | None) -> None:
    assert rate_request(text) == want


def test_word_errors_for_the_benchmark() -> None:
    from assistant.cli.bench.asr import word_errors

    assert word_errors("일 이 삼", "일 이 삼") == 0
    assert word_errors("일 이 삼", "이 삼") == 1
    assert word_errors("일 이 삼", "일 오 삼 사") == 2
    assert word_errors("네", "") == 1
