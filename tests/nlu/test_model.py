"""The embedded model on the hard cases the helpline meets every day."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import nlu
import nlu.model
from nlu.model import NLUModel, load_or_train
from nlu.prediction import INTENTS, Prediction


def test_contract_names_are_exported() -> None:
    assert len(nlu.INTENTS) == 19 and "emergency" in INTENTS
    assert nlu.LANGUAGES[:3] == ("ru", "kk", "uz") and nlu.UNKNOWN not in nlu.LANGUAGES


def test_languages_are_the_training_folders(model: NLUModel) -> None:
    """Adding a language is data: the model supports exactly the folders under nlu/data/train."""
    from nlu.data_io import training_languages

    assert model.languages == training_languages() == nlu.LANGUAGES


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
    assert {"confinement", "violence"} & set(p.urgent_reasons)


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
                      "urgent", "urgent_score", "urgent_reasons", "normalized_text", "fallback",
                      "third_party", "urgency_band", "ask_safety"}  # fmt: skip
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
    (data / "train" / "ru").mkdir(parents=True)
    (data / "train" / "ru" / "original.yml").write_text(f'version: "3.1"\nnlu:\n{body}', encoding="utf-8")
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
    with (tiny_data / "train" / "ru" / "original.yml").open("a", encoding="utf-8") as fh:
        fh.write("    - приветствую\n")
    assert load_or_train(path, tiny_data).data_fingerprint != first.data_fingerprint


# ------------------------------------------------------------------ issue #11 / #15 behaviour
# The same three situations in every language: denied, hypothetical (not urgent) and
# "locked in yesterday and still inside" (urgent). ky/tg run once their data is in the package.
NOT_NOW_AND_NOW: dict[str, tuple[str, str, str]] = {
    "ru": ("Меня никто не запирал, просто не платят", "Если меня запрут, что мне делать?",
           "Меня заперли вчера, и я до сих пор внутри"),
    "kk": ("Мені ешкім қамаған жоқ, тек жалақы бермейді", "Егер мені қамап қойса, не істеймін?",
           "Кеше мені қамап тастады, әлі де ішіндемін"),
    "uz": ("Meni hech kim qamagani yo'q, faqat maosh bermayapti", "Agar meni qamab qo'yishsa nima qilaman?",
           "Kecha meni qamab qo'yishdi, hali ham ichkaridaman"),
    "ky": ("Мени эч ким камаган жок, жөн эле айлык бербей жатат", "Эгер мени камап коюшса эмне кылам?",
           "Кечээ мени камап салышты, азыр дагы эле ичиндемин"),
    "tg": ("Маро ҳеҷ кас қуфл накардааст, фақат музд намедиҳанд", "Агар маро қуфл кунанд, чӣ кор кунам?",
           "Дирӯз маро қуфл карданд ва ҳоло ҳам дар дохил ҳастам"),
}  # fmt: skip


@pytest.mark.parametrize("lang", list(NOT_NOW_AND_NOW))
def test_denied_and_hypothetical_are_calm_but_still_locked_in_is_urgent(model: NLUModel, lang: str) -> None:
    if lang not in model.languages:
        pytest.skip(f"no {lang} training data in this checkout")
    denied, hypothetical, still_inside = NOT_NOW_AND_NOW[lang]
    assert not model.predict(denied).urgent, denied
    assert not model.predict(hypothetical).urgent, hypothetical
    p = model.predict(still_inside)
    assert p.urgent and p.language == lang, (still_inside, p)


def test_a_past_sentence_does_not_hide_present_danger_in_the_next(model: NLUModel) -> None:
    p = model.predict("В прошлом году нас тоже били. Сегодня нас снова закрыли на складе и не выпускают")
    assert p.urgent and "confinement" in p.urgent_reasons
    assert not model.predict("В прошлом году нас закрывали на складе. Сейчас я дома, всё нормально").urgent


def test_danger_told_only_in_the_last_sentence_of_a_long_story_is_urgent(model: NLUModel) -> None:
    story = ("Я приехала в Москву в марте, работала в кафе, сначала всё было хорошо, платили вовремя. "
             "Потом хозяин сказал, что я должна ему за жильё и дорогу. Сейчас он забрал телефон и запер нас в подсобке.")  # fmt: skip
    assert model.predict(story).urgent


def test_self_harm_said_in_passing_is_urgent(model: NLUModel) -> None:
    for text in (
        "работаю по 14 часов, денег не платят, иногда думаю что лучше покончить с собой, не знаю что делать с патентом",
        "если не вернут паспорт, я покончу с собой",
        "ish ko'p, maosh yo'q, o'zimni o'ldirmoqchiman, patent muddati tugayapti",
    ):
        p = model.predict(text)
        assert p.urgent and "self_harm" in p.urgent_reasons, text


def test_every_self_harm_example_in_the_data_is_urgent(model: NLUModel) -> None:
    """Training, test and held-out data alike: what the self-harm cues read is labelled and predicted urgent."""
    from nlu.data_io import DATA_DIR, EVALUATION_SETS, load_dir, load_training
    from nlu.normalize import views

    examples = load_training() + [e for name in EVALUATION_SETS for e in load_dir(DATA_DIR / name)]
    found = [
        e for e in examples
        if e.language in model.languages and "self_harm" in model.cues.match(views(e.text), e.language).categories
    ]  # fmt: skip
    assert found
    unlabelled = [e.text for e in found if not e.urgent]
    assert not unlabelled, unlabelled[:5]
    missed = [e.text for e in found if not model.predict(e.text).urgent]
    assert not missed, missed[:5]


def test_urgent_reasons_are_category_codes_never_message_words(model: NLUModel) -> None:
    from nlu.data_io import DATA_DIR, load_dir
    from nlu.normalize import tokens

    allowed = set(nlu.URGENT_REASONS)
    for e in load_dir(DATA_DIR / "test"):
        p = model.predict(e.text)
        assert set(p.urgent_reasons) <= allowed, (e.text, p.urgent_reasons)
        words = set(tokens(p.normalized_text))
        assert not {r for r in p.urgent_reasons if r not in ("child", "model")} & words
        assert p.urgent == bool(p.urgent_reasons) or not p.urgent


def test_third_party_report_gets_the_situation_and_the_flag(model: NLUModel) -> None:
    p = model.predict("Моя дочь сейчас в Стамбуле, её заперли в квартире и заставляют обслуживать клиентов")
    assert p.third_party and p.urgent
    assert p.intent == "sexual_exploitation", p.ranking
    assert not model.predict("Меня заставляют работать по 16 часов и не платят").third_party


@pytest.mark.parametrize(
    "text",
    [
        "my boss took my passport and will not give it back",
        "is this job offer in Dubai real or is it a scam?",
        "hojaýyn pasportymy aldy we yzyna bermeýär",
        "aýlygymy tölemeýärler, öýe gaýtmak isleýärin",
        "müdir pasportumu götürdü və qaytarmır",
    ],
)
def test_a_language_we_do_not_support_is_unknown_with_low_confidence(model: NLUModel, text: str) -> None:
    p = model.predict(text)
    assert p.language == "unknown" and p.language_confidence <= 0.3, p


def test_urgency_still_runs_on_an_unknown_language(model: NLUModel) -> None:
    p = model.predict("please help, they locked us in the basement and beat us every day")
    assert p.language == "unknown" and p.urgent
    assert {"confinement", "violence"} & set(p.urgent_reasons)


@pytest.mark.parametrize("lang", ["tg", "ky"])
def test_a_language_before_it_is_supported_is_mostly_unknown(lang: str) -> None:
    """Trained without tg (or ky) data, the model must not answer those messages confidently in uz/ru/kk:
    measured on the held-out file of that language (Tajik: 0.83 unknown, 0.12 confidently wrong; Kyrgyz, so
    close to Kazakh: 0.58 unknown, 0.34 confidently wrong). Kyrgyz read as Kazakh grew as Kazakh data grew:
    0.19 -> 0.258 when Latin-typed messages began to be read against the Cyrillic data too, 0.258 -> 0.335
    (and unknown 0.70 -> 0.58) when three sets of other writers' Kazakh joined the training data on
    2026-12-03. Kyrgyz is supported now; what this pins is a close language before its data exists."""
    from nlu.data_io import DATA_DIR, load_dir, load_training
    from nlu.langid import LanguageIdentifier
    from nlu.normalize import views

    held = [e for e in load_dir(DATA_DIR / "heldout4") if e.language == lang]
    if not held:
        pytest.skip(f"no heldout4/{lang}.yml")
    examples = [e for e in load_training() if e.language != lang]
    lid = LanguageIdentifier().fit([views(e.text) for e in examples], [e.language for e in examples])
    got = [lid.identify(views(e.text))[:2] for e in held]
    unknown = sum(g[0] == "unknown" for g in got) / len(got)
    confident_wrong = sum(g[0] != "unknown" and g[1] >= 0.8 for g in got) / len(got)
    assert unknown >= (0.75 if lang == "tg" else 0.55), unknown
    assert confident_wrong <= (0.15 if lang == "tg" else 0.36), confident_wrong
    assert all(conf <= 0.3 for name, conf in got if name == "unknown")


def test_kyrgyz_and_kazakh_are_told_apart_by_their_letters(model: NLUModel) -> None:
    if "ky" not in model.languages:
        pytest.skip("no ky training data in this checkout")
    assert model.predict("Кожоюн паспортумду алып койду, бербей жатат").language == "ky"
    assert model.predict("Жұмыс беруші паспортымды алып қойды, бермейді").language == "kk"


def test_tajik_and_uzbek_are_told_apart(model: NLUModel) -> None:
    if "tg" not in model.languages:
        pytest.skip("no tg training data in this checkout")
    assert model.predict("Соҳибкор шиносномаи маро гирифт ва пас намедиҳад").language == "tg"
    assert model.predict("Ish beruvchi pasportimni olib qo'ydi, bermayapti").language == "uz"


def test_the_safety_question_rule(model: NLUModel) -> None:
    """Ask once when a serious situation says nothing about present safety; not when it is urgent or framed."""
    plain = model.predict("Работодатель забрал мой паспорт")
    assert plain.intent == "documents_taken" and not plain.urgent and plain.ask_safety
    framed = model.predict("В прошлом году работодатель забрал паспорт, сейчас я дома, всё нормально")
    assert not framed.ask_safety
    assert not model.predict("Меня заперли, помогите").ask_safety  # urgent: no question, an operator
    assert not model.predict("Здравствуйте").ask_safety
    grey = [p for p in model.predict_many(["помогите пожалуйста", "мне страшно"]) if p.urgency_band == "grey"]
    assert all(p.ask_safety for p in grey)


def test_bands_follow_the_thresholds(model: NLUModel) -> None:
    assert 0 < model.grey_threshold < model.urgent_threshold <= 0.5
    for p in model.predict_many(["Меня заперли", "Как сделать патент?", "мне страшно"]):
        expected = "urgent" if p.urgent else "grey" if p.urgent_score >= model.grey_threshold else "calm"
        assert p.urgency_band == expected


def test_load_or_train_never_trains_silently(tiny_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load_or_train(tmp_path / "fresh.pkl", tiny_data)
    assert "nlu:" in capsys.readouterr().err  # progress lines, not silence


def test_default_model_path_is_inside_the_package() -> None:
    from nlu.model import DEFAULT_MODEL_PATH

    assert DEFAULT_MODEL_PATH.parent == Path(nlu.__file__).resolve().parent / "model"


def test_the_fast_analyzers_equal_scikit_learns() -> None:
    from nlu.data_io import load_training
    from nlu.features import DEFAULT_SPEC, ViewFeaturizer, view_text
    from nlu.normalize import views

    docs = [views(e.text) for e in load_training()[::40]] + [views("a  b"), views("я"), views("")]
    f = ViewFeaturizer(DEFAULT_SPEC)
    f.fit_transform(docs)
    for (view, vec), fast in zip(f.parts, f.fast):
        sk, ours = vec.build_analyzer(), fast.analyzer()
        for d in docs:
            text = view_text(d, view) or " "
            assert ours(text) == sk(text), (view, text)


def test_a_saved_model_loads_without_scikit_learn_and_predicts_the_same(tiny_data: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    model = NLUModel.train(tiny_data)
    path = tmp_path / "m.pkl"
    model.save(path)
    texts = ["меня заперли тут", "привет всем", "спасибо"]
    code = (
        "import sys, json; from nlu.model import NLUModel; m = NLUModel.load(sys.argv[1]);"
        "print(json.dumps([m.predict(t).to_dict() for t in sys.argv[2:]]));"
        "print('sklearn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path), *texts], capture_output=True, text=True, check=True)
    rows, sk = out.stdout.splitlines()
    assert sk == "False"
    import json

    assert json.loads(rows) == [model.predict(t).to_dict() for t in texts]


def test_a_missing_model_path_uses_the_shipped_model_instead_of_training(tmp_path: Path) -> None:
    """The app's first start with its own model path: the shipped model is copied there, nothing trained."""
    from nlu.data_io import fingerprint
    from nlu.model import DEFAULT_MODEL_PATH

    if not DEFAULT_MODEL_PATH.exists() or NLUModel.load(DEFAULT_MODEL_PATH).data_fingerprint != fingerprint(
        nlu.model.DATA_DIR
    ):
        pytest.skip("no current shipped model (run make install)")
    target = tmp_path / "var" / "nlu-model.pkl"
    model = load_or_train(target, progress=lambda line: pytest.fail(f"trained: {line}"))
    assert model.data_fingerprint and target.read_bytes() == DEFAULT_MODEL_PATH.read_bytes()


def test_uzbek_typed_in_latin_with_russian_words_in_cyrillic_is_uzbek(model: NLUModel) -> None:
    """The grammar names the language (taxonomy: mixed messages): the Russian words are borrowed."""
    p = model.predict("Хозяин pasportimni olib qo'ydi, зарплата ham bermayapti, nima qilay?")
    assert p.language == "uz", (p.language, p.language_confidence)
    assert model.predict("Employer в Сеуле забрал phone, зарплату не платит").language == "ru"


def test_being_forced_to_see_clients_now_is_urgent_with_its_own_reason(model: NLUModel) -> None:
    p = model.predict("Меня заставляют обслуживать клиентов, выходить не дают")
    assert p.urgent and "sexual_coercion" in p.urgent_reasons, p.urgent_reasons
    calm = model.predict("Меня никто не заставлял спать с клиентами, я хочу спросить про вакансию в Дубае")
    assert not calm.urgent
