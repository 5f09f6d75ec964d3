"""Why a case is urgent, as category codes: the only form a reason is stored or shown in.

The person's words stay in the encrypted message; ``cases.urgent_reason``, escalation
snapshots, alerts and logs carry codes, which operators read translated (``reason.<code>``
in the workspace strings). The NLU model gives its own codes; the core adds the ones that do
not come from a message's words.
"""

from __future__ import annotations

from collections.abc import Iterable

from nlu import URGENT_REASONS

APP_REASONS: tuple[str, ...] = (
    "danger_answer",  # "yes" to "are you in danger right now?"
    "safe_word",  # the person's safe word: the bot answers innocently
    "voicemail",  # a caller left a recording
    "caller_request",  # a caller pressed 0 for a person
)
REASONS: tuple[str, ...] = (*URGENT_REASONS, *APP_REASONS)
_KNOWN = frozenset(REASONS)
FALLBACK = "model"  # urgent by the model's reading, with no named category


def reason_codes(reasons: Iterable[str]) -> list[str]:
    """The known codes among ``reasons``, in order, once each; anything else (a word) is dropped."""
    codes = [r for r in dict.fromkeys(r.strip() for r in reasons) if r in _KNOWN]
    return codes


def stored_reason(reasons: Iterable[str]) -> str:
    """``cases.urgent_reason``: codes joined by commas; the fallback code when none is known."""
    return ",".join(reason_codes(reasons)) or FALLBACK
