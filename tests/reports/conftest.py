"""Fixtures for the reports' tests."""

from __future__ import annotations

import datetime as dt
import time

import pytest

# No test of a report's days runs as long as this.
LONGEST_TEST = dt.timedelta(seconds=60)


@pytest.fixture
def today() -> dt.date:
    """Today (UTC), the day the server reads as today while the test runs: a test that would
    start in the last minute of a day waits for the next one, so that the two never differ."""
    now = dt.datetime.now(dt.UTC)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
    if midnight - now < LONGEST_TEST:
        time.sleep((midnight - now).total_seconds() + 0.1)
    return dt.datetime.now(dt.UTC).date()
