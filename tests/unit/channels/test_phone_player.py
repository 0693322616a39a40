"""The phone player always stops when its call ends, whatever it was doing at that moment."""

from __future__ import annotations

import asyncio

from assistant.gateway.channels.audiosocket import CallPlayer
from assistant.gateway.channels.audiosocket_protocol import FRAME_BYTES


class Writer:
    """A socket writer that takes everything at once, as a fast peer does."""

    def __init__(self) -> None:
        self.frames = 0

    def write(self, data: bytes) -> None:
        self.frames += 1

    async def drain(self) -> None:
        return None


async def test_cancel_stops_the_player_at_any_moment() -> None:
    # A cancel that lands while a frame's drain is finishing used to be swallowed (wait_for
    # on Python 3.11), and the call then waited for its player forever.
    for steps in range(200):
        player = CallPlayer(Writer(), send_timeout_s=5)  # type: ignore[arg-type]
        task = asyncio.create_task(player.run())
        player.play(bytes(FRAME_BYTES * 50))
        for _ in range(steps % 7):
            await asyncio.sleep(0)
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=2)
        assert task in done, f"the player outlived its call (cancelled after {steps % 7} steps)"
