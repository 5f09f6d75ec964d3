"""Is this upload really a recording? Its bytes decide (never the declared type), and signed links to it.

WAV is opened with the standard library's ``wave`` reader; MP3 must start
with an ID3 tag or an MPEG audio frame, and the frames must chain: each
header's bitrate and sample rate give the next header's offset, and a run of
them has to line up. An HTML page, a script or an executable declared as
``audio/mpeg`` fails both.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import wave
from datetime import datetime
from typing import Literal
from urllib.parse import parse_qs, urlencode, urlsplit

AudioKind = Literal["mp3", "wav"]
CONTENT_TYPES: dict[AudioKind, str] = {"mp3": "audio/mpeg", "wav": "audio/wav"}
# Twilio fetches a prompt while the call runs; a link lives long enough for that and no longer.
LINK_SECONDS = 3600
FRAMES_TO_CHAIN = 3

# MPEG-1 and MPEG-2/2.5 layer III bitrates (kbit/s) and sample rates (Hz) by header index.
_BITRATES = {1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
             2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)}  # fmt: skip
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _wav_ok(body: bytes) -> bool:
    if body[:4] != b"RIFF" or body[8:12] != b"WAVE":
        return False
    try:
        with wave.open(io.BytesIO(body)) as reader:
            return reader.getnframes() > 0 and reader.getnchannels() in (1, 2) and reader.getframerate() >= 8000
    except (wave.Error, EOFError, ValueError):
        return False


def _frame_length(header: bytes) -> int | None:
    """Length in bytes of the MPEG layer III frame this 4-byte header starts, or None if it is not one."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 0x03  # 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5, 1: reserved
    layer = (header[1] >> 1) & 0x03  # 1: layer III
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 0x03
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _BITRATES[1 if version == 3 else 2][bitrate_index] * 1000
    rate = _RATES[version][rate_index]
    padding = (header[2] >> 1) & 0x01
    return (144 if version == 3 else 72) * bitrate // rate + padding


def _mp3_ok(body: bytes) -> bool:
    offset = 0
    if body[:3] == b"ID3" and len(body) >= 10:
        size = body[6:10]
        if any(b & 0x80 for b in size):
            return False
        offset = 10 + ((size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3])
    frames = 0
    while frames < FRAMES_TO_CHAIN:
        length = _frame_length(body[offset:offset + 4])
        if length is None or length < 4:
            return False
        offset += length
        frames += 1
        if offset == len(body):
            break
    return frames >= 1 and offset <= len(body)


def sniff_audio(body: bytes) -> AudioKind | None:
    """'mp3' or 'wav' when the bytes decode as that, else None."""
    if _wav_ok(body):
        return "wav"
    if _mp3_ok(body):
        return "mp3"
    return None


def _signature(secret: str, name: str, expires: int) -> str:
    key = hashlib.sha256(b"helpline-media:" + secret.encode()).digest()
    return hmac.new(key, f"{name}|{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def signed_link(url: str, secret: str, now: datetime) -> str:
    """``url`` (a /media/audio/<name> link) with an expiry and a signature Twilio can fetch it with."""
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    expires = int(now.timestamp()) + LINK_SECONDS
    return f"{url.split('?', 1)[0]}?{urlencode({'e': expires, 's': _signature(secret, name, expires)})}"


def link_valid(name: str, query: str, secret: str, now: datetime) -> bool:
    params = parse_qs(query)
    try:
        expires = int(params.get("e", ["0"])[0])
    except ValueError:
        return False
    sent = params.get("s", [""])[0]
    return expires >= now.timestamp() and hmac.compare_digest(sent.encode(), _signature(secret, name, expires).encode())
