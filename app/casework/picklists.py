"""The case record's picklists: codes stored with the case, labels in every UI language.

Codes follow the value names of IOM's Human Trafficking Case Data Standard
(HTCDS) where it has them, so an export needs no mapping; a few helpline-only
values (who contacted us) have their own. Only codes are stored, never words
an operator typed, so a record says nothing that identifies a person.
The labels live here rather than in the shared UI catalogues: one module owns
the whole vocabulary, and a missing translation is caught by one test.
"""

from __future__ import annotations

# field -> the codes an operator may pick, in display order.
CONTACT_TYPES = ("Self", "FamilyMember", "MemberOfPublic", "Organisation", "Unknown")
EXPLOITATION_TYPES = ("ForcedLabour", "SexualExploitation", "ForcedMarriage", "Begging", "ForcedCriminality",
                      "DomesticServitude", "Other")  # fmt: skip
MEANS_OF_CONTROL = ("WithholdsDocuments", "DebtBondage", "Threats", "RestrictsMovement", "PhysicalAbuse",
                    "TakesEarnings", "PsychologicalAbuse", "SexualAbuse", "FalsePromises", "ThreatOfLawEnforcement",
                    "WithholdsNecessities", "ExcessiveWorkingHours", "Other")  # fmt: skip
RECRUITMENT = ("JobOffer", "Agency", "Internet", "Familial", "Acquaintance", "IntimatePartner", "Abduction", "Other",
               "Unknown")  # fmt: skip
SECTORS = ("Agriculture", "Construction", "DomesticWork", "Hospitality", "Manufacturing", "Transportation",
           "WholesaleAndRetail", "SexIndustry", "Begging", "Other", "Unknown")  # fmt: skip
GENDERS = ("Male", "Female", "Transgender/NonConforming", "Unknown")
# Age bands only, never a date of birth; wide enough that a band alone identifies nobody.
AGE_BANDS = ("0-8", "9-17", "18-20", "21-23", "24-26", "27-29", "30-38", "39-47", "48+", "Unknown")
# Countries the helpline's people come from, pass and work in (ISO 3166-1 alpha-2).
COUNTRIES = ("KZ", "KG", "UZ", "TJ", "TM", "RU", "TR", "AE", "KR", "CN", "PL", "DE", "GB", "IL", "SA", "QA", "Other")
REFERRAL_RESULTS = ("pending", "accepted", "declined")

MULTI = {"exploitation_types": EXPLOITATION_TYPES, "means_of_control": MEANS_OF_CONTROL, "recruitment": RECRUITMENT,
         "countries_transit": COUNTRIES}  # fmt: skip
SINGLE = {"contact_type": CONTACT_TYPES, "sector": SECTORS, "gender": GENDERS, "age_band": AGE_BANDS,
          "country_origin": COUNTRIES, "country_exploitation": COUNTRIES}  # fmt: skip

L = dict[str, str]

