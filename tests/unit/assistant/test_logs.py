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
