"""The embedded model on the hard cases the helpline meets every day."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import nlu
from nlu.model import NLUModel, load_or_train
from nlu.prediction import INTENTS, Prediction


def test_contract_names_are_exported() -> None:
    assert len(nlu.INTENTS) == 19 and "emergency" in INTENTS
    assert nlu.LANGUAGES == ("ru", "kk", "uz")


def test_russian_typed_in_latin_letters_is_read_as_russian(model: NLUModel) -> None:
    p = model.predict("pomogite u menya zabrali pasport")
    assert (p.language, p.script, p.intent) == ("ru", "latn", "documents_taken")


def test_kazakh_without_special_letters_is_kazakh(model: NLUModel) -> None:
    p = model.predict("жумыс беруши паспортымды алып койды бермейди")
    assert p.language == "kk"
    assert p.intent == "documents_taken"


@pytest.mark.parametrize(
    "text",
    ["Паспортимни олиб қўйишди, бермаяпти", "pasportimni olib qo'yishdi, bermayapti"],
)
def test_uzbek_in_both_scripts_reads_the_same(model: NLUModel, text: str) -> None:
    p = model.predict(text)
    assert (p.language, p.intent) == ("uz", "documents_taken")


@pytest.mark.parametrize("apostrophe", ["'", "`", "ʻ", "‘", "ʼ", "’", "´", ""])
def test_uzbek_with_any_apostrophe_is_uzbek(model: NLUModel, apostrophe: str) -> None:
    p = model.predict(f"meni o{apostrophe}ldirishadi, yordam bering")
    assert p.language == "uz"
    assert p.urgent


def test_code_switching_takes_the_language_of_the_grammar(model: NLUModel) -> None:
    assert (
        model.predict(
            "паспортымды работодатель алып қойды, зарплата да бермейді"
        ).language
        == "kk"
    )
    assert model.predict("ака, хозяин забрал паспорт и не отдаёт").language == "ru"


def test_present_danger_is_urgent_with_reasons(model: NLUModel) -> None:
    p = model.predict("Нас заперли в подвале и бьют, помогите")
    assert p.urgent and p.intent == "emergency"
    assert any(r.startswith(("confinement", "violence")) for r in p.urgent_reasons)


def test_documents_taken_and_locked_up_is_urgent(model: NLUModel) -> None:
    p = model.predict("забрали паспорт и заперли нас на складе, выйти не можем")
    assert p.urgent


def test_negated_danger_is_not_urgent(model: NLUModel) -> None:
    assert not model.predict("меня никто не запирает, просто не платят зарплату").urgent


def test_past_danger_is_not_urgent(model: NLUModel) -> None:
    assert not model.predict(
        "в прошлом году меня держали на ферме, сейчас я дома, нужен юрист"
    ).urgent


def test_hypothetical_danger_is_not_urgent(model: NLUModel) -> None:
    assert not model.predict("а если мне там отберут паспорт, ехать или нет?").urgent


def test_emergency_intent_is_always_urgent(model: NLUModel) -> None:
    for text in (
        "спасите меня убьют",
        "мені ұрып жатыр, көмектесіңіз",
        "meni urishyapti yordam bering",
    ):
        p = model.predict(text)
        assert p.intent != "emergency" or p.urgent
        assert p.urgent


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "🙏😭", "!!!", "123"])
def test_empty_or_emoji_only_input_is_a_sane_fallback(
    model: NLUModel, text: str
) -> None:
    p = model.predict(text)
    assert p.fallback and not p.urgent and p.intent in INTENTS


def test_sos_emoji_alone_is_a_distress_call(model: NLUModel) -> None:
    """A deliberate choice: 🆘 reads as "sos"; a false alarm costs a minute, a miss costs more."""
    assert model.predict("🆘").urgent


def test_five_thousand_characters_work(model: NLUModel) -> None:
    text = ("Я работала в кафе, всё было нормально. " * 200)[
        :4900
    ] + " Сейчас нас заперли, помогите"
    p = model.predict(text)
    assert isinstance(p, Prediction) and len(p.normalized_text) <= 5000
    model.predict("ы" * 100_000)


def test_prediction_fields_and_dict(model: NLUModel) -> None:
    p = model.predict("Здравствуйте")
    d = p.to_dict()
    assert p.intent == "greet" and len(p.ranking) == 3
    assert set(d) >= {"intent", "confidence", "ranking", "language", "language_confidence", "script",
                      "urgent", "urgent_score", "urgent_reasons", "normalized_text", "fallback"}  # fmt: skip
    with pytest.raises(AttributeError):
        p.intent = "x"  # type: ignore[misc]


def test_predict_many_matches_predict(model: NLUModel) -> None:
    texts = ["привет", "", "qayerda ishlasam bo'ladi", "Меня заперли"]
    assert model.predict_many(texts) == [model.predict(t) for t in texts]


async def test_apredict_is_the_backend_protocol(model: NLUModel) -> None:
    assert isinstance(model, nlu.NLUBackend)
    assert (await model.apredict("привет")).intent == "greet"


@pytest.fixture()
def tiny_data(tmp_path: Path) -> Path:
    """A few examples per intent: enough to exercise training paths in a second."""
    rows = {
        "greet": [
            "привет",
            "здравствуйте",
            "добрый день",
            "салам",
            "hello",
            "доброе утро",
        ],
        "goodbye": [
            "спасибо",
            "пока",
            "до свидания",
            "всего доброго",
            "благодарю",
            "спасибо пока",
        ],
        "emergency": [
            "меня заперли",
            "помогите бьют",
            "спасите",
            "убьют меня",
            "нас держат взаперти",
            "sos",
        ],
    }
    body = "\n".join(
        f"- intent: {i}\n  examples: |\n" + "".join(f"    - {t}\n" for t in ts)
        for i, ts in rows.items()
    )
    data = tmp_path / "data"
    (data / "urgency").mkdir(parents=True)
    (data / "ru.yml").write_text(f'version: "3.1"\nnlu:\n{body}', encoding="utf-8")
    (data / "urgency" / "ru.yml").write_text(
        "language: ru\ncues:\n  confinement: [заперл]\nnegation: [не]\n",
        encoding="utf-8",
    )
    return data


def test_training_is_deterministic(tiny_data: Path) -> None:
    a, b = NLUModel.train(tiny_data, seed=0), NLUModel.train(tiny_data, seed=0)
    texts = ["привет всем", "меня заперли тут", "спасибо большое"]
    assert a.predict_many(texts) == b.predict_many(texts)


def test_saved_model_loads(model_file: Path) -> None:
    assert NLUModel.load(model_file).predict("привет").intent == "greet"


def test_model_of_another_version_is_rejected_and_retrained(
    tiny_data: Path, tmp_path: Path
) -> None:
    stale = tmp_path / "stale.pkl"
    stale.write_bytes(pickle.dumps({"version": "nlu-0", "model": None}))
    with pytest.raises(ValueError):
        NLUModel.load(stale)
    fresh = load_or_train(stale, tiny_data)
    assert fresh.predict("привет").intent == "greet"
    assert NLUModel.load(stale).version == fresh.version


def test_missing_model_file_is_trained_and_changed_data_retrains(
    tiny_data: Path, tmp_path: Path
) -> None:
    path = tmp_path / "m" / "model.pkl"
    first = load_or_train(path, tiny_data)
    assert (
        path.exists()
        and load_or_train(path, tiny_data).data_fingerprint == first.data_fingerprint
    )
    with (tiny_data / "ru.yml").open("a", encoding="utf-8") as fh:
        fh.write("    - приветствую\n")
    assert load_or_train(path, tiny_data).data_fingerprint != first.data_fingerprint
