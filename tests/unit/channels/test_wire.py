"""The wire messages: round trips, the exact JSON the kiosk page and devices rely on, and junk."""

from __future__ import annotations

import json

import pytest

from assistant.gateway import wire
from assistant.gateway.wire import (
    AudioHead,
    Config,
    EndOfAudio,
    ErrorEvent,
    Final,
    ForkMetadata,
    ForkPlayAudio,
    Reply,
    TurnEnd,
    TypedText,
    UnknownMessageError,
    VoskConfig,
    VoskEof,
    VoskResult,
    VoskWord,
    WireError,
    WireMessage,
    WordTiming,
)

SAMPLES: list[WireMessage] = [
    Config(), Config(lang="ko", sample_rate=8000, device_id="d", session_id="s",
                     channel="kiosk", greet=True),
    EndOfAudio(), wire.Cancel(), TypedText("1234"), wire.Repeat(), wire.Slower(), wire.Faster(),
    wire.Ready("s1", "ru", 16000), wire.Partial("да"), wire.StopAudio(),
    Final("да нет", 0.5, (WordTiming("да", 0.1, 0.3, 1.0), WordTiming("нет", 0.4, 0.7, 0.6))),
    Final("", None), Reply(("a", "b"), ({"type": "expect", "slot": "x"},)), Reply(()),
    wire.Display("Номер"), wire.Handoff({"task": "booking", "slots": {}}),
    AudioHead("t", 8000, 3200), wire.AudioEnd(), ErrorEvent("bad-message", "m"),
    TurnEnd(), TurnEnd(812.5), TurnEnd(empty=True), wire.Cancelled(), wire.SessionEnd("goodbye"),
    wire.Dtmf("12#"), wire.ForkTranscription("да"), wire.ForkKillAudio(),
    wire.ForkDisconnect("handoff"), wire.ForkError("c", "m"), wire.ForkJson({"type": "x"}),
    ForkPlayAudio("raw", 8000, "AAAA"), ForkMetadata("call-1", "ru", 8000), ForkMetadata(),
    VoskConfig(8000, ("да",), True), VoskConfig(), VoskEof(), wire.VoskPartial(""),
    VoskResult("да", (VoskWord(1.0, 0.7, 0.4, "да"),)), VoskResult(""), wire.VoskError("e"),
]


@pytest.mark.parametrize("message", SAMPLES, ids=lambda m: type(m).__name__)
def test_round_trip(message: WireMessage) -> None:
    text = message.to_json()
    assert type(message).from_json(text) == message
    assert json.loads(text) == message.to_dict()


@pytest.mark.parametrize(("message", "expected"), [
    (wire.Ready("s", "ko", 8000),
     '{"type": "ready", "session_id": "s", "lang": "ko", "sample_rate": 8000}'),
    (AudioHead("Понятно.", 16000, 6400),
     '{"type": "audio", "text": "Понятно.", "sample_rate": 16000, "bytes": 6400}'),
    (Final("네", None, (WordTiming("네", 0.0, 0.5, 1.0),)),
     '{"type": "final", "text": "네", "confidence": null, '
     '"words": [{"word": "네", "start": 0.0, "end": 0.5, "conf": 1.0}]}'),
    (TurnEnd(), '{"type": "turn-end"}'),
    (TurnEnd(empty=True), '{"type": "turn-end", "empty": true}'),
    (ErrorEvent("no-audio", "m"), '{"type": "error", "code": "no-audio", "message": "m"}'),
    (wire.SessionEnd("idle-timeout"), '{"type": "end", "reason": "idle-timeout"}'),
    (ForkPlayAudio("raw", 8000, "AA=="), '{"type": "playAudio", "data": {"audioContentType": '
     '"raw", "sampleRate": 8000, "audioContent": "AA=="}}'),
    (VoskResult("да", (VoskWord(1.0, 0.5, 0.1, "да"),)),
     '{"text": "да", "result": [{"conf": 1.0, "end": 0.5, "start": 0.1, "word": "да"}]}'),
    (VoskResult("да"), '{"text": "да"}'),
    (wire.VoskPartial(""), '{"partial": ""}'),
])
def test_the_json_is_what_clients_already_read(message: WireMessage, expected: str) -> None:
    """Byte for byte what the gateway sent before the wire module (kiosk.js, vosk clients)."""
    assert message.to_json() == expected


def test_what_the_kiosk_page_sends_parses() -> None:
    sent = ('{"type":"config","lang":"ru","sample_rate":48000,"device_id":"kiosk-page",'
            '"session_id":"kiosk-1a2b","channel":"kiosk"}')
    assert wire.parse_voice_request(sent) == Config("ru", 48000, "kiosk-page", "kiosk-1a2b",
                                                    "kiosk")
    assert wire.parse_voice_request('{"type":"end"}') == EndOfAudio()
    assert wire.parse_voice_request('{"type": "eof"}') == EndOfAudio()  # the old alias


