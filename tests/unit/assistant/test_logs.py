from __future__ import annotations

import logging

import pytest

from assistant.gateway.logs import PiiMaskingFilter, mask_pii


def test_policy_card_and_birth_date_are_masked() -> None:
    text = "policy 7712345678901234 born 1985-03-14 card 0123456789 grouped 7712 3456 7890 1234"
    masked = mask_pii(text)
    for secret in ("7712345678901234", "1985-03-14", "0123456789", "7712 3456"):
        assert secret not in masked
    assert "************1234" in masked and "******6789" in masked


def test_short_numbers_stay(caplog: pytest.LogCaptureFixture) -> None:
    assert mask_pii("bus 144 at 10:30, stop 12") == "bus 144 at 10:30, stop 12"


def test_filter_masks_log_arguments() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "policy %s", ("7798765432109876",),
                               None)
    PiiMaskingFilter().filter(record)
    assert record.getMessage() == "policy ************9876"


# --- issue 11: tokens, session ids, access logs, every process ---------------------------------

def test_tokens_are_masked() -> None:
    masked = mask_pii('GET /v1/voice?lang=ru&token=demo-kiosk-token HTTP/1.1 '
                      'Authorization: Bearer s3cr3t.value api_key=abc123')
    for secret in ("demo-kiosk-token", "s3cr3t.value", "abc123"):
        assert secret not in masked
    assert "token=***" in masked and "Bearer ***" in masked


def test_session_ids_stay_readable() -> None:
    ids = ["kiosk-3f9a0c1234567890", "123e4567-e89b-12d3-a456-426614174000",
           "a1b2c3d4e5f60718293a4b5c6d7e8f90", "call_20240314123456"]
    for session_id in ids:
        assert mask_pii(f"voice session {session_id} ended") == f"voice session {session_id} ended"
    assert mask_pii("session kiosk-7 policy 7712345678901234") == \
        "session kiosk-7 policy ************1234"


def test_uvicorn_access_records_keep_their_arguments() -> None:
    """uvicorn's AccessFormatter unpacks record.args: the filter masks them in place."""
    from uvicorn.logging import AccessFormatter

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("10.0.0.5:5123", "GET", "/v1/voice?token=sekret-device-token",
                                "1.1", 101), None)
    PiiMaskingFilter().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert "sekret-device-token" not in line and "token=***" in line and "101" in line


def test_access_log_handlers_of_uvicorn_are_filtered() -> None:
    """With uvicorn's own logging config (its access logger does not propagate), the gateway's
    configure_logging still masks the access log."""
    import logging.config

    from uvicorn.config import LOGGING_CONFIG

    from assistant.gateway.logs import configure_logging

    names = ("uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).propagate,
                 logging.getLogger(n).level) for n in names}
    logging.config.dictConfig(LOGGING_CONFIG)
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(self.format(record))

    access = logging.getLogger("uvicorn.access")
    keep = Keep()
    access.addHandler(keep)
    try:
        configure_logging()
        access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:1", "GET",
                    "/v1/asr?lang=ru&token=device-secret-1", "1.1", 101)
    finally:
        for name, (handlers, propagate, level) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.propagate, logger.level = propagate, level
    assert seen and "device-secret-1" not in seen[0] and "token=***" in seen[0]


def test_tracebacks_are_masked() -> None:
    try:
        raise ValueError("bad policy 7712345678901234")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None,
                                   __import__("sys").exc_info())
    PiiMaskingFilter().filter(record)
    line = logging.Formatter().format(record)
    assert "7712345678901234" not in line and "************1234" in line


def test_the_action_server_and_the_city_services_install_the_filter() -> None:
    """spoken.privacy is the one filter; actions/server.py and cityservices install it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    for source in ("actions/server.py", "cityservices/cli.py", "cityservices/app.py"):
        text = (root / source).read_text(encoding="utf-8")
        assert "install_pii_filter()" in text, source


def test_city_app_factory_filters_uvicorn_loggers() -> None:
    from cityservices.app import create_app as city_app
    from cityservices.settings import load_city_settings

    access = logging.getLogger("uvicorn.access")
    for old in [f for f in access.filters if isinstance(f, PiiMaskingFilter)]:
        access.removeFilter(old)
    city_app(load_city_settings())
    assert any(isinstance(f, PiiMaskingFilter) for f in access.filters)


def test_no_info_line_per_request_from_httpx(caplog: pytest.LogCaptureFixture) -> None:
    """Issue 12: httpx's INFO line per request (each turn to Rasa) costs CPU and repeats
    gorod_dialogue_turn_seconds; the gateway's logging set-up keeps httpx to warnings."""
    import httpx

    from assistant.gateway.logs import configure_logging

    configure_logging()
    caplog.set_level(logging.INFO)
    with httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200))) as client:
        assert client.get("http://rasa.internal/healthz").status_code == 200
    assert not [r for r in caplog.records if r.name == "httpx"]
    logging.getLogger("assistant.gateway.dialogue").info("still logged")
    assert [r for r in caplog.records if r.getMessage() == "still logged"]
