"""The app's side of the channels: webhooks, the voice flow, the web chat and the senders."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    from app.channels import voice, webchat, webhooks

    app.include_router(webhooks.router)
    app.include_router(voice.router)
    app.include_router(webchat.router)
