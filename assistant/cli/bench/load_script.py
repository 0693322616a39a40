"""What a simulated caller of the load test says: a booking dialogue that answers what is asked.

The lines are written the way Vosk writes (lower case, numbers as words), like the bench's
dialogues (dialogues.yml). A caller owns one (patient, specialty) pair of the demo data
(cityservices/seed/health.py), so that two callers never want the same patient's one visit to
one specialty (an EMIAS rule), while callers of one specialty still race for the same slots.
Pure logic, no I/O: `next_line` reads the assistant's last reply and returns the caller's answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_RU_DIGITS = ("ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class Patient:
    key: str
    policy: str
    birth_date: str  # ISO, as the city API takes it
    birth_ru: str
    birth_en: str


PATIENTS = (  # the demo identities (cityservices/seed/health.py)
    Patient("ivan", "7712345678901234", "1985-03-14",
            "четырнадцатого марта тысяча девятьсот восемьдесят пятого года",
            "march fourteenth nineteen eighty five"),
    Patient("anna", "7798765432109876", "1992-11-02",
            "второго ноября тысяча девятьсот девяносто второго года",
            "november second nineteen ninety two"),
    Patient("sergei", "7700000000000017", "1978-06-30",
            "тридцатого июня тысяча девятьсот семьдесят восьмого года",
            "june thirtieth nineteen seventy eight"),
    Patient("maria", "7700000000000025", "2015-09-05",
            "пятого сентября две тысячи пятнадцатого года",
            "september fifth two thousand fifteen"),
)
# specialty code -> (Russian, after "к ...", English)
SPECIALTIES = {
    "therapist": ("терапевту", "therapist"),
    "dentist": ("стоматологу", "dentist"),
    "ophthalmologist": ("офтальмологу", "ophthalmologist"),
    "otolaryngologist": ("лору", "ent doctor"),
    "surgeon": ("хирургу", "surgeon"),
    "cardiologist": ("кардиологу", "cardiologist"),
    "neurologist": ("неврологу", "neurologist"),
    "dermatologist": ("дерматологу", "dermatologist"),
    "gynecologist": ("гинекологу", "gynecologist"),
    "pediatrician": ("педиатру", "pediatrician"),
}
DAYS = {"ru": ("послезавтра", "в пятницу", "в понедельник", "в среду", "завтра"),
        "en": ("the day after tomorrow", "on friday", "on monday", "on wednesday", "tomorrow")}
OPTIONS = {"ru": ("первый", "второй", "третий"), "en": ("the first one", "the second one",
                                                       "the third one")}
REFERENCE = re.compile(r"(?:Номер записи|Reference) (A\d{6})")
# (what the assistant asks, the kind of answer); the first match in the reply wins
_ASKS: tuple[tuple[str, str], ...] = (
    (r"Запись не состоялась|Nothing was booked", "aborted"),
    (r"уже есть запись: |already have a visit: ", "already_booked"),
    (r"Подтверждаете|Do you confirm|Скажите «да»|Say yes", "confirm"),
    (r"Какое время выбираете|Which one\?|номер варианта|option number|другое время|another time"
     r"|только что заняли|just taken", "option"),
    (r"дату рождения|date of birth", "birth"),
    (r"полиса|policy", "policy"),
    (r"На какой день|For which day|Назовите день|Say a day|другой день|another day", "day"),
    (r"К какому врачу|Which doctor|специальность|specialty", "specialty"),
)


def spoken_digits(digits: str, lang: str) -> str:
    words = _RU_DIGITS if lang == "ru" else _EN_DIGITS
    return " ".join(words[int(d)] for d in digits)


def pair(index: int) -> tuple[Patient, str]:
    """The (patient, specialty) pair of caller `index`: four callers per specialty, one per
    patient, so that they race for the same slots but never for one patient's one visit."""
    codes = list(SPECIALTIES)
    return PATIENTS[index % len(PATIENTS)], codes[(index // len(PATIENTS)) % len(codes)]


@dataclass
class Booking:
    """One booking dialogue of one caller; `outcome` is set once it ends."""

    patient: Patient
    specialty: str
    lang: str
    option: int = 0  # which offered time to take (callers differ, as people do)
    max_turns: int = 12
    said: list[str] = field(default_factory=list)
    asked: dict[str, int] = field(default_factory=dict)
    outcome: str = ""  # booked / aborted / already_booked / stuck / too_long
    reference: str = ""

    def first_line(self) -> str:
        ru, en = SPECIALTIES[self.specialty]
        line = (f"запишите меня к {ru} на {DAYS['ru'][0]}" if self.lang == "ru"
                else f"i need to see a {en} {DAYS['en'][0]}")
        self.said.append(line)
        return line

    def next_line(self, reply: str) -> str | None:
        """The caller's answer to `reply`, or None once the dialogue is over (see outcome)."""
        if found := REFERENCE.search(reply):
            self.outcome, self.reference = "booked", found.group(1)
            return None
        if len(self.said) >= self.max_turns:
            self.outcome = "too_long"
            return None
        kind = next((k for pattern, k in _ASKS if re.search(pattern, reply, re.IGNORECASE)), "")
        if kind in ("", "aborted", "already_booked"):
            self.outcome = kind or "stuck"
            return None
        times = self.asked.get(kind, 0)
        self.asked[kind] = times + 1
        line = self._answer(kind, times)
        self.said.append(line)
        return line

    def retry(self) -> str | None:
        """The last line again (the assistant apologised: "please try again"), or None when the
        dialogue has run out of turns."""
        if len(self.said) >= self.max_turns or not self.said:
            self.outcome = "too_long"
            return None
        self.said.append(self.said[-1])
        return self.said[-1]

    def _answer(self, kind: str, times: int) -> str:
        ru = self.lang == "ru"
        if kind == "confirm":
            return "да" if ru else "yes"
        if kind == "option":
            options = OPTIONS[self.lang]
            return options[(self.option + times) % len(options)]
        if kind == "birth":
            return self.patient.birth_ru if ru else self.patient.birth_en
        if kind == "policy":
            return spoken_digits(self.patient.policy, self.lang)
        if kind == "day":
            days = DAYS[self.lang]
            return days[times % len(days)]
        ru_name, en_name = SPECIALTIES[self.specialty]
        return ru_name if ru else en_name
