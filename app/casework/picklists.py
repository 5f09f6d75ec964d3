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
    "record": {"ru": "Карточка случая", "kk": "Оқиға картасы", "uz": "Holat kartasi", "ky": "Окуянын картасы",
               "tg": "Кортаи ҳодиса", "en": "Case record"},
    "contact_type": {"ru": "Кто обратился", "kk": "Кім хабарласты", "uz": "Kim murojaat qildi", "ky": "Ким кайрылды",
                     "tg": "Кӣ муроҷиат кард", "en": "Who contacted"},
    "exploitation_types": {"ru": "Вид эксплуатации", "kk": "Қанаудың түрі", "uz": "Ekspluatatsiya turi",
                           "ky": "Эксплуатациянын түрү", "tg": "Намуди истисмор", "en": "Type of exploitation"},
    "means_of_control": {"ru": "Способы контроля", "kk": "Бақылау тәсілдері", "uz": "Nazorat usullari",
                         "ky": "Көзөмөлдөө ыкмалары", "tg": "Усулҳои назорат", "en": "Means of control"},
    "recruitment": {"ru": "Вербовка", "kk": "Жалдау тәсілі", "uz": "Yollash usuli", "ky": "Жалдоо ыкмасы",
                    "tg": "Усули ҷалбкунӣ", "en": "Recruitment"},
    "country_origin": {"ru": "Страна происхождения", "kk": "Шыққан елі", "uz": "Kelib chiqqan mamlakat",
                       "ky": "Келип чыккан өлкөсү", "tg": "Кишвари баромад", "en": "Country of origin"},
    "countries_transit": {"ru": "Страны транзита", "kk": "Транзит елдері", "uz": "Tranzit mamlakatlar",
                          "ky": "Транзит өлкөлөрү", "tg": "Кишварҳои транзитӣ", "en": "Transit countries"},
    "country_exploitation": {"ru": "Страна эксплуатации", "kk": "Қанау болған ел", "uz": "Ekspluatatsiya mamlakati",
                             "ky": "Эксплуатация болгон өлкө", "tg": "Кишвари истисмор",
                             "en": "Country of exploitation"},
    "sector": {"ru": "Отрасль", "kk": "Сала", "uz": "Soha", "ky": "Тармак", "tg": "Соҳа", "en": "Sector"},
    "gender": {"ru": "Пол", "kk": "Жынысы", "uz": "Jinsi", "ky": "Жынысы", "tg": "Ҷинс", "en": "Gender"},
    "age_band": {"ru": "Возрастная группа", "kk": "Жас тобы", "uz": "Yosh guruhi", "ky": "Жаш тобу",
                 "tg": "Гурӯҳи синну сол", "en": "Age band"},
    "save": {"ru": "Сохранить карточку", "kk": "Картаны сақтау", "uz": "Kartani saqlash", "ky": "Картаны сактоо",
             "tg": "Нигоҳ доштани корта", "en": "Save record"},
    "saved": {"ru": "Карточка сохранена.", "kk": "Карта сақталды.", "uz": "Karta saqlandi.", "ky": "Карта сакталды.",
              "tg": "Корта нигоҳ дошта шуд.", "en": "Record saved."},
    "invalid": {"ru": "В карточке есть значение не из списка.", "kk": "Картада тізімде жоқ мән бар.",
                "uz": "Kartada ro‘yxatda yo‘q qiymat bor.", "ky": "Картада тизмеде жок маани бар.",
                "tg": "Дар корта қимате ҳаст, ки дар рӯйхат нест.",
                "en": "The record has a value that is not in the list."},
    "not_set": {"ru": "не указано", "kk": "көрсетілмеген", "uz": "ko‘rsatilmagan", "ky": "көрсөтүлгөн эмес",
                "tg": "нишон дода нашудааст", "en": "not set"},
    "referrals": {"ru": "Направления", "kk": "Жолдамалар", "uz": "Yo‘llanmalar", "ky": "Жолдомолор", "tg": "Роҳхатҳо",
                  "en": "Referrals made"},
    "add_referral": {"ru": "Записать направление", "kk": "Жолдаманы жазу", "uz": "Yo‘llanmani yozish",
                     "ky": "Жолдомону жазуу", "tg": "Сабти роҳхат", "en": "Record referral"},
    "follow_ups": {"ru": "Повторные связи", "kk": "Қайта байланыс", "uz": "Qayta bog‘lanish", "ky": "Кайра байланышуу",
                   "tg": "Тамоси такрорӣ", "en": "Follow-ups"},
    "due_at": {"ru": "Срок (UTC)", "kk": "Мерзімі (UTC)", "uz": "Muddat (UTC)", "ky": "Мөөнөтү (UTC)",
               "tg": "Мӯҳлат (UTC)", "en": "Due (UTC)"},
    "add_follow_up": {"ru": "Запланировать", "kk": "Жоспарлау", "uz": "Rejalashtirish", "ky": "Пландаштыруу",
                      "tg": "Ба нақша гирифтан", "en": "Schedule"},
    "done": {"ru": "выполнено", "kk": "орындалды", "uz": "bajarildi", "ky": "аткарылды", "tg": "иҷро шуд",
             "en": "done"},
    "earlier_cases": {"ru": "Прежние обращения этого человека", "kk": "Осы адамның бұрынғы өтініштері",
                      "uz": "Bu odamning avvalgi murojaatlari", "ky": "Бул адамдын мурунку кайрылуулары",
                      "tg": "Муроҷиатҳои қаблии ин шахс", "en": "This person's earlier cases"},
    "link": {"ru": "Связать", "kk": "Байланыстыру", "uz": "Bog‘lash", "ky": "Байланыштыруу", "tg": "Пайваст кардан",
             "en": "Link"},
    "linked": {"ru": "связан", "kk": "байланыстырылған", "uz": "bog‘langan", "ky": "байланыштырылган",
               "tg": "пайвастшуда", "en": "linked"},
    # who contacted
    "Self": {"ru": "Сам человек", "kk": "Адамның өзі", "uz": "Odamning o‘zi", "ky": "Адамдын өзү", "tg": "Худи шахс",
             "en": "The person"},
    "FamilyMember": {"ru": "Родственник", "kk": "Туысы", "uz": "Qarindoshi", "ky": "Тууганы", "tg": "Хешованд",
                     "en": "A relative"},
    "MemberOfPublic": {"ru": "Посторонний человек", "kk": "Бөгде адам", "uz": "Begona odam", "ky": "Бөтөн адам",
                       "tg": "Шахси бегона", "en": "A member of the public"},
    "Organisation": {"ru": "Организация", "kk": "Ұйым", "uz": "Tashkilot", "ky": "Уюм", "tg": "Ташкилот",
                     "en": "An organisation"},
    "Unknown": {"ru": "Неизвестно", "kk": "Белгісіз", "uz": "Noma’lum", "ky": "Белгисиз", "tg": "Номаълум",
                "en": "Unknown"},
    "Other": {"ru": "Другое", "kk": "Басқа", "uz": "Boshqa", "ky": "Башка", "tg": "Дигар", "en": "Other"},
    # exploitation
    "ForcedLabour": {"ru": "Трудовая эксплуатация", "kk": "Еңбекті қанау", "uz": "Mehnat ekspluatatsiyasi",
                     "ky": "Эмгек эксплуатациясы", "tg": "Истисмори меҳнатӣ", "en": "Labour exploitation"},
    "SexualExploitation": {"ru": "Сексуальная эксплуатация", "kk": "Жыныстық қанау", "uz": "Jinsiy ekspluatatsiya",
                           "ky": "Сексуалдык эксплуатация", "tg": "Истисмори ҷинсӣ", "en": "Sexual exploitation"},
    "ForcedMarriage": {"ru": "Принудительный брак", "kk": "Мәжбүрлі неке", "uz": "Majburiy nikoh",
                       "ky": "Мажбурлап нике кыюу", "tg": "Никоҳи маҷбурӣ", "en": "Forced marriage"},
    "Begging": {"ru": "Попрошайничество", "kk": "Қайыр сұрату", "uz": "Tilanchilik", "ky": "Кайырчылык", "tg": "Гадоӣ",
                "en": "Begging"},
    "ForcedCriminality": {"ru": "Принуждение к преступлениям", "kk": "Қылмысқа мәжбүрлеу", "uz": "Jinoyatga majburlash",
                          "ky": "Кылмышка мажбурлоо", "tg": "Маҷбур кардан ба ҷиноят", "en": "Forced criminality"},
    "DomesticServitude": {"ru": "Домашнее рабство", "kk": "Үй құлдығы", "uz": "Uy qulligi", "ky": "Үй кулчулугу",
                          "tg": "Ғуломии хонагӣ", "en": "Domestic servitude"},
    # means of control
    "WithholdsDocuments": {"ru": "Отобраны документы", "kk": "Құжаттары алынған", "uz": "Hujjatlari olingan",
                           "ky": "Документтери алынган", "tg": "Ҳуҷҷатҳо гирифта шудаанд", "en": "Documents withheld"},
    "DebtBondage": {"ru": "Долговая кабала", "kk": "Қарызға байлау", "uz": "Qarz asorati", "ky": "Карыз кулчулугу",
                    "tg": "Асорати қарзӣ", "en": "Debt bondage"},
    "Threats": {"ru": "Угрозы", "kk": "Қорқыту", "uz": "Tahdidlar", "ky": "Коркутуу", "tg": "Таҳдидҳо",
                "en": "Threats"},
    "RestrictsMovement": {"ru": "Ограничение свободы передвижения", "kk": "Еркін жүруге тыйым",
                          "uz": "Harakat erkinligini cheklash", "ky": "Эркин жүрүүнү чектөө",
                          "tg": "Маҳдуд кардани озодии ҳаракат", "en": "Confinement"},
    "PhysicalAbuse": {"ru": "Физическое насилие", "kk": "Күш көрсету", "uz": "Jismoniy zo‘ravonlik",
                      "ky": "Физикалык зомбулук", "tg": "Зӯроварии ҷисмонӣ", "en": "Violence"},
    "TakesEarnings": {"ru": "Не платят или отбирают заработок", "kk": "Жалақы берілмейді не тартып алынады",
                      "uz": "Ish haqi to‘lanmaydi yoki tortib olinadi", "ky": "Эмгек акы төлөнбөйт же тартып алынат",
                      "tg": "Музди меҳнат пардохт намешавад ё гирифта мешавад", "en": "Wages withheld"},
    "PsychologicalAbuse": {"ru": "Психологическое давление", "kk": "Психологиялық қысым", "uz": "Ruhiy bosim",
                           "ky": "Психологиялык басым", "tg": "Фишори равонӣ", "en": "Psychological abuse"},
    "SexualAbuse": {"ru": "Сексуальное насилие", "kk": "Жыныстық зорлық", "uz": "Jinsiy zo‘ravonlik",
                    "ky": "Сексуалдык зомбулук", "tg": "Зӯроварии ҷинсӣ", "en": "Sexual abuse"},
    "FalsePromises": {"ru": "Ложные обещания", "kk": "Жалған уәделер", "uz": "Yolg‘on va’dalar",
                      "ky": "Жалган убадалар", "tg": "Ваъдаҳои дурӯғ", "en": "False promises"},
    "ThreatOfLawEnforcement": {"ru": "Запугивание полицией или депортацией",
                               "kk": "Полициямен не депортациямен қорқыту",
                               "uz": "Politsiya yoki deportatsiya bilan qo‘rqitish",
                               "ky": "Полиция же депортация менен коркутуу", "tg": "Тарсондан бо полис ё депортатсия",
                               "en": "Threat of police or deportation"},
    "WithholdsNecessities": {"ru": "Лишение еды, сна, лечения", "kk": "Тамақ, ұйқы, емнен айыру",
                             "uz": "Ovqat, uyqu, davolanishdan mahrum qilish",
                             "ky": "Тамактан, уйкудан, дарылануудан ажыратуу",
                             "tg": "Маҳрум кардан аз хӯрок, хоб, табобат", "en": "Necessities withheld"},
    "ExcessiveWorkingHours": {"ru": "Чрезмерно долгий рабочий день", "kk": "Шектен тыс ұзақ жұмыс күні",
                              "uz": "Haddan tashqari uzun ish kuni", "ky": "Ашыкча узак иш күнү",
                              "tg": "Рӯзи кории аз ҳад зиёд дароз", "en": "Excessive working hours"},
    # recruitment
    "JobOffer": {"ru": "Объявление о работе", "kk": "Жұмыс туралы хабарландыру", "uz": "Ish e’loni",
                 "ky": "Жумуш тууралуу жарнама", "tg": "Эълон дар бораи кор", "en": "Job advert"},
    "Agency": {"ru": "Агентство по трудоустройству", "kk": "Жұмысқа орналастыру агенттігі",
               "uz": "Ishga joylash agentligi", "ky": "Жумушка орноштуруу агенттиги", "tg": "Агентии ба кор ҷойгиркунӣ",
               "en": "Recruitment agency"},
    "Internet": {"ru": "Соцсети, интернет", "kk": "Әлеуметтік желі, интернет", "uz": "Ijtimoiy tarmoq, internet",
                 "ky": "Социалдык тармактар, интернет", "tg": "Шабакаҳои иҷтимоӣ, интернет",
                 "en": "Social media, internet"},
    "Familial": {"ru": "Через родственников", "kk": "Туыстар арқылы", "uz": "Qarindoshlar orqali",
                 "ky": "Туугандар аркылуу", "tg": "Тавассути хешовандон", "en": "Through family"},
    "Acquaintance": {"ru": "Через знакомых", "kk": "Таныстар арқылы", "uz": "Tanishlar orqali",
                     "ky": "Тааныштар аркылуу", "tg": "Тавассути шиносҳо", "en": "Through an acquaintance"},
    "IntimatePartner": {"ru": "Партнёр, предложение брака", "kk": "Серіктес, үйлену ұсынысы",
                        "uz": "Sherik, nikoh taklifi", "ky": "Сүйлөшкөн адам, үйлөнүү сунушу",
                        "tg": "Шарик, пешниҳоди издивоҷ", "en": "Partner, marriage proposal"},
    "Abduction": {"ru": "Похищение", "kk": "Ұрлау", "uz": "O‘g‘irlash", "ky": "Уурдоо", "tg": "Одамрабоӣ",
                  "en": "Abduction"},
    # sectors
    "Agriculture": {"ru": "Сельское хозяйство", "kk": "Ауыл шаруашылығы", "uz": "Qishloq xo‘jaligi",
                    "ky": "Айыл чарбасы", "tg": "Кишоварзӣ", "en": "Agriculture"},
    "Construction": {"ru": "Стройка", "kk": "Құрылыс", "uz": "Qurilish", "ky": "Курулуш", "tg": "Сохтмон",
                     "en": "Construction"},
    "DomesticWork": {"ru": "Работа по дому", "kk": "Үй жұмысы", "uz": "Uy ishi", "ky": "Үй жумушу", "tg": "Кори хона",
                     "en": "Domestic work"},
    "Hospitality": {"ru": "Гостиницы и общепит", "kk": "Қонақүй және тамақтандыру",
                    "uz": "Mehmonxona va umumiy ovqatlanish", "ky": "Мейманкана жана коомдук тамактануу",
                    "tg": "Меҳмонхона ва хӯроки умумӣ", "en": "Hospitality"},
    "Manufacturing": {"ru": "Производство", "kk": "Өндіріс", "uz": "Ishlab chiqarish", "ky": "Өндүрүш",
                      "tg": "Истеҳсолот", "en": "Manufacturing"},
    "Transportation": {"ru": "Транспорт", "kk": "Көлік", "uz": "Transport", "ky": "Транспорт", "tg": "Нақлиёт",
                       "en": "Transportation"},
    "WholesaleAndRetail": {"ru": "Торговля", "kk": "Сауда", "uz": "Savdo", "ky": "Соода", "tg": "Савдо", "en": "Trade"},
    "SexIndustry": {"ru": "Секс-индустрия", "kk": "Секс-индустрия", "uz": "Seks-industriya", "ky": "Секс-индустрия",
                    "tg": "Секс-индустрия", "en": "Sex industry"},
    # gender
    "Male": {"ru": "Мужской", "kk": "Ер", "uz": "Erkak", "ky": "Эркек", "tg": "Мард", "en": "Male"},
    "Female": {"ru": "Женский", "kk": "Әйел", "uz": "Ayol", "ky": "Аял", "tg": "Зан", "en": "Female"},
    "Transgender/NonConforming": {"ru": "Иное", "kk": "Басқа", "uz": "Boshqa", "ky": "Башка", "tg": "Дигар",
                                  "en": "Transgender or non-conforming"},
    # referral results
    "pending": {"ru": "ждёт ответа", "kk": "жауап күтілуде", "uz": "javob kutilmoqda", "ky": "жооп күтүлүүдө",
                "tg": "интизори ҷавоб", "en": "pending"},
    "accepted": {"ru": "принято", "kk": "қабылданды", "uz": "qabul qilindi", "ky": "кабыл алынды", "tg": "қабул шуд",
                 "en": "accepted"},
    "declined": {"ru": "отклонено", "kk": "қабылданбады", "uz": "rad etildi", "ky": "четке кагылды", "tg": "рад шуд",
                 "en": "declined"},
    # countries
    "KZ": {"ru": "Казахстан", "kk": "Қазақстан", "uz": "Qozog‘iston", "ky": "Казакстан", "tg": "Қазоқистон",
           "en": "Kazakhstan"},
    "KG": {"ru": "Кыргызстан", "kk": "Қырғызстан", "uz": "Qirg‘iziston", "ky": "Кыргызстан", "tg": "Қирғизистон",
           "en": "Kyrgyzstan"},
    "UZ": {"ru": "Узбекистан", "kk": "Өзбекстан", "uz": "O‘zbekiston", "ky": "Өзбекстан", "tg": "Ӯзбекистон",
           "en": "Uzbekistan"},
    "TJ": {"ru": "Таджикистан", "kk": "Тәжікстан", "uz": "Tojikiston", "ky": "Тажикстан", "tg": "Тоҷикистон",
           "en": "Tajikistan"},
    "TM": {"ru": "Туркменистан", "kk": "Түрікменстан", "uz": "Turkmaniston", "ky": "Түркмөнстан", "tg": "Туркманистон",
           "en": "Turkmenistan"},
    "RU": {"ru": "Россия", "kk": "Ресей", "uz": "Rossiya", "ky": "Россия", "tg": "Русия", "en": "Russia"},
    "TR": {"ru": "Турция", "kk": "Түркия", "uz": "Turkiya", "ky": "Түркия", "tg": "Туркия", "en": "Türkiye"},
    "AE": {"ru": "ОАЭ", "kk": "БАӘ", "uz": "BAA", "ky": "БАЭ", "tg": "АМА", "en": "United Arab Emirates"},
    "KR": {"ru": "Южная Корея", "kk": "Оңтүстік Корея", "uz": "Janubiy Koreya", "ky": "Түштүк Корея",
           "tg": "Кореяи Ҷанубӣ", "en": "South Korea"},
    "CN": {"ru": "Китай", "kk": "Қытай", "uz": "Xitoy", "ky": "Кытай", "tg": "Чин", "en": "China"},
    "PL": {"ru": "Польша", "kk": "Польша", "uz": "Polsha", "ky": "Польша", "tg": "Лаҳистон", "en": "Poland"},
    "DE": {"ru": "Германия", "kk": "Германия", "uz": "Germaniya", "ky": "Германия", "tg": "Олмон", "en": "Germany"},
    "GB": {"ru": "Великобритания", "kk": "Ұлыбритания", "uz": "Buyuk Britaniya", "ky": "Улуу Британия",
           "tg": "Британияи Кабир", "en": "United Kingdom"},
    "IL": {"ru": "Израиль", "kk": "Израиль", "uz": "Isroil", "ky": "Израиль", "tg": "Исроил", "en": "Israel"},
    "SA": {"ru": "Саудовская Аравия", "kk": "Сауд Арабиясы", "uz": "Saudiya Arabistoni", "ky": "Сауд Арабиясы",
           "tg": "Арабистони Саудӣ", "en": "Saudi Arabia"},
    "QA": {"ru": "Катар", "kk": "Катар", "uz": "Qatar", "ky": "Катар", "tg": "Қатар", "en": "Qatar"},
}


