"""The demo data's samverkansparter and lokala jobbspår: who they are, what each track
trains for, its kompetensprofil and its insatspaket. Dates are days from today, so the
demo always has a track in each phase."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.tracks.models import InterventionKind

# (key, name, legal form (data.ORG_PREFIXES: the first digits of its org.nr), industry,
# SNI code, contact persons' titles).
PARTNERS = [
    ("af", "Arbetsförmedlingen", "Myndighet", "Arbetsförmedling och rekrytering", "78.100",
     ["Arbetsförmedlare", "Arbetsförmedlare, etablering"]),
    ("komvux", "Komvux, vuxenutbildningen i kommunen", "Kommun", "Vuxenutbildning", "85.593",
     ["Rektor", "Studie- och yrkesvägledare"]),
    ("folkhogskola", "Länsfolkhögskolan", "Stiftelse", "Folkhögskoleutbildning", "85.591",
     ["Kursansvarig"]),
    ("yh", "Yrkeshögskolan Vård och Logistik", "AB", "Eftergymnasial yrkesutbildning",
     "85.410", ["Utbildningsledare"]),
    ("provider", "Kompetenscentrum Arbetsliv AB", "AB", "Personalutbildning", "85.592",
     ["Affärsområdeschef", "Utbildningskoordinator"]),
]  # fmt: skip


@dataclass
class DemoInsats:
    kind: InterventionKind
    title: str
    # "employer" (the track's first employer) or a partner's key.
    provider: str
    # Days from the start of the execution phase, and how many days it runs (the last
    # one included).
    starts: int
    days: int
    notes: str = ""


@dataclass
class DemoTrack:
    name: str
    occupation: str
    # The industry (data.INDUSTRIES) its employers are chosen from.
    industry: str
    description: str
    places: int
    # When its planning started, in days from today (negative: in the past).
    planning: int
    # Days from the start of execution to the start of closing.
    execution_days: int
    profile: dict[str, str]
    insatser: list[DemoInsats]
    # A finished track's participants by stage and outcome: identified, started,
    # completed, left_early, to_studies, to_other, outcome_unknown; and who went to a job,
    # by employment type.
    counts: dict[str, int] = field(default_factory=dict)
    employment: dict[str, int] = field(default_factory=dict)
    # Days before today that its second round's planning started (None: no second round).
    second_round: int | None = None


# The phases' lengths before execution: planning six weeks, recruitment four; closing
# four weeks after execution.
PLANNING_DAYS = 42
RECRUITMENT_DAYS = 28
CLOSING_DAYS = 28

TRACKS = [
    DemoTrack(
        name="Undersköterska i äldreomsorgen",
        occupation="Undersköterska",
        industry="Vård och omsorg",
        description=(
            "Kommunens äldreomsorg och privata utförare behöver undersköterskor. Deltagarna "
            "läser vård- och omsorgsprogrammet på Komvux med språkstöd, gör APL hos "
            "arbetsgivarna och erbjuds anställning efter godkänd utbildning."
        ),
        places=16,
        planning=-420,
        execution_days=240,
        profile={
            "occupation": "Undersköterska (SSYK 5321)",
            "tasks": "Omvårdnad och stöd i vardagen i hemtjänst och på särskilt boende; "
            "dokumentation; delegerade hälso- och sjukvårdsuppgifter.",
            "required_competences": "Godkänd vård- och omsorgsutbildning (undersköterska).",
            "desirable_competences": "Erfarenhet av demensvård; flera språk.",
            "language_level": "Svenska motsvarande SVA grund; god förmåga att dokumentera",
            "licences": "B-körkort för hemtjänsten",
            "working_hours": "Dag, kväll och varannan helg; heltid",
            "physical_demands": "Förflyttningar med hjälpmedel, mycket gående och stående.",
            "employer_offers": "Handledare under APL, introduktionsprogram och "
            "tillsvidareanställning efter godkänd utbildning.",
        },
        insatser=[
            DemoInsats(InterventionKind.guidance, "Kartläggning och vägledning", "af", -14, 14),
            DemoInsats(InterventionKind.language, "Svenska för vård och omsorg", "komvux", 0, 56),
            DemoInsats(
                InterventionKind.training,
                "Vård- och omsorgsprogrammet",
                "komvux",
                56,
                150,
                "Studietakt 100 %, med studiehandledning på modersmål.",
            ),
            DemoInsats(
                InterventionKind.internship,
                "APL hos arbetsgivarna",
                "employer",
                213,
                27,
                "En vecka mellan utbildningen och APL: se till att deltagarna har sysselsättning.",
            ),
        ],
        counts={
            "identified": 34,
            "started": 16,
            "completed": 13,
            "left_early": 3,
            "to_studies": 2,
            "to_other": 1,
            "outcome_unknown": 1,
        },
        employment={"ordinary": 7, "fixed_term": 2, "introduction_job": 3},
        second_round=50,
    ),
    DemoTrack(
        name="Lager och logistik",
        occupation="Lagerarbetare och truckförare",
        industry="Lager och magasin",
        description=(
            "Logistikföretagen i kommunen saknar lagerpersonal med truckkort. Ett kort "
            "yrkesspår med truckutbildning och praktik på lagren."
        ),
        places=12,
        planning=-110,
        execution_days=84,
        profile={
            "occupation": "Lagerarbetare (SSYK 9331), truckförare (SSYK 8344)",
            "tasks": "Plock och pack, inleverans, truckkörning, enklare lagersystem.",
            "required_competences": "Truckkort A+B (ges i utbildningen).",
            "desirable_competences": "Erfarenhet av lagerarbete; datorvana.",
            "language_level": "Svenska i tal; instruktioner på svenska",
            "licences": "Truckkort A+B, gärna B-körkort",
            "working_hours": "Tvåskift, vissa helger",
            "physical_demands": "Tunga lyft förekommer; mycket gående.",
            "employer_offers": "Handledare på lagret, skyddsutrustning och arbetskläder.",
        },
        insatser=[
            DemoInsats(InterventionKind.training, "Truckutbildning A+B", "provider", 0, 21),
            DemoInsats(InterventionKind.language, "Yrkessvenska lager", "folkhogskola", 0, 42),
            DemoInsats(InterventionKind.internship, "Praktik på lagret", "employer", 28, 42),
            DemoInsats(
                InterventionKind.mentoring, "Handledning på arbetsplatsen", "employer", 28, 56
            ),
        ],
    ),
    DemoTrack(
        name="Bussförare",
        occupation="Bussförare",
        industry="Åkerier",
        description=(
            "Trafikbolagen behöver bussförare inför nästa trafikår. Yrkeshögskolan ger "
            "D-körkort och YKB; arbetsgivarna tar emot på praktik och anställer."
        ),
        places=10,
        planning=-14,
        execution_days=140,
        profile={
            "occupation": "Buss- och spårvagnsförare (SSYK 8331)",
            "tasks": "Linjetrafik och skolskjuts; service till resenärerna.",
            "required_competences": "D-körkort och YKB (ges i utbildningen).",
            "desirable_competences": "Erfarenhet av kundservice.",
            "language_level": "Svenska i tal och skrift",
            "licences": "B-körkort sedan minst ett år",
            "working_hours": "Delade turer, kvällar och helger",
            "physical_demands": "Långa pass sittande; god syn och hörsel.",
            "employer_offers": "Introduktion i linjenätet och handledare de första veckorna.",
        },
        insatser=[
            DemoInsats(InterventionKind.training, "D-körkort och YKB", "yh", 0, 112),
            DemoInsats(InterventionKind.internship, "Praktik i linjetrafik", "employer", 112, 28),
            DemoInsats(InterventionKind.guidance, "Matchning mot anställning", "af", 126, 14),
        ],
    ),
]
