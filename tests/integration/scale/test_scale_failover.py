"""`assistant up --scale` with two replicas of each process: a booking dialogue through HAProxy
and the gateways goes on when the Rasa replica that serves it is killed (kill -9) mid-dialogue,
with its state, on the other replica (the tracker is in PostgreSQL); the city has exactly one
booking; HAProxy really spreads the action and city calls over both replicas of each."""

from __future__ import annotations

import os
import signal
import socket
import uuid

import pytest

from assistant.gateway.replicas import HashRing
from tests.integration.scale.conftest import REPLICAS, ScaledStack, wait_until

pytestmark = [pytest.mark.stack, pytest.mark.rasa]

POLICY, BIRTH = "7712345678901234", "1985-03-14"
IVAN = ("семь семь один два три четыре пять шесть семь восемь девять ноль один два три четыре",
        "четырнадцатого марта тысяча девятьсот восемьдесят пятого года")


def refuses(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    return False


def said(body: dict[str, object]) -> str:
    replies = body["replies"]
    assert isinstance(replies, list)
    return " | ".join(str(reply["text"]) for reply in replies)


def ivans_appointments(stack: ScaledStack) -> list[dict[str, object]]:
    ident = stack.city("POST", "/health/v1/patients/identify",
                       json={"policy_number": POLICY, "birth_date": BIRTH})
    answer = stack.city("GET", "/health/v1/appointments",
                        headers={"Authorization": f"Bearer {ident['token']}"})
    return [a for a in answer["appointments"] if a.get("status") != "cancelled"]


def test_the_topology_names_every_replica(scaled: ScaledStack) -> None:
    top = scaled.topology
    for kind in ("rasa", "gateways", "action_servers", "city_services"):
        assert len(top[kind]) == REPLICAS, kind
        assert all(r["pid"] and r["url"].startswith("http://127.0.0.1:") for r in top[kind])
    assert top["haproxy"]["pid"]


def test_a_dialogue_survives_the_death_of_its_rasa(scaled: ScaledStack) -> None:
    assert ivans_appointments(scaled) == []
    top = scaled.topology
    session = f"scale-{uuid.uuid4().hex[:8]}"
    owner_url = HashRing([r["url"] for r in top["rasa"]]).order(session)[0]
    owner = next(r for r in top["rasa"] if r["url"] == owner_url)

    assert "Здравствуйте" in said(scaled.text(session, "здравствуйте"))
    assert "полис" in said(scaled.text(session, "запишите меня к лору на послезавтра"))
    assert "7712 3456 7890 1234" in said(scaled.text(session, IVAN[0]))

    os.kill(owner["pid"], signal.SIGKILL)  # mid-dialogue, between two turns
    # gone: a process killed with 1 GB mapped and many threads takes a moment to close its
    # sockets, and a turn sent in that moment is taken by the kernel and then reset: "one
    # moment", never resent (it could have reached Rasa); the next turn goes to the next replica
    wait_until(lambda: refuses(owner["url"]), 30, f"{owner['name']} refusing after kill -9")

    after = said(scaled.text(session, IVAN[1]))  # the policy number was given to the dead one
    assert "Иван Петров" in after and "свободно" in after, after
    assert "Подтверждаете" in said(scaled.text(session, "первый"))
    assert "Номер записи" in said(scaled.text(session, "да"))
    booked = ivans_appointments(scaled)
    assert len(booked) == 1 and booked[0]["serviceType"] == "otolaryngologist", booked

    # Rasa's lock store is the shared Redis: the replicas took and released their locks there
    assert scaled.redis_command_calls("set") > 0 and scaled.redis_command_calls("del") > 0

    # the supervisor restarts the dead replica; topology.json follows its new pid
    wait_until(lambda: next(r for r in scaled.topology["rasa"]
                            if r["name"] == owner["name"])["pid"] != owner["pid"],
               60, f"{owner['name']} restarted with a new pid in topology.json")


def test_haproxy_spreads_the_calls_over_every_replica(scaled: ScaledStack) -> None:
    """After the booking dialogue (several action calls, several city calls): every action
    server and every city back-end served requests, counted by HAProxy."""
    for turn in range(4):  # a few more action and city calls, in case the dialogue was short
        scaled.text(f"spread-{uuid.uuid4().hex[:6]}-{turn}", "сколько стоит проезд по тройке")
    served = {(row["pxname"], row["svname"]): int(row["stot"] or 0)
              for row in scaled.haproxy_stats()}
    for backend, prefix in (("actions", "actions"), ("cityservices", "cityservices")):
        counts = {n: served.get((backend, f"{prefix}-{n}"), 0) for n in range(1, REPLICAS + 1)}
        assert all(count > 0 for count in counts.values()), (backend, counts)
    gateways = {n: served.get(("gateways", f"gateway-{n}"), 0) for n in range(1, REPLICAS + 1)}
    assert sum(gateways.values()) > 0, gateways
