"""The AudioSocket protocol carries no credentials: the channel binds apart from the public host
and, when `channels.audiosocket_peers` is set, hangs up on anyone else before the greeting."""

from __future__ import annotations

import asyncio

from assistant.gateway.channels.audiosocket import AudioSocketServer
from assistant.settings import Settings


def test_binds_loopback_by_default_even_when_the_gateway_is_public() -> None:
    settings = Settings(host="0.0.0.0")  # type: ignore[call-arg]
    assert settings.channels.audiosocket_host == "127.0.0.1"


async def test_a_call_from_an_unlisted_address_is_closed_before_the_greeting() -> None:
    settings = Settings(channels={"audiosocket_peers": ["10.20.30.40"]})  # type: ignore[arg-type]
    server = AudioSocketServer(stack=None, settings=settings, host="127.0.0.1", port=0,  # type: ignore[arg-type]
                               lang="ru")
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        async with asyncio.timeout(5):
            assert await reader.read(100) == b""  # closed, not a single frame of greeting
        writer.close()
    finally:
        await server.close()