# Labels: code -> {language: text}. Country names and field headings included.
LABELS: dict[str, L] = {
    # field headings
    "record": {"ru": "Карточка случая", "kk": "Оқиға картасы", "uz": "Holat kartasi", "en": "Case record"},
    "contact_type": {"ru": "Кто обратился", "kk": "Кім хабарласты", "uz": "Kim murojaat qildi", "en": "Who contacted"},
    "exploitation_types": {"ru": "Вид эксплуатации", "kk": "Қанаудың түрі", "uz": "Ekspluatatsiya turi",
                           "en": "Type of exploitation"},
    "means_of_control": {"ru": "Способы контроля", "kk": "Бақылау тәсілдері", "uz": "Nazorat usullari",
                         "en": "Means of control"},
    "recruitment": {"ru": "Вербовка", "kk": "Жалдау тәсілі", "uz": "Yollash usuli", "en": "Recruitment"},
    "country_origin": {"ru": "Страна происхождения", "kk": "Шыққан елі", "uz": "Kelib chiqqan mamlakat",
                       "en": "Country of origin"},
    "countries_transit": {"ru": "Страны транзита", "kk": "Транзит елдері", "uz": "Tranzit mamlakatlar",
                          "en": "Transit countries"},
    "country_exploitation": {"ru": "Страна эксплуатации", "kk": "Қанау болған ел", "uz": "Ekspluatatsiya mamlakati",
                             "en": "Country of exploitation"},
    "sector": {"ru": "Отрасль", "kk": "Сала", "uz": "Soha", "en": "Sector"},
    "gender": {"ru": "Пол", "kk": "Жынысы", "uz": "Jinsi", "en": "Gender"},
    "age_band": {"ru": "Возрастная группа", "kk": "Жас тобы", "uz": "Yosh guruhi", "en": "Age band"},
    "save": {"ru": "Сохранить карточку", "kk": "Картаны сақтау", "uz": "Kartani saqlash", "en": "Save record"},
    "saved": {"ru": "Карточка сохранена.", "kk": "Карта сақталды.", "uz": "Karta saqlandi.", "en": "Record saved."},
    "invalid": {"ru": "В карточке есть значение не из списка.", "kk": "Картада тізімде жоқ мән бар.",
                "uz": "Kartada ro‘yxatda yo‘q qiymat bor.", "en": "The record has a value that is not in the list."},
    "not_set": {"ru": "не указано", "kk": "көрсетілмеген", "uz": "ko‘rsatilmagan", "en": "not set"},
    "referrals": {"ru": "Направления", "kk": "Жолдамалар", "uz": "Yo‘llanmalar", "en": "Referrals made"},
    "add_referral": {"ru": "Записать направление", "kk": "Жолдаманы жазу", "uz": "Yo‘llanmani yozish",
                     "en": "Record referral"},
    "follow_ups": {"ru": "Повторные связи", "kk": "Қайта байланыс", "uz": "Qayta bog‘lanish", "en": "Follow-ups"},
    "due_at": {"ru": "Срок (UTC)", "kk": "Мерзімі (UTC)", "uz": "Muddat (UTC)", "en": "Due (UTC)"},
    "add_follow_up": {"ru": "Запланировать", "kk": "Жоспарлау", "uz": "Rejalashtirish", "en": "Schedule"},
    "done": {"ru": "выполнено", "kk": "орындалды", "uz": "bajarildi", "en": "done"},
    "earlier_cases": {"ru": "Прежние обращения этого человека", "kk": "Осы адамның бұрынғы өтініштері",
                      "uz": "Bu odamning avvalgi murojaatlari", "en": "This person's earlier cases"},
    "link": {"ru": "Связать", "kk": "Байланыстыру", "uz": "Bog‘lash", "en": "Link"},
    "linked": {"ru": "связан", "kk": "байланыстырылған", "uz": "bog‘langan", "en": "linked"},
    # who contacted
    "Self": {"ru": "Сам человек", "kk": "Адамның өзі", "uz": "Odamning o‘zi", "en": "The person"},
    "FamilyMember": {"ru": "Родственник", "kk": "Туысы", "uz": "Qarindoshi", "en": "A relative"},
    "MemberOfPublic": {"ru": "Посторонний человек", "kk": "Бөгде адам", "uz": "Begona odam", "en": "A member of the public"},
    "Organisation": {"ru": "Организация", "kk": "Ұйым", "uz": "Tashkilot", "en": "An organisation"},
    "Unknown": {"ru": "Неизвестно", "kk": "Белгісіз", "uz": "Noma’lum", "en": "Unknown"},
    "Other": {"ru": "Другое", "kk": "Басқа", "uz": "Boshqa", "en": "Other"},
    # exploitation
    "ForcedLabour": {"ru": "Трудовая эксплуатация", "kk": "Еңбекті қанау", "uz": "Mehnat ekspluatatsiyasi",
                     "en": "Labour exploitation"},
    "SexualExploitation": {"ru": "Сексуальная эксплуатация", "kk": "Жыныстық қанау", "uz": "Jinsiy ekspluatatsiya",
                           "en": "Sexual exploitation"},
    "ForcedMarriage": {"ru": "Принудительный брак", "kk": "Мәжбүрлі неке", "uz": "Majburiy nikoh", "en": "Forced marriage"},
    "Begging": {"ru": "Попрошайничество", "kk": "Қайыр сұрату", "uz": "Tilanchilik", "en": "Begging"},
    "ForcedCriminality": {"ru": "Принуждение к преступлениям", "kk": "Қылмысқа мәжбүрлеу",
                          "uz": "Jinoyatga majburlash", "en": "Forced criminality"},
    "DomesticServitude": {"ru": "Домашнее рабство", "kk": "Үй құлдығы", "uz": "Uy qulligi", "en": "Domestic servitude"},
    # means of control
    "WithholdsDocuments": {"ru": "Отобраны документы", "kk": "Құжаттары алынған", "uz": "Hujjatlari olingan",
                           "en": "Documents withheld"},
    "DebtBondage": {"ru": "Долговая кабала", "kk": "Қарызға байлау", "uz": "Qarz asorati", "en": "Debt bondage"},
    "Threats": {"ru": "Угрозы", "kk": "Қорқыту", "uz": "Tahdidlar", "en": "Threats"},
    "RestrictsMovement": {"ru": "Ограничение свободы передвижения", "kk": "Еркін жүруге тыйым",
                          "uz": "Harakat erkinligini cheklash", "en": "Confinement"},
    "PhysicalAbuse": {"ru": "Физическое насилие", "kk": "Күш көрсету", "uz": "Jismoniy zo‘ravonlik", "en": "Violence"},
    "TakesEarnings": {"ru": "Не платят или отбирают заработок", "kk": "Жалақы берілмейді не тартып алынады",
                      "uz": "Ish haqi to‘lanmaydi yoki tortib olinadi", "en": "Wages withheld"},
    "PsychologicalAbuse": {"ru": "Психологическое давление", "kk": "Психологиялық қысым", "uz": "Ruhiy bosim",
                           "en": "Psychological abuse"},
    "SexualAbuse": {"ru": "Сексуальное насилие", "kk": "Жыныстық зорлық", "uz": "Jinsiy zo‘ravonlik", "en": "Sexual abuse"},
    "FalsePromises": {"ru": "Ложные обещания", "kk": "Жалған уәделер", "uz": "Yolg‘on va’dalar", "en": "False promises"},
    "ThreatOfLawEnforcement": {"ru": "Запугивание полицией или депортацией", "kk": "Полициямен не депортациямен қорқыту",
                               "uz": "Politsiya yoki deportatsiya bilan qo‘rqitish", "en": "Threat of police or deportation"},
    "WithholdsNecessities": {"ru": "Лишение еды, сна, лечения", "kk": "Тамақ, ұйқы, емнен айыру",
                             "uz": "Ovqat, uyqu, davolanishdan mahrum qilish", "en": "Necessities withheld"},
    "ExcessiveWorkingHours": {"ru": "Чрезмерно долгий рабочий день", "kk": "Шектен тыс ұзақ жұмыс күні",
                              "uz": "Haddan tashqari uzun ish kuni", "en": "Excessive working hours"},
    # recruitment
    "JobOffer": {"ru": "Объявление о работе", "kk": "Жұмыс туралы хабарландыру", "uz": "Ish e’loni", "en": "Job advert"},
    "Agency": {"ru": "Агентство по трудоустройству", "kk": "Жұмысқа орналастыру агенттігі", "uz": "Ishga joylash agentligi",
               "en": "Recruitment agency"},
    "Internet": {"ru": "Соцсети, интернет", "kk": "Әлеуметтік желі, интернет", "uz": "Ijtimoiy tarmoq, internet",
                 "en": "Social media, internet"},
    "Familial": {"ru": "Через родственников", "kk": "Туыстар арқылы", "uz": "Qarindoshlar orqali", "en": "Through family"},
    "Acquaintance": {"ru": "Через знакомых", "kk": "Таныстар арқылы", "uz": "Tanishlar orqali", "en": "Through an acquaintance"},
    "IntimatePartner": {"ru": "Партнёр, предложение брака", "kk": "Серіктес, үйлену ұсынысы",
                        "uz": "Sherik, nikoh taklifi", "en": "Partner, marriage proposal"},
    "Abduction": {"ru": "Похищение", "kk": "Ұрлау", "uz": "O‘g‘irlash", "en": "Abduction"},
    # sectors
    "Agriculture": {"ru": "Сельское хозяйство", "kk": "Ауыл шаруашылығы", "uz": "Qishloq xo‘jaligi", "en": "Agriculture"},
    "Construction": {"ru": "Стройка", "kk": "Құрылыс", "uz": "Qurilish", "en": "Construction"},
    "DomesticWork": {"ru": "Работа по дому", "kk": "Үй жұмысы", "uz": "Uy ishi", "en": "Domestic work"},
    "Hospitality": {"ru": "Гостиницы и общепит", "kk": "Қонақүй және тамақтандыру", "uz": "Mehmonxona va umumiy ovqatlanish",
                    "en": "Hospitality"},
    "Manufacturing": {"ru": "Производство", "kk": "Өндіріс", "uz": "Ishlab chiqarish", "en": "Manufacturing"},
    "Transportation": {"ru": "Транспорт", "kk": "Көлік", "uz": "Transport", "en": "Transportation"},
    "WholesaleAndRetail": {"ru": "Торговля", "kk": "Сауда", "uz": "Savdo", "en": "Trade"},
    "SexIndustry": {"ru": "Секс-индустрия", "kk": "Секс-индустрия", "uz": "Seks-industriya", "en": "Sex industry"},
    # gender
    "Male": {"ru": "Мужской", "kk": "Ер", "uz": "Erkak", "en": "Male"},
    "Female": {"ru": "Женский", "kk": "Әйел", "uz": "Ayol", "en": "Female"},
    "Transgender/NonConforming": {"ru": "Иное", "kk": "Басқа", "uz": "Boshqa", "en": "Transgender or non-conforming"},
    # referral results
    "pending": {"ru": "ждёт ответа", "kk": "жауап күтілуде", "uz": "javob kutilmoqda", "en": "pending"},
    "accepted": {"ru": "принято", "kk": "қабылданды", "uz": "qabul qilindi", "en": "accepted"},
    "declined": {"ru": "отклонено", "kk": "қабылданбады", "uz": "rad etildi", "en": "declined"},
    # countries
    "KZ": {"ru": "Казахстан", "kk": "Қазақстан", "uz": "Qozog‘iston", "en": "Kazakhstan"},
    "KG": {"ru": "Кыргызстан", "kk": "Қырғызстан", "uz": "Qirg‘iziston", "en": "Kyrgyzstan"},
    "UZ": {"ru": "Узбекистан", "kk": "Өзбекстан", "uz": "O‘zbekiston", "en": "Uzbekistan"},
    "TJ": {"ru": "Таджикистан", "kk": "Тәжікстан", "uz": "Tojikiston", "en": "Tajikistan"},
    "TM": {"ru": "Туркменистан", "kk": "Түрікменстан", "uz": "Turkmaniston", "en": "Turkmenistan"},
    "RU": {"ru": "Россия", "kk": "Ресей", "uz": "Rossiya", "en": "Russia"},
    "TR": {"ru": "Турция", "kk": "Түркия", "uz": "Turkiya", "en": "Türkiye"},
    "AE": {"ru": "ОАЭ", "kk": "БАӘ", "uz": "BAA", "en": "United Arab Emirates"},
    "KR": {"ru": "Южная Корея", "kk": "Оңтүстік Корея", "uz": "Janubiy Koreya", "en": "South Korea"},
    "CN": {"ru": "Китай", "kk": "Қытай", "uz": "Xitoy", "en": "China"},
    "PL": {"ru": "Польша", "kk": "Польша", "uz": "Polsha", "en": "Poland"},
    "DE": {"ru": "Германия", "kk": "Германия", "uz": "Germaniya", "en": "Germany"},
    "GB": {"ru": "Великобритания", "kk": "Ұлыбритания", "uz": "Buyuk Britaniya", "en": "United Kingdom"},
    "IL": {"ru": "Израиль", "kk": "Израиль", "uz": "Isroil", "en": "Israel"},
    "SA": {"ru": "Саудовская Аравия", "kk": "Сауд Арабиясы", "uz": "Saudiya Arabistoni", "en": "Saudi Arabia"},
    "QA": {"ru": "Катар", "kk": "Катар", "uz": "Qatar", "en": "Qatar"},
}


def label(code: str, lang: str) -> str:
    """The code's label in ``lang``, else English, else the code (visible, never a crash)."""
    entry = LABELS.get(code, {})
    return entry.get(lang) or entry.get("en") or code


# Age bands read as "24-26 years" in each language; the band itself is the code.
_YEARS = {"ru": "{} лет", "kk": "{} жас", "uz": "{} yosh", "en": "{} years"}
LABELS.update({band: {lang: form.format(band) for lang, form in _YEARS.items()} for band in AGE_BANDS if band != "Unknown"})
