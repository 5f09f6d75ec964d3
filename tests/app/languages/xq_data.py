"""A made-up language, "Quessan" (code xq), written only as data: NLU examples, urgency cues and bot texts.

The words are invented so nothing the real model knows can stand in for them.
"""

from __future__ import annotations

EXAMPLES: dict[str, list[str]] = {
    "greet": ["velix", "velix tu", "velix morgix", "bona velix", "velix velix ami", "velix ami", "velix bona morgix",
              "ho velix", "velix al vi", "velix, mi skribix"],
    "goodbye": ["gratix", "gratix multix", "gratix adiox", "adiox", "adiox ami", "multix gratix adiox", "gratix, adiox",
                "bona adiox", "adiox gratix vi", "gratix al vi"],
    "documents_taken": ["pasix prenix", "ili prenix pasix", "mia pasix prenix", "dokix prenix", "patrox prenix mia pasix",
                        "ili tenix mia dokix", "sen pasix nun, patrox tenix", "pasix ne donix returne",
                        "patrox ne donix pasix", "dokix kaj pasix prenix"],
    "talk_to_human": ["volas homix", "homix parolix", "donu homix", "parolix kun homix", "homix bonvolu",
                      "mi volas parolix homix", "homix ne roboto", "vokix homix", "homix nun bonvolu", "parolix homix"],
    "emergency": ["lokix mi nun", "mi estix lokix", "helpix urgix", "batix mi nun helpix", "lokix nun helpix",
                  "urgix helpix mi lokix", "ili lokix nin", "ili batix mi", "mortix minacix", "helpix urgix lokix"],
}
URGENT_INTENTS = frozenset({"emergency"})

CUES = """language: xq
cues:
  confinement: [lokix]
  violence: [batix]
  threat: [mortix minacix, helpix urgix]
negation: [ne]
past: [antax]
present: [nun]
hypothetical: [se]
"""

TEXTS = {
    "greet": "Velix! Ci tie vi skribix sen nomo kaj senpage.",
    "goodbye": "Gratix ke vi skribix. Adiox.",
    "documents_taken": "Neniu rajtix preni vian pasix. Kie estas viaj dokix nun?",
    "talk_to_human": "Bone, ni serchix homix por vi.",
    "emergency": "Vi ne estas sola. Ni vokix homix nun. Telefonu: {numbers}.",
    "urgent_ack": "Vi ne estas sola: ni vokix homix nun. Telefonu: {numbers}.",
    "urgent_no_one": "Neniu homix nun; homix legix {when}. Telefonu: {numbers}.",
    "urgent_no_one_later": "Neniu homix nun; homix legix baldaux. Telefonu: {numbers}.",
    "language_set": "Bone, mi skribix kvese.",
    "welcome": "Skribix en via lingvo.",
}
NUMBERS = "Kvesio: 112."
NAME = "Kvese"
