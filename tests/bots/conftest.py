"""The loopback fakes for these tests (imported: pytest_plugins only works in the root conftest)."""

from tests.fakes.conftest_plugin import fake_telegram, fake_twilio  # noqa: F401
