"""Voice through Twilio: call webhooks -> InboundMessage, menus and operator dialling -> TwiML.

The call flow (which menu comes next, who to dial) is the core's decision; these
builders only render it. Each ``action_url`` should carry the step name in its
query string so that the app can pass it back to :func:`parse_voice`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from twilio.base.exceptions import TwilioRestException
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from bots.errors import InvalidRequest
from bots.messages import Attachment, Channel, InboundMessage, OutboundMessage, SendError, SendResult
from bots.twilio_ids import SID_RE
from bots.twilio_rest import RetryableResponse, to_send_error
from bots.twilio_sms import TwilioSMSSender

# Which languages the menus offer, which digit picks each and which have Twilio voices or speech
# recognition is the app's language registry; the caller passes those in.
OPERATOR_ACCEPT_DIGIT = "1"


@dataclass(frozen=True, slots=True)
class Prompt:
    """One thing to tell the caller: a recorded file where we have one, else text-to-speech."""

    text: str
    language: str = "ru"
    audio_url: str | None = None
    voice: str = "ru-RU"  # the text-to-speech voice that reads ``text`` (where there is no recording)


@dataclass(frozen=True, slots=True)
class CallStatus:
    """A call status callback, or the result of a <Dial> (DialCallStatus) when that is present."""

    call_sid: str
    status: str
    duration: int | None = None


def _required(form: Mapping[str, str], name: str) -> str:
    if not form.get(name):
        raise InvalidRequest(400, f"missing {name}")
    return form[name]


def parse_voice(form: Mapping[str, str], step: str | None = None) -> InboundMessage:
    """Translate a voice webhook: the first request of a call (``step`` None) or a Gather/Record result.

    The id is stable for a redelivery of the same request, so the app's dedupe works;
    use a distinct ``step`` each time a menu is replayed within a call.
    """
    call_sid = _required(form, "CallSid")
    caller = _required(form, "From")
    digits = form.get("Digits", "").strip()
    speech = form.get("SpeechResult", "").strip()
    recording = form.get("RecordingUrl", "").strip()
    if step is None:
        message_id = f"call:{call_sid}"
    else:
        answer = digits or hashlib.sha256(f"{speech}\n{recording}".encode()).hexdigest()[:16]
        message_id = f"call:{call_sid}:{step}:{answer}"
    attachments: tuple[Attachment, ...] = ()
    if recording:
        try:
            duration = int(form.get("RecordingDuration", "") or 0) or None
        except ValueError:
            duration = None
        attachments = (Attachment(kind="recording", mime_type="audio/x-wav", size=duration, ref=recording),)
    return InboundMessage(
        channel="voice",
        external_id=caller,
        external_message_id=message_id,
        text=speech,
        command=f"digits:{digits}" if digits else None,
        attachments=attachments,
    )


def parse_call_status(form: Mapping[str, str]) -> CallStatus:
    """Translate a status callback or a <Dial action> request (ringing, in-progress, completed, no-answer...)."""
    status = form.get("DialCallStatus") or form.get("CallStatus") or ""
    if not status:
        raise InvalidRequest(400, "missing CallStatus")
    raw = form.get("DialCallDuration") or form.get("CallDuration") or ""
    return CallStatus(call_sid=_required(form, "CallSid"), status=status, duration=int(raw) if raw.isdigit() else None)


def language_for_digit(digits: str | None, menu: Mapping[str, str]) -> str | None:
    """The language the key pressed in the first menu picks (``menu``: digit → language)."""
    return menu.get((digits or "").strip())


def _add_prompt(node: VoiceResponse | Gather, prompt: Prompt) -> None:
    if prompt.audio_url:
        node.play(prompt.audio_url)
    else:
        node.say(prompt.text, language=prompt.voice)


def say_or_play(prompt: Prompt) -> str:
    """A TwiML document that plays the recording, or reads the text aloud."""
    response = VoiceResponse()
    _add_prompt(response, prompt)
    return str(response)


def language_menu(prompts: Mapping[str, Prompt] | Sequence[Prompt], action_url: str, *, timeout: int = 6) -> str:
    """First menu: one prompt per language, each naming its key in that language, then again once."""
    ordered = list(prompts.values()) if isinstance(prompts, Mapping) else list(prompts)
    response = VoiceResponse()
    for _ in range(2):
        gather = Gather(input="dtmf", num_digits=1, action=action_url, method="POST", timeout=timeout)
        for prompt in ordered:
            _add_prompt(gather, prompt)
        response.append(gather)
    response.redirect(action_url, method="POST")  # no key pressed: the app picks the default language
    return str(response)


def main_menu(prompts: Sequence[Prompt], action_url: str, *, speech_language: str | None = None, timeout: int = 6) -> str:
    """Information menu in one language (0 = speak to a person); speech where Twilio understands it (``speech_language``)."""
    options: dict[str, object] = {"num_digits": 1, "action": action_url, "method": "POST", "timeout": timeout}
    if speech_language:
        options.update(input="dtmf speech", language=speech_language, speech_timeout="auto")
    else:
        options["input"] = "dtmf"
    response = VoiceResponse()
    gather = Gather(**options)
    for prompt in prompts:
        _add_prompt(gather, prompt)
    response.append(gather)
    response.redirect(action_url, method="POST")
    return str(response)


def dial_operators(numbers: Sequence[str], caller_id: str, action_url: str, whisper_url: str, *,
                   timeout: int = 20) -> str:  # fmt: skip
    """One dial attempt: ring ``numbers`` together for up to ``timeout`` s, showing the hotline number.

    Each operator first hears the whisper at ``whisper_url`` and must press 1, so a
    voicemail box cannot take the call. Twilio then requests ``action_url`` with
    DialCallStatus; the app answers with the next attempt, voicemail or hangup.
    """
    if not numbers:
        raise ValueError("no operator numbers to dial")
    response = VoiceResponse()
    dial = Dial(caller_id=caller_id, timeout=timeout, action=action_url, method="POST", answer_on_bridge=True)
    for number in numbers:
        dial.number(number, url=whisper_url, method="POST")
    response.append(dial)
    return str(response)


def operator_whisper(prompt: Prompt, action_url: str, *, timeout: int = 8) -> str:
    """Played to the operator before bridging: press 1 to accept, anything else (or nothing) declines."""
    response = VoiceResponse()
    gather = Gather(input="dtmf", num_digits=1, action=action_url, method="POST", timeout=timeout)
    _add_prompt(gather, prompt)
    response.append(gather)
    response.hangup()
    return str(response)


def whisper_result(digits: str | None) -> str:
    """Answer to the whisper's Gather: an empty response bridges the call, a hangup declines it."""
    response = VoiceResponse()
    if (digits or "").strip() != OPERATOR_ACCEPT_DIGIT:
        response.hangup()
    return str(response)


