"""The fictional people of the demo data and the words they write, in English and Welsh.

Everything a person could read starts with "[Demo]" (in Welsh text too), people are "Demo
Person N", addresses are on example.ac.uk (students and staff) or example.org (everyone
else) — domains reserved for examples, which receive no mail — and phone numbers are in the
range Ofcom keeps for drama, 07700 900000 to 07700 900999, which reaches no one. Every
value that identifies someone is unique to its report (it carries the report's number), so
a scan for it in the stack's tables, queues, logs and emails finds exactly that value.
"""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "cy"]

#: The marker every free text starts with.
MARK = "[Demo]"
#: Reporters are numbered as their reports (1 to 999); people reported from here on.
REPORTED_PEOPLE_FROM = 1000
#: The person several reports name (same name, same department): a repeat concern.
REPEATED_PERSON = 999


def person_name(number: int) -> str:
    """An obviously fictional name."""
    return f"Demo Person {number}"


def email_address(number: int, member_of_university: bool) -> str:
    """An address on a domain reserved for examples."""
    domain = "example.ac.uk" if member_of_university else "example.org"
    return f"demo.person.{number}@{domain}"


def phone_number(number: int) -> str:
    """A number in Ofcom's drama range (07700 900000-900999)."""
    return f"07700 900{number % 1000:03d}"


#: What happened, in the reporter's words, by behaviour (the form's `what_happened` ids).
NARRATIVES: dict[Language, dict[str, str]] = {
    "en": {
        "bullying": "A member of my group keeps leaving me out of our project meetings and "
        "mocks my work in front of others.",
        "verbal_harassment": "Someone shouted insults at me as I walked past, and did the "
        "same again the next day.",
        "sexual_harassment": "A person made repeated comments about my body and did not stop "
        "when I asked them to.",
        "sexual_assault": "Someone touched me without my consent at an event. I would like to "
        "talk to someone about my options.",
        "physical_violence": "I was pushed against a wall during an argument and hurt my arm.",
        "stalking": "The same person keeps waiting outside my lectures and follows me home.",
        "online_harassment": "I keep getting abusive messages from an account I do not know.",
        "discrimination_or_hate": "I was told I did not belong here because of who I am.",
        "other": "Something happened that made me feel unsafe and I want it on record.",
    },
    "cy": {
        "bullying": "Mae aelod o fy ngrŵp yn fy ngadael allan o'n cyfarfodydd prosiect ac yn "
        "gwneud hwyl am ben fy ngwaith o flaen pobl eraill.",
        "verbal_harassment": "Gwaeddodd rhywun sarhad arna i wrth i mi gerdded heibio, a "
        "gwnaeth yr un peth eto drannoeth.",
        "sexual_harassment": "Gwnaeth rhywun sylwadau dro ar ôl tro am fy nghorff ac ni "
        "wnaeth stopio pan ofynnais.",
        "sexual_assault": "Cyffyrddodd rhywun â mi heb fy nghaniatâd mewn digwyddiad. Hoffwn "
        "siarad â rhywun am fy opsiynau.",
        "physical_violence": "Cefais fy ngwthio yn erbyn wal yn ystod ffrae a brifais fy mraich.",
        "stalking": "Mae'r un person yn aros y tu allan i fy narlithoedd ac yn fy nilyn adref.",
        "online_harassment": "Rwy'n dal i gael negeseuon sarhaus gan gyfrif nad ydw i'n ei "
        "adnabod.",
        "discrimination_or_hate": "Dywedwyd wrtha i nad oeddwn i'n perthyn yma oherwydd pwy ydw i.",
        "other": "Digwyddodd rhywbeth a wnaeth i mi deimlo'n anniogel ac rwyf am iddo gael ei "
        "gofnodi.",
    },
}
_REPORT_NUMBER: dict[Language, str] = {"en": "Demo report {n}.", "cy": "Adroddiad demo {n}."}
_SAFE_TIMES: dict[Language, str] = {
    "en": "Weekday mornings before 11 (demo report {n})",
    "cy": "Boreau yn ystod yr wythnos cyn 11 (adroddiad demo {n})",
}


