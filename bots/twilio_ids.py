"""Twilio's ids of what it keeps about a call, read from what we stored (no twilio import: the core may use it)."""

from __future__ import annotations

import re

SID_RE = re.compile(r"^(RE|CA)[0-9a-fA-F]{32}$")


def provider_refs(external_id: str | None, body: str | None) -> list[str]:
    """What Twilio keeps of one stored voice message: its call record, and the voicemail recording if any."""
    refs: list[str] = []
    if external_id and external_id.startswith("call:"):
        sid = external_id.split(":")[1]
        if SID_RE.match(sid):
            refs.append(f"call:{sid}")
    if body and body.startswith("voicemail: "):
        sid = body.rsplit("/", 1)[-1].split(".")[0].split("?")[0]
        if SID_RE.match(sid):
            refs.append(f"recording:{sid}")
    return refs
