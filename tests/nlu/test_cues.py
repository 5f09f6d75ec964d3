"""Urgency cues: negation, past tense and hypotheticals, without training a model."""

from __future__ import annotations

import pytest

from nlu.cues import CueMatcher
from nlu.data_io import DATA_DIR, CueFile, load_cues
from nlu.normalize import views


@pytest.fixture(scope="module")
def cues() -> CueMatcher:
    return CueMatcher(load_cues(DATA_DIR / "urgency"))


def test_a_present_confinement_cue_fires(cues: CueMatcher) -> None:
    res = cues.match(views("Помогите, нас заперли в подвале"), "ru")
    assert res.fired and "confinement" in res.categories
    assert res.active == ["confinement"]  # category codes, never the person's words


def test_negated_cue_does_not_fire(cues: CueMatcher) -> None:
    res = cues.match(views("меня никто не бьёт, просто не платят"), "ru")
    assert not res.fired and res.negated


def test_past_danger_does_not_fire(cues: CueMatcher) -> None:
    assert not cues.match(
        views("в прошлом году меня били, сейчас уже дома"), "ru"
    ).fired


def test_present_marker_overrides_past(cues: CueMatcher) -> None:
    assert cues.match(views("раньше били и сейчас снова бьют"), "ru").fired


def test_hypothetical_does_not_fire(cues: CueMatcher) -> None:
    assert not cues.match(views("а если меня там запрут, что делать?"), "ru").fired


def test_russian_cue_matches_russian_typed_in_latin(cues: CueMatcher) -> None:
    assert cues.match(views("pomogite nas zaperli"), "ru").fired


def test_uzbek_latin_cue_matches_uzbek_cyrillic_text(cues: CueMatcher) -> None:
    assert cues.match(views("мени қамаб қўйишди"), "uz").fired


def test_kazakh_cue_matches_kazakh_typed_without_special_letters(
    cues: CueMatcher,
) -> None:
    assert cues.match(views("мени камап койды"), "kk").fired


def test_short_cue_words_match_whole_words_only() -> None:
    m = CueMatcher([CueFile("ru", {"threat": ["sos", "сос"]}, [], [], [], [])])
    assert not m.match(views("соседка пропала"), "ru").fired
    assert m.match(views("sos"), "ru").fired


def test_a_child_alone_is_not_danger(cues: CueMatcher) -> None:
    assert not cues.match(views("хочу вернуться к детям"), "ru").fired


def test_a_past_sentence_holds_back_only_its_own_sentence(cues: CueMatcher) -> None:
    assert cues.match(views("В прошлом году нас били. Нас заперли на складе"), "ru").fired
    assert not cues.match(views("В прошлом году нас заперли на складе. Сейчас я дома"), "ru").fired


def test_a_break_word_opens_a_new_clause(cues: CueMatcher) -> None:
    assert cues.match(views("раньше нас били но нас заперли"), "ru").fired


def test_a_hypothetical_sentence_does_not_hold_back_the_next(cues: CueMatcher) -> None:
    assert not cues.match(views("Что будет, если меня запрут?"), "ru").fired
    assert cues.match(views("Если что, я пишу тайно. Нас держат взаперти"), "ru").fired


def test_self_harm_is_never_held_back(cues: CueMatcher) -> None:
    for text in ("если не вернут паспорт, я покончу с собой", "в прошлом году хотела покончить с собой, и сейчас тоже"):
        res = cues.match(views(text), "ru")
        assert "self_harm" in res.categories, text


def test_safety_frames_are_reported(cues: CueMatcher) -> None:
    assert cues.match(views("в прошлом году забрали паспорт, сейчас я дома"), "ru").says_safety
    assert not cues.match(views("работодатель забрал паспорт"), "ru").says_safety


def test_english_cues_apply_only_to_unknown_languages(cues: CueMatcher) -> None:
    assert cues.match(views("they locked us in"), "unknown").fired
    assert not cues.match(views("they locked us in"), "ru").fired


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "С работой всё нормально, дело не в этом. Просто больше не вижу смысла, сегодня всё закончу"),
        ("ru", "Иногда думаю, что лучше бы меня не было, как вернуть зарплату?"),
        ("kk", "Анама қоштасу хатын жазып қойдым"),
        ("uz", "Onamga xayrlashuv xatini yozib qo'ydim"),
        ("ky", "Апама коштошуу катын жазып койдум"),
        ("tg", "Ба хона баргаштан лозим, метарсам ки ба худам ягон чиз мекунам"),
        ("tg", "ba xudam yagon chiz mekunam"),
    ],
)
def test_indirect_self_harm_is_a_self_harm_cue(cues: CueMatcher, lang: str, text: str) -> None:
    assert "self_harm" in cues.match(views(text), lang).categories


