"""The red flags of a job offer abroad, recognised in what a person writes (ru, kk, uz in both scripts,
Russian typed in Latin letters).

Pure: the core keeps only the flag codes in the case's context, never the words that raised them.
Each pattern works on a folded copy of the message (lower case, one apostrophe, ё → е), and
stems rather than whole words, so inflected and misspelled forms still count.
"""

from __future__ import annotations

import re

FLAGS = ("passport", "fee", "no_contract", "tourist_visa", "social_media_recruiter", "high_salary", "debt", "secrecy")
# What the bot still asks about a job offer while the person has not said it; each question is its own text.
QUESTIONS = ("country", "contract", "passport", "fee")
# The flag that answers each question (a named flag needs no question).
ANSWERED_BY = {"contract": "no_contract", "passport": "passport", "fee": "fee"}

_PASSPORT = r"(паспорт|pasport|passport|пасспорт|төлқұжат)\w*"
_HAND_OVER = (r"(отда|сда|забер|забир|забра|остав|хран|держ|у\s+(него|них|агент|работодател|хозя)|"
              r"otda|zaber|zabir|zabra|ostav|hran|derzh|"
              r"olib|olish|oladi|olad|ber|topshir|qoldir|saqla|оли|бер|топшир|қолдир|сақла|"
              r"ал(ып|ад|а|у|ды)|тапсыр|қалдыр|калдыр|сақта|сакта|агент|agent|работодател|ish\s*beruvchi|xo'?jayin|хозя)")  # fmt: skip