def test_unknown_keys_are_ignored() -> None:
    assert Config.from_json('{"type": "config", "lang": "en", "firmware": "1.2"}') == \
        Config(lang="en")
    assert ForkMetadata.from_json('{"uuid": "u-1", "caller": "+7", "sampleRate": "16000"}') == \
        ForkMetadata("u-1", None, "16000")


@pytest.mark.parametrize("junk", [
    "", "not json", "[1, 2]", '"text"', "3", "null", '{"type": "config"',
    "[" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000,
])
def test_junk_is_a_wire_error_never_a_crash(junk: str) -> None:
    for parse in (wire.parse_voice_request, wire.parse_voice_event, wire.parse_fork_request,
                  wire.parse_fork_event, wire.parse_vosk_request, wire.parse_vosk_answer):
        with pytest.raises(WireError) as error:
            parse(junk)
        assert error.value.code == "bad-message"
        assert isinstance(error.value, ValueError)


@pytest.mark.parametrize("text", ["{}", '{"type": "launch-rockets"}', '{"type": 5}',
                                  '{"type": null}', '{"type": ["end"]}',
                                  '{"type": "ready", "session_id": "s"}'])
def test_unknown_types(text: str) -> None:
    with pytest.raises(UnknownMessageError) as error:
        wire.parse_voice_request(text)
    assert error.value.code == "unknown-message"


@pytest.mark.parametrize(("text", "kind"), [
    ('{"type": "text"}', "text"),
    ('{"type": "text", "text": 5}', "text"),
    ('{"type": "text", "text": "   "}', "text"),
    ('{"type": "config", "sample_rate": 3}', "config"),
    ('{"type": "config", "sample_rate": 16000.5}', "config"),
    ('{"type": "config", "sample_rate": "16000"}', "config"),
    ('{"type": "config", "sample_rate": true}', "config"),
    ('{"type": "config", "lang": "fr"}', "config"),
    ('{"type": "config", "greet": 1}', "config"),
    ('{"type": "config", "channel": "phone"}', "config"),
    ('{"type": "config", "session_id": ""}', "config"),
    ('{"type": "config", "device_id": "' + "x" * 129 + '"}', "config"),
])
def test_wrong_fields_name_the_message(text: str, kind: str) -> None:
    with pytest.raises(WireError) as error:
        wire.parse_voice_request(text)
    assert not isinstance(error.value, UnknownMessageError)
    assert (error.value.code, error.value.kind) == ("bad-message", kind)
    assert str(error.value).startswith(kind)


@pytest.mark.parametrize("text", [
    '{"type": "final", "text": "a", "words": [{"word": "a"}]}',
    '{"type": "final", "text": "a", "words": {"word": "a"}}',
    '{"type": "final", "text": "a", "confidence": "high"}',
    '{"type": "reply", "texts": ["a", 1]}',
    '{"type": "reply", "texts": [], "events": [1]}',
    '{"type": "handoff", "summary": []}',
    '{"type": "audio", "text": "t", "sample_rate": 8000}',
    '{"type": "turn-end", "ms": "5"}',
])
def test_wrong_server_events(text: str) -> None:
    with pytest.raises(WireError):
        wire.parse_voice_event(text)


def test_fork_messages() -> None:
    with pytest.raises(WireError, match="'data' must be a JSON object"):
        wire.parse_fork_event('{"type": "transcription", "data": "hi"}')
    with pytest.raises(WireError):
        wire.parse_fork_request('{"type": "dtmf", "digits": 12}')
    with pytest.raises(UnknownMessageError):
        wire.parse_fork_request('{"type": "config"}')  # not a fork message: logged, not obeyed
    assert wire.parse_fork_request('{"type": "text", "text": "5"}') == TypedText("5")
    metadata = ForkMetadata.from_json('{"callId": 7, "lang": ["ru"], "sampleRate": true}')
    assert metadata == ForkMetadata("7", None, None)


def test_vosk_messages() -> None:
    assert wire.parse_vosk_request('{"eof" : 1}') == VoskEof()
    assert wire.parse_vosk_request('{ "config" : { "sample_rate" : 16000.0 } }') == \
        VoskConfig(sample_rate=16000.0)
    assert wire.parse_vosk_request('{"config": {"words": 0}}') == VoskConfig(words=0)
    for junk in ('{"eof": 0}', '{"nope": 1}', '{"config": "x"}',
                 '{"config": {"phrase_list": ["a", 2]}}', '{"config": {"sample_rate": "8k"}}'):
        with pytest.raises(WireError):
            wire.parse_vosk_request(junk)
    assert wire.parse_vosk_answer('{"text": "a", "result": []}') == VoskResult("a", ())
    assert wire.parse_vosk_answer('{"error": "x"}') == wire.VoskError("x")


def test_registries_tell_shared_types_apart() -> None:
    assert isinstance(wire.parse_voice_event('{"type": "end", "reason": "x"}'), wire.SessionEnd)
    assert isinstance(wire.parse_voice_request('{"type": "end"}'), EndOfAudio)
    error = wire.parse_fork_event('{"type": "error", "data": {"code": "c", "message": "m"}}')
    assert error == wire.ForkError("c", "m")