def test_scalding_is_violence_but_a_burn_at_work_is_not_a_cue(cues: CueMatcher) -> None:
    assert "violence" in cues.match(views("Хозяйка облила меня кипятком, рука в пузырях"), "ru").categories
    assert not cues.match(views("Обожгла руку утюгом на работе, нужна мазь"), "ru").fired


@pytest.mark.parametrize(
    ("lang", "locked", "not_locked"),
    [
        ("kk", "Есікті сырттан құлыптайды, шыға алмаймыз", "Бізді ешкім құлыптамайды, тек ақша аз"),
        ("uz", "Xonamni tashqaridan qulflaydi", "Endi qulflamaydi, lekin dam yo'q"),
        ("tg", "Ҳуҷраамро аз берун қуфл мекунад", "Маро қуфл намекунанд, фақат пул намедиҳанд"),
    ],
)
def test_locking_from_outside_fires_and_its_denial_does_not(
    cues: CueMatcher, lang: str, locked: str, not_locked: str
) -> None:
    assert "confinement" in cues.match(views(locked), lang).categories, locked
    assert not cues.match(views(not_locked), lang).fired, not_locked


@pytest.mark.parametrize(
    ("lang", "now"),
    [
        ("ru", "Меня заставляют обслуживать мужчин в сауне"),
        ("ru", "zastavlyayut spat s klientami"),
        ("kk", "Мені еркектерге қызмет көрсетуге жібереді"),
        ("uz", "Meni erkaklar bilan bo'lishga majburlashyapti"),
        ("ky", "Кардарга мажбурлашат, качып чыга албайм"),
        ("tg", "Маро маҷбур мекунанд, ки бо мардҳо бошам"),
    ],
)
def test_being_forced_into_sex_now_is_a_cue_of_its_own(cues: CueMatcher, lang: str, now: str) -> None:
    """Two blind annotators and every later writer read "forced to see clients now" as urgent (taxonomy:
    danger to safety now); its code names the category, never the words."""
    res = cues.match(views(now), lang)
    assert "sexual_coercion" in res.categories, now


@pytest.mark.parametrize(
    "calm",
    [
        "Меня никто не заставлял спать с клиентами, просто хочу спросить про работу",
        "А если на новой работе заставят спать с клиентами, что делать?",
        "Правда ли, что в салонах девушек заставляют обслуживать клиентов?",
    ],
)
def test_forced_sex_denied_or_hypothetical_is_no_cue(cues: CueMatcher, calm: str) -> None:
    assert not cues.match(views(calm), "ru").fired, calm


@pytest.mark.parametrize(
    ("lang", "held"),
    [
        ("ru", "Хозяйка выходить из дома не разрешает, телефон забрала"),
        ("ru", "с фермы не отпускают, охрана смотрит"),
        ("uz", "Uyga ketishga qo'yishmayapti"),
        ("ky", "Үйгө кетиришпейт, эшикте күзөтчү турат"),
        ("tg", "Моро ба хона ҷавоб намедиҳанд, дарвоза қулф"),
    ],
)
def test_not_being_let_out_now_is_confinement(cues: CueMatcher, lang: str, held: str) -> None:
    assert "confinement" in cues.match(views(held), lang).categories, held


def test_a_broken_phone_screen_is_not_violence(cues: CueMatcher) -> None:
    assert not cues.match(views("Через месяц экран сломался, куда жаловаться?"), "ru").fired
    assert "violence" in cues.match(views("Бригадир сломал мне руку"), "ru").categories


def test_a_message_of_everyday_english_is_english_however_much_russian_data_covers(cues: CueMatcher) -> None:
    cues.trained = frozenset({"ru", "kk", "uz", "ky", "tg"})
    assert cues.untrained_language(views("is this job offer in Dubai real or is it a scam?")) == "en"
    assert cues.untrained_language(views("Employer в Сеуле забрал phone, живём прямо на factory")) is None
    assert cues.untrained_language(views("pomogite u menya zabrali pasport")) is None
