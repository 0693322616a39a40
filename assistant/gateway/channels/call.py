"""A channel's view of one `Conversation`: wire events, reply audio, history and handoff.

Every channel (smart speaker WebSocket, kiosk page, AudioSocket, mod_audio_fork) turns the
pipeline's typed events into the same wire events of `assistant.gateway.wire` plus `Speech`
objects, in order: `Partial` (live transcript), `Final`, `Reply`, `Display` (shown on a screen,
never spoken), `Handoff` (the masked summary sent to the operator), `AudioHead` followed by a
Speech object, `ErrorEvent`, `TurnEnd`.

A transport sends the events as JSON (or ignores them, on the phone) and the Speech as audio.
`stream()` / `stream_text()` yield them as the pipeline's stages finish (the `Final` before the
dialogue runs; one `AudioHead` and Speech per sentence of the reply); `respond()` /
`respond_text()` collect them. `repeat()` says the whole last reply, also after a barge-in cut it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from assistant.gateway.channels.handoff import mask_summary, post_handoff
from assistant.gateway.contracts import Channel, Lang, PipelineEvent
from assistant.gateway.contracts import PipelineEventType as Ev
from assistant.gateway.fallbacks import fallback_line
from assistant.gateway.handoffs import HandoffRegistry
from assistant.gateway.pipeline import Conversation, VoiceStack
from assistant.gateway.wire import (
    AudioHead,
    Display,
    ErrorEvent,
    Final,
    Handoff,
    Partial,
    Reply,
    TurnEnd,
    WireMessage,
    WordTiming,
)
from audio.types import AudioChunk, PipelineError, Speech

log = logging.getLogger(__name__)

Item = WireMessage | Speech
HISTORY_TURNS = 6


class Call:
    """One caller on one channel. Open with `async with`; not shared between tasks."""

    def __init__(self, stack: VoiceStack, call_id: str, channel: Channel, lang: Lang,
                 out_rate: int, handoffs: HandoffRegistry | None = None) -> None:
        self.stack = stack
        self.handoffs = handoffs  # the operator screen's and the call route's registry
        self.call_id = call_id
        self.channel = channel
        self.conv = Conversation(stack, call_id, channel, lang, out_rate=out_rate)
        self.history: list[dict[str, str]] = []
        self.end_reason = ""
        self.heard_audio = False  # audio fed since the last turn

    async def __aenter__(self) -> Call:
        await self.conv.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.conv.__aexit__(*exc)

    @property
    def closed(self) -> bool:
        return self.conv.closed

    @property
    def utterance_over(self) -> bool:
        return self.conv.utterance_over

    @property
    def last_spoken(self) -> str:
        """The whole text of the last reply spoken (or begun, when the caller cut it)."""
        return self.conv.last_reply

    async def hear(self, chunk: AudioChunk) -> tuple[list[Item], bool]:
        """Feed audio: (items, speech started). Raises PipelineError for bad audio."""
        self.heard_audio = True
        events = await self.conv.hear(chunk)
        started = any(e.type is Ev.STT_START for e in events)
        return await self.translate(events), started

    async def respond(self) -> list[Item]:
        """The utterance is over (endpoint, or the device said so): run the turn."""
        return [item async for item in self.stream()]

    async def respond_text(self, text: str) -> list[Item]:
        """A typed or keypad turn; any utterance being heard is dropped."""
        return [item async for item in self.stream_text(text)]

    async def stream(self) -> AsyncIterator[Item]:
        """`respond()`, each item as soon as its stage is done."""
        if not self.heard_audio:
            yield ErrorEvent("no-audio", "end of audio before any audio frame")
            yield TurnEnd()
            return
        self.heard_audio = False
        async for event in self.conv.stream():
            for item in await self._translate_one(event):
                yield item

    async def stream_text(self, text: str) -> AsyncIterator[Item]:
        """`respond_text()`, each item as soon as its stage is done."""
        await self.cancel()
        async for event in self.conv.stream_text(text):
            for item in await self._translate_one(event):
                yield item

    async def barge_in(self) -> None:
        """The caller spoke over the reply: the rest of it is not made (the channel stops what
        plays); `repeat()` still says all of it."""
        await self.conv.barge_in()

    async def cancel(self) -> None:
        if self.heard_audio:
            await self.conv.cancel()
        self.heard_audio = False

    async def greet(self) -> list[Item]:
        return await self.translate(await self.conv.greet())

    async def repeat(self) -> list[Item]:
        """Say the last reply again (the "repeat" button)."""
        text = self.last_spoken or fallback_line("greeting", self.conv.lang)
        return [*await self.say(text), TurnEnd()]

    async def set_slow(self, slow: bool) -> list[Item]:
        """The "slower" button: every reply from now on at the slow rate."""
        self.conv.slow = slow
        line = fallback_line("slower" if slow else "faster", self.conv.lang)
        return [*await self.say(line), TurnEnd()]

    async def say(self, text: str) -> list[Item]:
        self.conv.last_reply = text
        tts = self.stack.tts
        try:
            speech = await tts.synthesize(text, self.conv.lang, tts.rate_for(self.conv.slow),
                                          self.conv.out_rate, cache=True)
        except PipelineError as exc:
            return [ErrorEvent(exc.code, exc.message)]
        return self._audio_items(text, speech)

    async def translate(self, events: list[PipelineEvent]) -> list[Item]:
        items: list[Item] = []
        for event in events:
            items += await self._translate_one(event)
        return items

    async def _translate_one(self, event: PipelineEvent) -> list[Item]:
        data = event.data
        if event.type is Ev.STT_PARTIAL:
            return [Partial(str(data.get("text", "")))]
        if event.type is Ev.STT_FINAL:
            self._remember("user", str(data.get("text", "")))
            words = tuple(WordTiming.from_dict(w) for w in data.get("words", []))
            return [Final(str(data.get("text", "")), data.get("confidence"), words)]
        if event.type is Ev.DIALOGUE_END:
            return await self._dialogue_items(data)
        if event.type is Ev.TTS_END and isinstance(data.get("speech"), Speech):
            return self._audio_items(str(data.get("text", "")), data["speech"])
        if event.type is Ev.ERROR:
            return [ErrorEvent(str(data.get("code", "internal")), str(data.get("message", "")))]
        if event.type is Ev.RUN_END:
            return [TurnEnd(data.get("ms"), cut=bool(data.get("cut")))]
        return []

    async def _dialogue_items(self, data: dict[str, Any]) -> list[Item]:
        texts = [str(r.get("text", "")) for r in data.get("replies", [])]
        events = [e for e in data.get("events", []) if e.get("type") != "nlu"]
        items: list[Item] = []
        for event in events:
            kind = event.get("type")
            if kind == "display":
                items.append(Display(str(event.get("text", ""))))
            elif kind == "handoff":
                summary = mask_summary(event.get("summary", {}))
                items.append(Handoff(summary))
                self.end_reason = "handoff"
                body = self._handoff_body(summary)
                if self.handoffs is not None:  # before the POST: the PBX may ask at once
                    self.handoffs.add(self.call_id, self.channel, self.conv.lang, summary,
                                      body["last_turns"])
                await post_handoff(self.stack.settings, body)
            elif kind == "end_session" and not self.end_reason:
                self.end_reason = str(event.get("reason") or "goodbye")
        for text in texts:
            self._remember("bot", text)
        shown = [e for e in events if e.get("type") != "handoff"]
        return [Reply(tuple(texts), tuple(shown)), *items]

    def _audio_items(self, text: str, speech: Speech) -> list[Item]:
        return [AudioHead(text, speech.fmt.rate, len(speech.pcm)), speech]

    def _remember(self, who: str, text: str) -> None:
        if text:
            self.history = [*self.history, {"who": who, "text": text}][-HISTORY_TURNS:]

    def _handoff_body(self, summary: dict[str, Any]) -> dict[str, Any]:
        return {"call_id": self.call_id, "channel": self.channel, "lang": self.conv.lang,
                "summary": summary, "last_turns": mask_summary(self.history)}
