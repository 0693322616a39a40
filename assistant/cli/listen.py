"""`assistant listen`: a spoken conversation on the local microphone and speaker.

Two modes:
- push-to-talk (default): Enter opens the microphone for one utterance and stops any reply being
  played; the endpointer closes it after the channel's trailing silence.
- hands-free: the microphone is always open; speech during playback stops the playback
  (barge-in). Echo risk: without echo cancellation the kiosk can hear its own reply through the
  microphone and interrupt itself. Use a headset or a directional microphone with the speaker
  behind it, or push-to-talk, where the microphone is closed while the reply plays.

The loop (`converse`) takes any audio source and any player, so it runs the same on a file and
a fake-free test as on a sound card.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from rich.console import Console

from assistant.gateway.contracts import Lang, PipelineEvent
from assistant.gateway.contracts import PipelineEventType as Ev
from assistant.gateway.pipeline import Conversation, VoiceStack, speech_of
from assistant.settings import Settings
from audio.types import AudioChunk, AudioFormat, Speech

log = logging.getLogger(__name__)


class AudioOutput(Protocol):
    def play(self, speech: Speech) -> None: ...

    def stop(self) -> None: ...

    @property
    def playing(self) -> bool: ...


class DevicePlayer:
    """Plays on the default speaker without blocking; knows when the reply will have ended."""

    def __init__(self) -> None:
        self._until = 0.0

    def play(self, speech: Speech) -> None:
        from audio import devices

        devices.play(speech.pcm, speech.fmt.rate, blocking=False)
        self._until = time.monotonic() + speech.duration_ms / 1000.0

    def stop(self) -> None:
        from audio import devices

        devices.stop()
        self._until = 0.0

    @property
    def playing(self) -> bool:
        return time.monotonic() < self._until


async def microphone(rate: int = 16000, block_ms: int = 100) -> AsyncIterator[AudioChunk]:
    """Chunks from the default microphone (AudioDeviceError when there is none)."""
    from audio import devices

    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[bytes] = asyncio.Queue()

    def on_audio(indata: bytes, frames: int, at: object, status: object) -> None:
        loop.call_soon_threadsafe(chunks.put_nowait, bytes(indata))

    stream = devices.open_input(rate, block_ms, on_audio)
    fmt = AudioFormat(rate=rate)
    with stream:
        while True:
            yield AudioChunk(await chunks.get(), fmt)


class PushToTalk:
    """Enter on stdin opens the microphone for one utterance."""

    def __init__(self) -> None:
        self.open = asyncio.Event()

    def start(self, prompt: Callable[[], None]) -> None:
        loop = asyncio.get_running_loop()

        def read_enter() -> None:
            while sys.stdin.readline():
                loop.call_soon_threadsafe(self.open.set)
            loop.call_soon_threadsafe(self.open.set)  # EOF: let the loop notice and end

        prompt()
        threading.Thread(target=read_enter, daemon=True, name="push-to-talk").start()


def show(console: Console, events: list[PipelineEvent]) -> None:
    for event in events:
        if event.type is Ev.STT_FINAL:
            console.print(f"[bold]you:[/bold] {event.data['text']}")
        elif event.type is Ev.TTS_START:
            console.print(f"[bold cyan]assistant:[/bold cyan] {event.data['text']}")
        elif event.type is Ev.DIALOGUE_END:
            for item in event.data.get("events", []):
                if item.get("type") == "display":
                    console.print(f"[on blue] {item.get('text', '')} [/on blue]")
        elif event.type is Ev.ERROR:
            console.print(f"[dim]({event.data.get('code')})[/dim]")


async def converse(
    talk: Conversation,
    chunks: AsyncIterator[AudioChunk],
    player: AudioOutput,
    on_events: Callable[[list[PipelineEvent]], None],
    push_to_talk: PushToTalk | None = None,
) -> None:
    """Greet, then hear, respond and play until the conversation closes or audio ends."""
    greeting = await talk.greet()
    on_events(greeting)
    for speech in speech_of(greeting):
        player.play(speech)
    async for chunk in chunks:
        if push_to_talk is not None:
            if not push_to_talk.open.is_set():
                continue
            if player.playing:
                player.stop()  # pressing Enter interrupts the reply
        events = await talk.hear(chunk)
        if player.playing and any(e.type is Ev.STT_START for e in events):
            player.stop()  # barge-in
            await talk.barge_in()
        on_events(events)
        if talk.utterance_over:
            if push_to_talk is not None:
                push_to_talk.open.clear()
            reply = await talk.respond()
            on_events(reply)
            for speech in speech_of(reply):
                player.play(speech)
        if talk.closed:
            break


def run_kiosk(settings: Settings, lang: str, console: Console, hands_free: bool = False) -> None:
    """The local kiosk: microphone in, speaker out, the transcript and replies on screen."""
    asyncio.run(_run_kiosk(settings, lang, console, hands_free))


async def _run_kiosk(settings: Settings, lang: str, console: Console, hands_free: bool) -> None:
    stack = VoiceStack.from_settings(settings)
    session = f"kiosk-{int(time.time())}"
    language: Lang = "en" if lang == "en" else "ru"
    try:
        async with Conversation(stack, session, "kiosk", language) as talk:
            ptt = None if hands_free else PushToTalk()
            if ptt is not None:
                ptt.start(lambda: console.print("[dim]Press Enter, then speak.[/dim]"))
            await converse(talk, microphone(), DevicePlayer(), lambda ev: show(console, ev), ptt)
    finally:
        await stack.aclose()