_MONEY = r"(\$|долл|dollar|доллар|usd|евро|euro|evro|сом|тенге|рубл|rubl|ming|мың|тысяч)\w*"
_CONTRACT = r"(договор|контракт|dogovor|kontrakt|contract|shartnoma|шартнома|келісімшарт|келісім-шарт|келисимшарт)\w*"
PATTERNS: dict[str, tuple[str, ...]] = {
    "passport": (
        rf"{_PASSPORT}.{{0,40}}?{_HAND_OVER}",
        rf"{_HAND_OVER}.{{0,40}}?{_PASSPORT}",
    ),
    "fee": (
        r"(за)?плат(ить|и|ишь|им)\b", r"оплат(ить|у|а)\b", r"предоплат", r"взнос", r"комисси", r"деньги\s+(вперед|заранее)",
        r"(zaplatit|oplatit|predoplat|vznos|komissi|dengi\s+vpered)",
        r"pul\s*(to'?la|ber|so'?ra)", r"to'?lov", r"oldindan\s+pul", r"пул\s*(тўла|тула|бер|сўра)", r"тўлов", r"олдиндан",
        r"ақша\s*(төле|сұра|бер|жина)", r"акша\s*(толе|сура|бер)", r"алдын\s*ала", r"төлем", r"төлеу",
        r"\d+\s*(\$|долл|dollar|доллар|usd|тысяч|ming|мың|мын)\w*\s*(за|uchun|үшін|для|za)\b",
        r"(за|za)\s+(визу|vizu|билет|bilet|оформлени|oformleni|работу|rabotu)",
        r"(виза|viza|vizа|билет|bilet)\w*\s+(uchun|үшін|учун)",
        rf"\d+\s*{_MONEY}[^,.;!?]{{0,25}}?(аудар|төле|tashla|to'?la|тўла|тула|скин|перев|отправ|заплат|оплат|"
        r"zaplat|oplat|skin)",
        r"(визаға|визага|vizaga|визага|визу|vizu|за\s+оформ|za\s+oform)\s+\d+",
    ),
    "no_contract": (
        rf"(без|нет|не\s+да\w*|не\s+пока\w*|не\s+подпис\w*|bez|net|ne\s+da\w*)\s+(\w+\s+){{0,2}}{_CONTRACT}",
        rf"{_CONTRACT}\s+(\w+\s+){{0,2}}(нет|не\s+да\w*|не\s+будет|потом|на\s+месте|net|ne\s+da\w*|ne\s+budet|potom|"
        r"yo'?q|йўқ|йук|жоқ|жок|bermay|berishmay|бермай|бермей|бермейді|кейін|keyin|кейин|yo'q)",
        rf"{_CONTRACT}.{{0,40}}?(корейск|английск|турецк|арабск|koreys|ingliz|turk\w*\s+tilida|arab|"
        r"не\s+понима|не\s+могу\s+прочит|tushunma|o'?qiy\s*olma|түсінбе|оқи\s*алма|ne\s+ponima)",
        r"(shartnoma|шартнома|келісімшарт|договор|контракт|dogovor|kontrakt)(siz|сиз|сыз|сіз)\b",
    ),
    "tourist_visa": (
        r"туристическ\w*\s+виз", r"виз\w*\s+турист", r"viz\w*\s+turist", r"турист\w*\s+виз", r"туристк", r"turist\w*\s*viz", r"туристі?к\s+виза", r"turistik",
        r"студенческ\w*\s+виз", r"student\w*\s*viz", r"учебн\w*\s+виз", r"talaba\w*\s+viza", r"o'?quv\s+viza",
        r"студенттік\s+виза", r"оқу\s+визас", r"туристик\s+виза", r"талаба\s+виза", r"ўқув\s+виза",
    ),
    "social_media_recruiter": (
        r"инстаграм", r"instagram", r"телеграм", r"telegram", r"\binsta\b", r"инсте", r"тикток", r"tik\s*tok", r"фейсбук", r"facebook",
        r"одноклассник", r"odnoklassnik", r"вконтакт", r"vkontakt", r"\bvk\b", r"\bвк\b", r"imo\b", r"ватсап",
        r"вотсап", r"whats\s*app", r"vatsap", r"телеграм\w*\s*(канал|груп)", r"telegram\w*\s*(kanal|grup|guruh)",
        r"(только|faqat|тек)\s+(в|через|orqali)?\s*(соцсет|переписк|telegram|телеграм|tele)", r"соцсет", r"ijtimoiy\s+tarmoq",
        r"әлеуметтік\s+желі",
    ),
    "high_salary": (
        r"(больш|высок|огромн|хорош)\w*\s+(зарплат|заработ|деньг)", r"(bolsh|vysok|ogromn)\w*\s+(zarplat|zarabot|deng)",
        r"(katta|zo'?r|juda\s+ko'?p|baland)\s+(maosh|oylik|pul)", r"(катта|жуда\s+кўп)\s+(маош|ойлик|пул)",
        r"(жоғары|үлкен|көп|жогары|улкен)\s+(жалақы|айлық|ақша|жалакы|айлык)",
        r"(тысяч|ming|мың)\w*\s+(долл|dollar|доллар)",
    ),
    "debt": (
        r"\bдолг", r"в\s+долг", r"задолж", r"\bdolg", r"v\s+dolg", r"qarz", r"қарыз", r"карыз", r"қарз", r"қарзга", r"қарзи",
        r"вычт\w*\s+из\s+(зарплат|заработ)", r"из\s+зарплаты\s+вычт", r"vycht", r"ish\s+haqidan\s+ushla", r"маошдан\s+ушла",
        r"жалақыдан\s+ұста", r"отработа\w*\s+(билет|дорог)", r"otrabot", r"atrabot", r"отработа", r"vicht",
        r"(айлығ|жалақы|айлық)\w*\s+ұста", r"(oylik|maosh)\w*\s+ushla", r"(ойлик|маош)\w*\s+ушла",
        r"ishlab\s+qaytar", r"ишлаб\s+қайтар", r"істеп\s+қайтар", r"өтейсі", r"\bдолж(на|ен|ны)\b", r"dolzh(na|en)\b",
        r"\bdoljna\b",
    ),
    "secrecy": (
        r"никому\s+не\s+(говор|рассказ|сообщ|пиш)", r"не\s+(говори|рассказыва)\w*\s+(никому|родн|семь|маме|дома)",
        r"\bсекрет", r"в\s+тайне", r"nikomu\s+ne\s+(govor|rasskaz|soobsh)", r"ne\s+(govori|rasskazyva)\w*\s+(nikomu|rodn|sem)",
        r"hech\s+kimga\s+(aytma|aytmaslik|aytmang|gapirma)", r"хеч\s+кимга\s+(айтма|гапирма)", r"sir\s+saqla",
        r"ешкімге\s+(айтпа|айтпау|айтпаңыз|айтпауым|айтпауымды)", r"ешкимге\s+айтпа", r"eshkimge\s+aytpa",
        r"(sirligicha|сир\s+сақла|құпия)", r"(хеч|hech)\s+(ким|kim)\s+(билмасин|bilmasin)", r"ешкім\s+білмесін",
        r"никто\s+не\s+(должен|будет)\s+знать", r"nikto\s+ne\s+(dolzhen|doljen)\s+znat",
    ),
}  # fmt: skip
# One alternation per flag: a message is searched once per flag, not once per pattern (the same answers).
_COMPILED = {flag: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE | re.UNICODE)
             for flag, pats in PATTERNS.items()}  # fmt: skip
