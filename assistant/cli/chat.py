"""`assistant chat`: a text conversation with the gateway in the terminal."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
from rich.console import Console

HELP = "Type your message. /en or /ru switches language, /quit ends the chat."


def run_chat(
    gateway_url: str,
    lang: str,
    console: Console,
    read_line: Callable[[], str] = input,
    channel: str = "web",
) -> None:
    session_id = f"chat-{uuid.uuid4().hex[:12]}"
    console.print(f"[dim]{HELP}[/dim]")
    with httpx.Client(base_url=gateway_url, timeout=30.0) as http:
        while True:
            try:
                text = read_line().strip()
            except (EOFError, KeyboardInterrupt):
                break
            if not text:
                continue
            if text in ("/quit", "/exit"):
                break
            if text in ("/ru", "/en"):
                lang = text[1:]
                console.print(f"[dim]language: {lang}[/dim]")
                continue
            body = {"session_id": session_id, "text": text, "lang": lang, "channel": channel}
            try:
                response = http.post("/v1/text", json=body)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                console.print(f"[red]gateway error: {exc}[/red]")
                continue
            show_reply(console, response.json())


def show_reply(console: Console, payload: dict[str, object]) -> None:
    replies = payload.get("replies")
    for reply in replies if isinstance(replies, list) else []:
        console.print(f"[bold cyan]assistant:[/bold cyan] {reply.get('text', '')}")
    events = payload.get("events")
    for event in events if isinstance(events, list) else []:
        console.print(f"[dim]event: {event}[/dim]")
