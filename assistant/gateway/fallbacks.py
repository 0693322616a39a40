"""Fixed spoken lines: the greeting and reprompts, and one line for every stable error code."""

from __future__ import annotations

from assistant.gateway.contracts import Lang

_LINES: dict[str, dict[str, str]] = {
    "greeting": {
        "ru": "Здравствуйте! Это городской помощник. Чем могу помочь?",
        "en": "Hello! This is the city assistant. How can I help?",
    },
    "reprompt": {
        "ru": "Вы здесь? Скажите, чем я могу помочь.",
        "en": "Are you there? Tell me how I can help.",
    },
    "goodbye-silence": {
        "ru": "Я вас не слышу. До свидания, звоните ещё!",
        "en": "I can't hear you. Goodbye, and call again any time!",
    },
    "slower": {
        "ru": "Хорошо, буду говорить медленнее.",
        "en": "All right, I will speak more slowly.",
    },
    "faster": {
        "ru": "Хорошо, буду говорить в обычном темпе.",
        "en": "All right, back to the normal pace.",
    },
    # admission control: a call over the gateway's capacity (or while it drains) hears this,
    # then the line hangs up and the dialplan goes on
    "lines-busy": {
        "ru": "Все линии сейчас заняты. Пожалуйста, подождите или перезвоните через несколько минут.",
        "en": "All lines are busy right now. Please hold, or call back in a few minutes.",
    },
    # drain: the gateway is stopping and a call is still going at gateway.drain_s
    "gateway-closing": {
        "ru": ("Извините, сервис перезапускается, и разговор придётся прервать. "
               "Перезвоните, пожалуйста, через минуту. До свидания!"),
        "en": ("Sorry, the service is restarting and this call has to end. "
               "Please call again in a minute. Goodbye!"),
    },
    "asr-no-speech": {
        "ru": "Я вас не услышал. Скажите, пожалуйста, ещё раз.",
        "en": "I didn't hear anything. Please say that again.",
    },
    "asr-failed": {
        "ru": "Я не разобрал, что вы сказали. Повторите, пожалуйста.",
        "en": "I couldn't make that out. Please repeat.",
    },
    "asr-model-missing": {
        "ru": "Распознавание речи для этого языка не установлено. Попробуйте текстом.",
        "en": "Speech recognition for this language is not installed. Please use text.",
    },
    "audio-bad-format": {
        "ru": "Звук пришёл в неверном формате. Попробуйте ещё раз.",
        "en": "The audio arrived in a format I can't read. Please try again.",
    },
    "audio-no-device": {
        "ru": "Микрофон или динамик не найден. Воспользуйтесь экраном или позвоните на горячую линию.",
        "en": "No microphone or speaker was found. Please use the screen or call the hotline.",
    },
    # Rasa restarting (or without a model): the session stays usable; the turn was not taken
    "dialogue-unreachable": {
        "ru": "Одну минуту, пожалуйста: сервис перезапускается. Повторите через несколько секунд.",
        "en": "One moment, please: the service is restarting. Say that again in a few seconds.",
    },
    # Rasa up, but with nothing to say: a failed action, or its model not loaded
    "dialogue-empty": {
        "ru": "Извините, я не смог ответить. Повторите, пожалуйста, или скажите «оператор».",
        "en": "Sorry, I couldn't answer that. Please say it again, or say \"operator\".",
    },
    "dialogue-timeout": {
        "ru": "Извините, ответ занимает слишком много времени. Попробуйте ещё раз.",
        "en": "Sorry, this is taking too long. Please try again.",
    },
    "tts-failed": {
        "ru": "Не получилось озвучить ответ, он показан на экране.",
        "en": "I couldn't speak the answer; it is shown on the screen.",
    },
    "internal": {
        "ru": "Извините, что-то пошло не так. Попробуйте ещё раз.",
        "en": "Sorry, something went wrong. Please try again.",
    },
}


def fallback_line(code: str, lang: Lang | str) -> str:
    """The line for an error code in the session's language (Russian when unknown)."""
    lines = _LINES.get(code, _LINES["internal"])
    return lines.get(str(lang), lines["ru"])


def known_codes() -> frozenset[str]:
    return frozenset(_LINES)