_FOLD = str.maketrans({"ʻ": "'", "’": "'", "‘": "'", "`": "'", "ʼ": "'", "ё": "е", "ҳ": "х"})
# A large amount of money: "3000 долларов", "$2500", "5000 dollar", "2 тысячи евро".
_AMOUNT = re.compile(r"(\$\s*\d[\d\s]{3,}|\b\d[\d\s]{3,}\s*(\$|долл|dollar|доллар|usd|евро|euro|evro)|"
                     r"\b\d+\s*(тысяч|ming|мың|мын|minglab)\w*\s*(\$|долл|dollar|доллар|usd|евро|euro|evro))", re.I)
# Words of paying (the amount is a fee, not a salary) in the same clause.
_PAYING = re.compile(r"(за\b|za\b|uchun|үшін|учун|to'?la|тўла|төле|аудар|tashla|скин|перев|заплат|оплат|zaplat|oplat|"
                     r"взнос|комисс)", re.I)


def fold(text: str) -> str:
    return " ".join(text.lower().translate(_FOLD).split())


def _high_salary(folded: str) -> bool:
    """A large amount that is paid to the person, not by them: no paying word in its clause."""
    for clause in re.split(r"[,.;!?]", folded):
        if _AMOUNT.search(clause) and not _PAYING.search(clause):
            return True
    return False


def find_flags(text: str) -> list[str]:
    """The red-flag codes ``text`` names, in the fixed order of :data:`FLAGS`."""
    folded = fold(text)
    return [flag for flag in FLAGS
            if _COMPILED[flag].search(folded) or (flag == "high_salary" and _high_salary(folded))]  # fmt: skip


def open_questions(flags: set[str] | list[str], *, country_known: bool) -> list[str]:
    """What is still worth asking about the offer: nothing the person already told."""
    told = set(flags)
    asked = [] if country_known else ["country"]
    return asked + [q for q in QUESTIONS[1:] if ANSWERED_BY[q] not in told]


# What an unpaid-wages follow-up needs to know, each told in the person's words or not at all.
_MONTHS = re.compile(
    r"(\d+|один|два|две|три|четыре|пять|шесть|полгода|bir|ikki|uch|to'?rt|besh|olti|бір|екі|үш|төрт|бес|алты|икки|уч|"
    r"тўрт|беш|odin|dva|tri|chetyre)\s*(-?х\s*)?(месяц|мес\b|mesyac|mesyats|oy\b|oydan|oy\s|ай\b|айдан|ай\s|ой\b|ойдан|"
    r"month|недел|hafta|апта|ҳафта)|полгода|yarim\s+yil|жарты\s+жыл|ярим\s+йил|polgoda", re.I)  # fmt: skip
_CONTRACT_WORD = re.compile(_CONTRACT, re.I)


def wage_facts(text: str) -> list[str]:
    """What an unpaid-wages message already tells: ``months`` (how long), ``contract`` (whether there is one)."""
    folded = fold(text)
    return [fact for fact, found in (("months", _MONTHS.search(folded)), ("contract", _CONTRACT_WORD.search(folded)))
            if found]  # fmt: skip
