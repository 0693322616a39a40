"""Every stable error code has its own spoken line in both languages: never silence."""

from __future__ import annotations

import pytest

import audio.devices
from assistant.gateway.fallbacks import fallback_line, known_codes
from audio.types import PipelineError


def all_error_classes(cls: type[PipelineError]) -> list[type[PipelineError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *all_error_classes(sub)]
    return found


def test_the_error_modules_are_loaded() -> None:
    assert audio.devices.AudioDeviceError in all_error_classes(PipelineError)


@pytest.mark.parametrize("error", all_error_classes(PipelineError), ids=lambda c: c.__name__)
def test_each_error_code_has_its_own_line(error: type[PipelineError]) -> None:
    assert error.code in known_codes(), f"{error.__name__}.code {error.code!r} has no spoken line"
    ru, en = fallback_line(error.code, "ru"), fallback_line(error.code, "en")
    assert ru and en and ru != en


def test_an_unknown_code_still_says_something() -> None:
    assert fallback_line("no-such-code", "en") == fallback_line("internal", "en")
