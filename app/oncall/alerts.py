"""Alert texts for operators: case alias, language, intent, reasons, waiting time — never the person.

Operators read alerts in their own first language (ru, kk, uz, en).
"""

from __future__ import annotations

from app.web.i18n import UI_LANGUAGES, translate
from routing import AlertInfo

TEXTS: dict[str, dict[str, str]] = {
    "alert": {
        "ru": "🔴 Срочное обращение {case} ({lang}, {intent}). Признаки: {reasons}. Ждёт {wait}.",
        "kk": "🔴 Шұғыл өтініш {case} ({lang}, {intent}). Белгілері: {reasons}. Күтуде: {wait}.",
        "uz": "🔴 Shoshilinch murojaat {case} ({lang}, {intent}). Belgilar: {reasons}. Kutmoqda: {wait}.",
        "en": "🔴 Urgent case {case} ({lang}, {intent}). Signs: {reasons}. Waiting {wait}.",
    },
    "sms_alert": {
        "ru": "Срочно: {case} ({lang}). Ответьте TAKE {case}, чтобы взять.",
        "kk": "Шұғыл: {case} ({lang}). Алу үшін TAKE {case} деп жауап беріңіз.",
        "uz": "Shoshilinch: {case} ({lang}). Olish uchun TAKE {case} deb javob bering.",
        "en": "Urgent: {case} ({lang}). Reply TAKE {case} to take it.",
    },
    "voice_alert": {
        "ru": "Срочное обращение на линии помощи. Нажмите 1, чтобы взять его.",
        "kk": "Көмек желісінде шұғыл өтініш. Алу үшін 1 басыңыз.",
        "uz": "Yordam liniyasida shoshilinch murojaat. Olish uchun 1 ni bosing.",
        "en": "An urgent case is waiting on the helpline. Press 1 to take it.",
    },
    "case_taken": {
        "ru": "✅ {case}: обращение взял(а) коллега.",
        "kk": "✅ {case}: өтінішті әріптесіңіз алды.",
        "uz": "✅ {case}: murojaatni hamkasbingiz oldi.",
        "en": "✅ {case}: a colleague has taken this case.",
    },
    "case_closed": {
        "ru": "{case}: обращение закрыто.",
        "kk": "{case}: өтініш жабылды.",
        "uz": "{case}: murojaat yopildi.",
        "en": "{case}: the case was closed.",
    },
    "already_taken": {
        "ru": "{case} уже взял(а) коллега.",
        "kk": "{case} өтінішін әріптесіңіз алып қойған.",
        "uz": "{case} murojaatini hamkasbingiz allaqachon olgan.",
        "en": "{case} has already been taken by a colleague.",
    },
    "you_took": {
        "ru": "Вы взяли {case}. Пишите сюда — сообщения уйдут человеку. /close чтобы закрыть, /back вернуть боту.",
        "kk": "Сіз {case} алдыңыз. Осында жазыңыз — хабарлар адамға жетеді. /close жабу, /back ботқа қайтару.",
        "uz": "Siz {case} ni oldingiz. Shu yerga yozing — xabarlar odamga yetadi. /close yopish, /back botga qaytarish.",
        "en": "You took {case}. Write here and it reaches the person. /close to close, /back to hand back to the bot.",
    },
    "released": {
        "ru": "{case} передан другим: {reason}.",
        "kk": "{case} басқаларға берілді: {reason}.",
        "uz": "{case} boshqalarga berildi: {reason}.",
        "en": "{case} was passed on: {reason}.",
    },
    "exhausted": {
        "ru": "⚠️ {case}: никто не ответил по графику. Обращение вверху очереди.",
        "kk": "⚠️ {case}: кестедегілердің ешқайсысы жауап бермеді. Өтініш кезектің басында.",
        "uz": "⚠️ {case}: navbatchilardan hech kim javob bermadi. Murojaat navbat boshida.",
        "en": "⚠️ {case}: nobody on the rota answered. The case is on top of the queue.",
    },
    "overdue": {
        "ru": "⚠️ {case}: эскалация просрочена более чем на минуту.",
        "kk": "⚠️ {case}: эскалация бір минуттан астам кешікті.",
        "uz": "⚠️ {case}: eskalatsiya bir daqiqadan ko'proq kechikdi.",
        "en": "⚠️ {case}: the escalation is more than a minute late.",
    },
    "relay": {"ru": "[{case}] {text}", "kk": "[{case}] {text}", "uz": "[{case}] {text}", "en": "[{case}] {text}"},
    "choose_case": {
        "ru": "У вас несколько обращений: {cases}. Начните сообщение с кода, например «{first} текст».",
        "kk": "Сізде бірнеше өтініш бар: {cases}. Хабарды кодтан бастаңыз, мысалы «{first} мәтін».",
        "uz": "Sizda bir nechta murojaat bor: {cases}. Xabarni koddan boshlang, masalan «{first} matn».",
        "en": "You have several cases: {cases}. Start your message with the code, e.g. “{first} text”.",
    },
    "no_case": {
        "ru": "Сейчас у вас нет обращений.",
        "kk": "Қазір сізде өтініш жоқ.",
        "uz": "Hozir sizda murojaat yo'q.",
        "en": "You have no case right now.",
    },
    "take": {"ru": "Взять", "kk": "Алу", "uz": "Olish", "en": "Take"},
    "decline": {"ru": "Не могу сейчас", "kk": "Қазір алмаймын", "uz": "Hozir olmayman", "en": "Can't now"},
}


def text(key: str, reader: str | None, **values: object) -> str:
    """``reader`` is the operator's language; ``lang`` in values is the case's."""
    table = TEXTS[key]
    return table.get(reader or "en", table["en"]).format(**values)


def waiting(seconds: int) -> str:
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def reason_names(codes: tuple[str, ...] | list[str], reader: str | None) -> str:
    """Urgency reasons (category codes) as the operator reads them, in their language."""
    lang = reader if reader in UI_LANGUAGES else "en"
    return ", ".join(translate(lang, f"reason.{code}") for code in codes) or "—"


def alert_text(alert: AlertInfo, language: str | None, key: str = "alert") -> str:
    return text(key, language, case=alert.case, lang=alert.language or "?", intent=alert.intent or "?",
                reasons=reason_names(alert.urgent_reasons, language), wait=waiting(alert.waiting_seconds))  # fmt: skip
