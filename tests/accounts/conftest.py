"""Fixtures of the account tests: the fake platform APIs (tests/platform_fakes.py)."""

from tests.platform_fakes import fake_api, other_host  # noqa: F401  (fixtures)