def label(code: str, lang: str) -> str:
    """The code's label in ``lang``, else English, else the code (visible, never a crash)."""
    entry = LABELS.get(code, {})
    return entry.get(lang) or entry.get("en") or code


# Age bands read as "24-26 years" in each language; the band itself is the code.
_YEARS = {"ru": "{} лет", "kk": "{} жас", "uz": "{} yosh", "ky": "{} жаш", "tg": "{} сола", "en": "{} years"}
LABELS.update(
    {band: {lang: form.format(band) for lang, form in _YEARS.items()} for band in AGE_BANDS if band != "Unknown"}
)

# The opt-in check-in on a follow-up (app.oncall.checkins): the consent box and what became of it.
LABELS.update({
    "checkin_consent": {"ru": "Человек согласился получить сообщение-проверку", "kk": "Адам тексеру хабарын алуға келісті",
                        "uz": "Odam tekshiruv xabarini olishga rozi bo‘ldi", "ky": "Адам текшерүү билдирүүсүн алууга макул болду",
                        "tg": "Шахс ба гирифтани паёми пурсиш розӣ шуд", "en": "The person agreed to a check-in message"},
    "checkin_hint": {"ru": "В срок бот отправит одну нейтральную фразу без упоминания линии помощи — там, где канал это позволяет.",
                     "kk": "Мерзімінде бот көмек желісі аталмайтын бір бейтарап сөйлем жібереді — арна рұқсат еткен жерде.",
                     "uz": "Muddatida bot yordam liniyasini tilga olmaydigan bitta betaraf jumla yuboradi — kanal ruxsat bergan joyda.",
                     "ky": "Мөөнөтүндө бот жардам линиясын атабаган бир нейтралдуу сүйлөм жөнөтөт — канал уруксат берген жерде.",
                     "tg": "Дар мӯҳлат бот як ибораи бетарафро бе зикри хати кумак мефиристад — дар ҷое, ки канал иҷозат медиҳад.",
                     "en": "When it is due, the bot sends one neutral line that never mentions the helpline, where the channel allows it."},
    "checkin_agreed": {"ru": "проверка: согласие есть", "kk": "тексеру: келісім бар", "uz": "tekshiruv: rozilik bor",
                       "ky": "текшерүү: макулдук бар", "tg": "пурсиш: розигӣ ҳаст", "en": "check-in: agreed"},
    "checkin_sent": {"ru": "проверка отправлена", "kk": "тексеру жіберілді", "uz": "tekshiruv yuborildi",
                     "ky": "текшерүү жөнөтүлдү", "tg": "пурсиш фиристода шуд", "en": "check-in sent"},
    "checkin_held": {"ru": "проверка ждёт ответа человека (WhatsApp: отправлен шаблон)",
                     "kk": "тексеру адамның жауабын күтуде (WhatsApp: үлгі жіберілді)",
                     "uz": "tekshiruv odamning javobini kutmoqda (WhatsApp: shablon yuborildi)",
                     "ky": "текшерүү адамдын жообун күтүүдө (WhatsApp: үлгү жөнөтүлдү)",
                     "tg": "пурсиш ҷавоби шахсро интизор аст (WhatsApp: намуна фиристода шуд)",
                     "en": "check-in waits for the person's reply (WhatsApp: template sent)"},
    "checkin_not_allowed": {"ru": "проверка не отправлена: канал не позволяет", "kk": "тексеру жіберілмеді: арна рұқсат етпейді",
                            "uz": "tekshiruv yuborilmadi: kanal ruxsat bermaydi", "ky": "текшерүү жөнөтүлгөн жок: канал уруксат бербейт",
                            "tg": "пурсиш фиристода нашуд: канал иҷозат намедиҳад", "en": "check-in not sent: the channel does not allow it"},
    "checkin_gone": {"ru": "проверка не отправлена: веб-чат закрыт", "kk": "тексеру жіберілмеді: веб-чат жабық",
                     "uz": "tekshiruv yuborilmadi: veb-chat yopilgan", "ky": "текшерүү жөнөтүлгөн жок: веб-чат жабык",
                     "tg": "пурсиш фиристода нашуд: веб-чат баста аст", "en": "check-in not sent: the web chat is closed"},
    "checkin_stopped": {"ru": "проверка не отправлена: человек отписался (STOP)", "kk": "тексеру жіберілмеді: адам бас тартты (STOP)",
                        "uz": "tekshiruv yuborilmadi: odam obunani to‘xtatdi (STOP)", "ky": "текшерүү жөнөтүлгөн жок: адам баш тартты (STOP)",
                        "tg": "пурсиш фиристода нашуд: шахс даст кашид (STOP)", "en": "check-in not sent: the person sent STOP"},
    "checkin_silent": {"ru": "проверка не отправлена: человек назвал слово-сигнал", "kk": "тексеру жіберілмеді: адам белгі-сөзді айтты",
                       "uz": "tekshiruv yuborilmadi: odam belgi-so‘zni aytdi", "ky": "текшерүү жөнөтүлгөн жок: адам белги-сөздү айтты",
                       "tg": "пурсиш фиристода нашуд: шахс калимаи рамзиро гуфт", "en": "check-in not sent: the person gave the safe word"},
    "checkin_erased": {"ru": "проверка не отправлена: человек удалил переписку", "kk": "тексеру жіберілмеді: адам хат алмасуды өшірді",
                       "uz": "tekshiruv yuborilmadi: odam yozishmani o‘chirdi", "ky": "текшерүү жөнөтүлгөн жок: адам кат алышууну өчүрдү",
                       "tg": "пурсиш фиристода нашуд: шахс мукотибаро нест кард", "en": "check-in not sent: the person erased the conversation"},
})  # fmt: skip