def narrative(language: Language, behaviour: str, report: int) -> str:
    """The reporter's account, marked and numbered."""
    words = NARRATIVES[language][behaviour]
    return f"{MARK} {words} {_REPORT_NUMBER[language].format(n=report)}"


def safe_times(language: Language, report: int) -> str:
    """When the reporter may safely be contacted."""
    return f"{MARK} {_SAFE_TIMES[language].format(n=report)}"


#: What staff write on a case, by purpose; `{n}` is the report's number.
_STAFF: dict[Language, dict[str, str]] = {
    "en": {
        "assign": "Assigned to an advisor whose specialism fits (demo case {n})",
        "reveal": "To contact the reporter about support (demo case {n})",
        "timeline": "Reading the case history before the next call (demo case {n})",
        "no_answer": "Called twice, no answer; will try email (demo case {n})",
        "reached": "Spoke to the reporter and agreed a follow-up (demo case {n})",
        "note": "Reporter would like academic adjustments while this is looked into "
        "(demo case {n})",
        "assessment": "Risk discussed; safety plan agreed (demo case {n})",
        "contacted": "First contact made (demo case {n})",
        "in_support": "Support plan agreed with the reporter (demo case {n})",
        "close": "Support complete; closing with the reporter's agreement (demo case {n})",
        "file": "Read and filed for analysis: nothing further to act on (demo case {n})",
        "reopen": "Reporter asked for more support (demo case {n})",
        "legal_hold": "Held for a tribunal claim; do not redact (demo case {n})",
        "escalate": "Reporter fears for their safety this week (demo case {n})",
        "reply": "Thank you for writing. An advisor can meet you at the Student Hub; you do "
        "not need to give your name (demo case {n})",
        "message": "I have remembered more: it happened twice more last week (demo case {n})",
    },
    "cy": {
        "assign": "Wedi'i neilltuo i gynghorydd sy'n arbenigo yn hyn (achos demo {n})",
        "reveal": "I gysylltu â'r adroddwr am gymorth (achos demo {n})",
        "timeline": "Darllen hanes yr achos cyn yr alwad nesaf (achos demo {n})",
        "no_answer": "Ffoniais ddwywaith, dim ateb; byddaf yn anfon e-bost (achos demo {n})",
        "reached": "Siaradais â'r adroddwr a chytuno ar alwad arall (achos demo {n})",
        "note": "Hoffai'r adroddwr addasiadau academaidd tra bydd hyn yn cael ei ystyried "
        "(achos demo {n})",
        "assessment": "Trafodwyd y risg; cytunwyd ar gynllun diogelwch (achos demo {n})",
        "contacted": "Cysylltiad cyntaf wedi'i wneud (achos demo {n})",
        "in_support": "Cytunwyd ar gynllun cymorth gyda'r adroddwr (achos demo {n})",
        "close": "Cymorth wedi'i gwblhau; cau gyda chytundeb yr adroddwr (achos demo {n})",
        "file": "Wedi'i ddarllen a'i ffeilio ar gyfer dadansoddi (achos demo {n})",
        "reopen": "Gofynnodd yr adroddwr am ragor o gymorth (achos demo {n})",
        "legal_hold": "Wedi'i gadw ar gyfer hawliad tribiwnlys; peidiwch â golygu (achos demo {n})",
        "escalate": "Mae'r adroddwr yn ofni am ei ddiogelwch yr wythnos hon (achos demo {n})",
        "reply": "Diolch am ysgrifennu. Gall cynghorydd eich cyfarfod yn yr Hyb Myfyrwyr; does "
        "dim rhaid i chi roi eich enw (achos demo {n})",
        "message": "Rwyf wedi cofio mwy: digwyddodd ddwywaith eto yr wythnos diwethaf "
        "(achos demo {n})",
    },
}


def staff_text(language: Language, purpose: str, report: int) -> str:
    """What staff (or a reporter, `message`) write on a case, marked and numbered."""
    return f"{MARK} {_STAFF[language][purpose].format(n=report)}"


def rights_text(purpose: str, number: int) -> str:
    """The data protection officer's reason for a step of a rights request."""
    words = {
        "export": "Subject access request received by email",
        "erasure": "The subject asked for their report to be erased",
        "close": "Answer sent to the subject",
    }[purpose]
    return f"{MARK} {words} (demo request {number})"
