"""The app's side of the channels: provider webhooks, the voice flow, the web chat, the senders, the Telegram CLI."""