def voicemail(prompt: Prompt, action_url: str, max_length: int = 120) -> str:
    """Ask for a message and record it; Twilio posts RecordingUrl/RecordingDuration to ``action_url``."""
    response = VoiceResponse()
    _add_prompt(response, prompt)
    response.record(action=action_url, method="POST", max_length=max_length, play_beep=True, finish_on_key="#",
                    timeout=5, trim="trim-silence")  # fmt: skip
    response.hangup()
    return str(response)


def hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)


class TwilioVoiceSender:
    """The ``voice`` channel for the outbox: alert calls and hang-ups through a shared Twilio sender."""

    channel: Channel = "voice"

    def __init__(self, twilio: TwilioSMSSender) -> None:
        self.twilio = twilio

    async def send(self, message: OutboundMessage) -> SendResult:
        if message.action == "delete":
            await self.delete(message.target_message_ids)
            return SendResult()
        if message.action not in ("call", "hangup"):
            raise SendError(f"voice cannot {message.action}", retryable=False)
        return await self.twilio.send(message)

    async def delete(self, refs: tuple[str, ...]) -> None:
        """Delete recordings ("recording:RE…") and then call records ("call:CA…") at Twilio.

        Already gone (404) counts as done, so a retry after a partial run only
        finishes the rest; any other failure goes back to the outbox to retry.
        """
        client = self.twilio.client
        ordered = sorted(refs, key=lambda ref: not ref.startswith("recording:"))  # a call goes after its recordings
        for ref in ordered:
            kind, _, sid = ref.partition(":")
            if not SID_RE.match(sid) or kind not in ("recording", "call"):
                continue  # never a URL or anything that is not a Twilio id
            resource = client.recordings(sid) if kind == "recording" else client.calls(sid)
            try:
                await resource.delete_async()
            except TwilioRestException as exc:
                if exc.status != 404:
                    raise to_send_error(exc) from exc
            except RetryableResponse as exc:
                raise to_send_error(exc) from exc

    async def close(self) -> None:
        return None  # the SMS sender owns the HTTP client

