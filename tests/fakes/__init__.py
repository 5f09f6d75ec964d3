"""Loopback servers playing the far side of the network (Telegram Bot API, Twilio REST)."""

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.twilio_api import FakeTwilioAPI, signed_form

__all__ = ["FakeTelegramAPI", "FakeTwilioAPI", "signed_form"]
