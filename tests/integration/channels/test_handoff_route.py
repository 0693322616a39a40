"""A handoff on the phone, as Asterisk sees it: the gateway plays the handoff line, sends the
hangup frame and closes, so the dialplan goes on; the dialplan's `CURL` of the call route gets
the operator queue, and the masked summary waits for the operator (docs/asterisk-dialplan.md)."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from assistant.cli.audiosocket_caller import FakeAsterisk
from assistant.gateway.channels.audiosocket_protocol import Kind, call_uuid, dtmf, read_message
from tests.integration.channels.conftest import ROUTE_TOKEN, Gateway
from tests.integration.channels.support import POLICY

HOST = "127.0.0.1"


def route(gateway: Gateway, call_id: uuid.UUID, **params: str) -> httpx.Response:
    return httpx.get(gateway.url(f"/v1/calls/{call_id}/route", "http"), params=params,
                     headers={"Authorization": f"Bearer {ROUTE_TOKEN}"}, timeout=10)


async def test_after_a_handoff_the_route_answers_the_queue_and_the_summary_is_kept(
        gateway: Gateway) -> None:
    async with FakeAsterisk(HOST, gateway.phone_port) as call:
        await call.wait_audio_after(0.0)  # the greeting
        await call.send_digits("0#")  # the stand-in dialogue hands "0" off
        await asyncio.wait_for(call.hung_up.wait(), 30)
        assert call.heard

    # the dialplan's CURL, as Asterisk sends it (hashcompat text), then as JSON
    answer = await asyncio.to_thread(route, gateway, call.call_id)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    fields = dict(pair.split("=", 1) for pair in answer.text.strip().split("&"))
    assert fields == {"action": "queue", "queue": "operators-ko", "lang": "ko", "task": "booking"}
    as_json = (await asyncio.to_thread(route, gateway, call.call_id, format="json")).json()
    assert as_json["queue"] == "operators-ko"

    record = gateway.app.state.handoffs.get(str(call.call_id))
    assert record is not None and record.state == "queued" and record.channel == "phone"
    shown = str(record.to_dict(record.at))
    assert POLICY not in shown and POLICY[-4:] in shown  # masked, as the webhook got it
    assert record.summary["last_turns"], "the dialogue's last turns are part of the summary"


async def test_the_gateway_sends_the_hangup_frame_then_closes(gateway: Gateway) -> None:
    call_id = uuid.uuid4()
    reader, writer = await asyncio.open_connection(HOST, gateway.phone_port)
    try:
        writer.write(call_uuid(call_id).encode())
        writer.write(dtmf("0").encode() + dtmf("#").encode())
        await writer.drain()
        kinds = []
        async with asyncio.timeout(30):
            while (message := await read_message(reader, 0xFFFF)) is not None:
                kinds.append(message.kind)
        assert kinds[-1] is Kind.HANGUP, "the session must end with a hangup frame"
        assert Kind.AUDIO in kinds, "the handoff line is played before the hangup"
        assert await reader.read() == b"", "then the gateway closes the connection"
    finally:
        writer.close()


async def test_the_route_needs_the_pbx_token_and_knows_only_handed_off_calls(
        gateway: Gateway) -> None:
    url = gateway.url(f"/v1/calls/{uuid.uuid4()}/route", "http")
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.get(url)).status_code == 403
        assert (await client.get(url, params={"token": "wrong"})).status_code == 403
        unknown = await client.get(url, params={"token": ROUTE_TOKEN})
    assert unknown.status_code == 200 and unknown.text.strip() == "action=hangup"
