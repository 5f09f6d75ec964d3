"""Coordinators upload voice prompts; callers then hear the recording instead of the Russian voice."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.pages import services_of, signed_in

WAV = b"RIFF$\x00\x00\x00WAVEfmt " + b"\x00" * 28


async def test_uploaded_prompt_is_played_to_callers_in_that_language(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    page = await client.get("/admin/scripts/voice_main_menu")
    assert 'id="audio"' in page.text
    response = await client.post("/admin/scripts/voice_main_menu/audio", data={"language": "kk", "csrf": token},
                                 files={"file": ("menu.wav", WAV, "audio/wav")})  # fmt: skip
    assert response.status_code == 303
    services = services_of(client)
    url = services.scripts.get("audio.voice_main_menu", "kk", "voice")
    assert url.startswith(services.settings.public_url) and url.endswith(".wav")
    fetched = await client.get(url.removeprefix(services.settings.public_url))
    assert fetched.status_code == 200 and fetched.content == WAV

    from app.channels.voice import _prompt

    assert _prompt(services.phone_line, "voice_main_menu", "kk").audio_url == url
    assert _prompt(services.phone_line, "voice_main_menu", "uz").audio_url is None  # no recording: Russian <Say>
    twiml = ET.fromstring(f"<Response><Play>{url}</Play></Response>")
    assert twiml.find("Play") is not None


async def test_upload_refuses_what_is_not_audio_and_needs_a_coordinator(client) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    bad = await client.post("/admin/scripts/voice_main_menu/audio", data={"language": "kk", "csrf": token},
                            files={"file": ("x.exe", b"MZ", "application/octet-stream")})  # fmt: skip
    assert bad.status_code == 303 and "error=bad_audio" in bad.headers["location"]
    assert services_of(client).scripts.get("audio.voice_main_menu", "kk", "voice") == ""
    no_csrf = await client.post("/admin/scripts/voice_main_menu/audio", data={"language": "kk"},
                                files={"file": ("m.wav", WAV, "audio/wav")})  # fmt: skip
    assert no_csrf.status_code == 403
