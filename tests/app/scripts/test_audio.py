"""Coordinators upload voice prompts; callers then hear the recording instead of the Russian voice."""

from __future__ import annotations

import io
import wave
import xml.etree.ElementTree as ET

import httpx
import pytest

from app.platform.db import session_scope
from app.platform.shared import files_under
from app.scripts.audiofile import sniff_audio
from tests.pages import services_of, signed_in


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(b"\x00\x01" * 800)
    return out.getvalue()


WAV = _wav()
# Three MPEG-1 layer III frames, 128 kbit/s at 44.1 kHz: 417 bytes each.
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 3
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


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
    fetched = await client.get(url.removeprefix(services.settings.public_url))  # the coordinator, signed in
    assert fetched.status_code == 200 and fetched.content == WAV
    assert fetched.headers["content-type"] == "audio/wav" and fetched.headers["x-content-type-options"] == "nosniff"
    assert fetched.headers["content-disposition"].startswith("attachment")

    from app.channels.voice import _prompt

    played = _prompt(services.phone_line, "voice_main_menu", "kk").audio_url
    assert played.startswith(url + "?e=")  # what Twilio gets is a signed link that expires
    anonymous = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
    async with anonymous:
        assert (await anonymous.get(played.removeprefix(services.settings.public_url))).status_code == 200
        assert (await anonymous.get(url.removeprefix(services.settings.public_url))).status_code == 404
        assert (await anonymous.get(played.removeprefix(services.settings.public_url)[:-3] + "abc")).status_code == 404
    # Kept in the database (every instance serves it, the backups cover it), never on this instance's disk.
    assert not (services.settings.data_dir / "audio").exists()
    async with session_scope(services.sessionmaker) as session:
        assert [f.content for f in await files_under(session, "audio/")] == [WAV]
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


@pytest.mark.parametrize("declared", ["audio/mpeg", "audio/wav"])
async def test_an_html_file_uploaded_as_audio_is_refused(client, declared: str) -> None:  # type: ignore[no-untyped-def]
    token = await signed_in(client, "coord", role="coordinator")
    response = await client.post("/admin/scripts/voice_main_menu/audio", data={"language": "kk", "csrf": token},
                                 files={"file": ("menu.mp3", HTML, declared)})  # fmt: skip
    assert response.status_code == 303 and "error=bad_audio" in response.headers["location"]
    assert services_of(client).scripts.get("audio.voice_main_menu", "kk", "voice") == ""
    assert not (services_of(client).settings.data_dir / "audio").exists() or not any(
        (services_of(client).settings.data_dir / "audio").iterdir())


def test_only_bytes_that_decode_as_mp3_or_wav_count_as_audio() -> None:
    assert sniff_audio(WAV) == "wav" and sniff_audio(MP3) == "mp3"
    assert sniff_audio(MP3[10:]) == "mp3"  # no ID3 tag
    for bad in (HTML, b"RIFF\x00\x00\x00\x00WAVE", b"ID3" + HTML, b"\xff\xfb" + HTML, b"", MP3[:500] + HTML, b"MZ\x90"):
        assert sniff_audio(bad) is None, bad[:20]
