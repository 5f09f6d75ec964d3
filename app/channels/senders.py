"""Build the channel senders from settings, once, in the lifespan."""

from __future__ import annotations

from app.platform.settings import Settings
from bots.messages import Sender


def build_senders(settings: Settings, hub: Sender) -> dict[str, Sender]:
    """``hub`` is the web chat's sender: the local hub, or its Redis-backed cluster wrapper."""
    senders: dict[str, Sender] = {"webchat": hub}
    if settings.telegram_token:
        from bots.telegram import TelegramSender

        senders["telegram"] = TelegramSender(settings.telegram_token.get_secret_value(), settings.telegram_api_base)
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_phone_number:
        from bots.twilio_sms import TwilioSMSSender
        from bots.twilio_voice import TwilioVoiceSender

        sms = TwilioSMSSender(
            settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(), settings.twilio_phone_number,
            settings.twilio_api_base, status_callback_url=settings.public_url.rstrip("/") + "/webhooks/twilio/status",
        )  # fmt: skip
        senders["sms"] = sms
        senders["voice"] = TwilioVoiceSender(sms)
    if settings.twilio_account_sid and settings.twilio_auth_token and settings.whatsapp_sender:
        from bots.twilio_whatsapp import TwilioWhatsApp, WhatsAppSender

        provider = TwilioWhatsApp(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                                  settings.whatsapp_sender, settings.twilio_api_base)  # fmt: skip
        senders["whatsapp"] = WhatsAppSender(provider, settings.whatsapp_templates,
                                             settings.public_url.rstrip("/") + "/webhooks/twilio/status",
                                             settings.whatsapp_alert_template, settings.whatsapp_button_templates)  # fmt: skip
    return senders
