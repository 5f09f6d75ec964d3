"""The conversation's safety net: one short "are you in danger right now?" where the model is unsure.

The model sets ``ask_safety`` when a message sits in the grey urgency band, or names a
serious situation (documents taken, forced labour, sexual exploitation, forced marriage,
medical help, a report about someone else) without saying anything about present safety.
The bot then asks once per case, with yes/no buttons where the channel has them, and waits
(``Contact.state["awaiting"] == "safety"``). A yes, in any of the ways people say it, or an
answer the model reads as urgent, escalates at once; a no, or "yes, I can talk now",
continues the conversation as it was.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from nlu import Prediction

AWAITING = "safety"
Answer = Literal["danger", "safe"]
# Short answers read on their own; a longer message is read by the model like any other.
ANSWER_WORDS = 8

_YES = frozenset({
    "да", "ага", "угу", "конечно", "yes", "y", "yeah", "yep", "da", "aga", "иә", "ия", "ие", "иа", "ia", "iä", "ie",
    "ha", "xa", "ҳа", "ха", "ooba", "ооба", "ова", "бале", "bale", "1", "+",
})  # fmt: skip
_NO = frozenset({
    "нет", "неа", "не", "no", "nope", "n", "net", "жоқ", "жок", "joq", "jok", "yo'q", "yoq", "йўқ", "йук", "йуқ",
    "жоқпын", "0", "-", "na",
})  # fmt: skip
# Saying one is safe, or able to talk: an answer that continues the conversation.
_SAFE = re.compile(
    r"безопасн|в порядке|нормально|всё хорошо|все хорошо|могу (говорить|писать|разговаривать)|"
    r"қауіпсіз|қауіп жоқ|сөйлесе аламын|жаза аламын|"
    r"xavfsiz|xavf yo'q|gaplasha olaman|yoza olaman|хавфсиз|хавф йўқ|гаплаша оламан|ёза оламан|"
    r"\bsafe\b|\bfine\b|can talk|can write|i'?m ok\b",
)
# Saying one is in danger, without the word "yes".
_DANGER = re.compile(r"опасн|угрожа|помогите|спасите|қауіп бар|көмектесіңіз|xavf bor|xavf ostida|yordam bering|"
                     r"хавф бор|ёрдам беринг|danger|help me")  # fmt: skip


def wants_question(prediction: Prediction, state: dict[str, Any], case_id: object) -> bool:
    """Ask when the model says so, once per case, never while something else is awaited."""
    return bool(prediction.ask_safety) and not prediction.urgent and state.get("safety_asked") != str(case_id) \
        and state.get("awaiting") in (None, AWAITING)  # fmt: skip


def asked(state: dict[str, Any], case_id: object, *, about_other: bool = False) -> dict[str, Any]:
    """The state once the question is out: awaiting the answer, asked for this case, about whom."""
    return {**state, "awaiting": AWAITING, "safety_asked": str(case_id), "safety_about": "other" if about_other else "self"}


def answered(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k not in ("awaiting", "safety_about")}


def about_other(state: dict[str, Any]) -> bool:
    """The question was about the person the writer wrote for (a relative, a friend)."""
    return state.get("safety_about") == "other"


def is_awaited(state: dict[str, Any], case_id: object) -> bool:
    """The answer is awaited in this case (a question left open in a closed case is not)."""
    return state.get("awaiting") == AWAITING and state.get("safety_asked") == str(case_id)


def question_key(prediction: Prediction) -> str:
    """About the writer, or about the person they write for."""
    return "danger_check_other" if prediction.third_party else "danger_check"


def read_answer(text: str) -> Answer | None:
    """A short reply read as the answer to the question, or None when it is something else."""
    folded = " ".join(re.sub(r"[.,!?;:()«»\"“”]+", " ", _apostrophes(text).lower()).split())
    words = folded.split()
    if not words or len(words) > ANSWER_WORDS:
        return None
    if _SAFE.search(folded) or words[0] in _NO:
        return "safe"
    if words[0] in _YES or _DANGER.search(folded):
        return "danger"
    return None


def escalates(answer: Answer | None, prediction: Prediction) -> bool:
    """A yes escalates; so does an answer the model reads as urgent, unless it only says "no" or "safe".

    After a "no" or "I can talk now", only a named danger (a category, not the model's bare
    "model" reading of a two-word reply) outweighs the words.
    """
    if answer == "danger":
        return True
    if answer == "safe":
        return prediction.urgent and any(r != "model" for r in prediction.urgent_reasons)
    return prediction.urgent


def _apostrophes(text: str) -> str:
    return re.sub("[ʻʼ’‘`´]", "'", text)
