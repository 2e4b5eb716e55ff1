"""The demo data's word lists and weights: Swedish places, trades, names of things, and
how often each status, employment type, source and kind of activity comes up."""

from __future__ import annotations

from app.activities.models import ActivityKind
from app.assignments.models import AssignmentStatus, EmploymentType, SourceKind

# Real Swedish municipalities (a selection, all regions), with their main town.
MUNICIPALITIES = [
    "Ale", "Alingsås", "Arvika", "Askersund", "Avesta", "Boden", "Bollnäs", "Borlänge",
    "Borås", "Botkyrka", "Eskilstuna", "Eslöv", "Falkenberg", "Falköping", "Falun",
    "Gislaved", "Gotland", "Gävle", "Göteborg", "Halmstad", "Haparanda", "Helsingborg",
    "Hudiksvall", "Hässleholm", "Höganäs", "Jönköping", "Kalmar", "Karlshamn", "Karlskrona",
    "Karlstad", "Katrineholm", "Kiruna", "Kristianstad", "Kungsbacka", "Kungälv", "Köping",
    "Landskrona", "Lerum", "Lidköping", "Linköping", "Ljungby", "Ludvika", "Luleå", "Lund",
    "Malmö", "Mariestad", "Mjölby", "Mora", "Motala", "Nacka", "Norrköping", "Norrtälje",
    "Nyköping", "Nässjö", "Oskarshamn", "Piteå", "Sandviken", "Sigtuna", "Skellefteå",
    "Skövde", "Sollentuna", "Stockholm", "Strängnäs", "Sundsvall", "Södertälje", "Trelleborg",
    "Trollhättan", "Uddevalla", "Umeå", "Uppsala", "Varberg", "Vetlanda", "Visby",
    "Värnamo", "Västervik", "Västerås", "Växjö", "Ystad", "Ängelholm", "Älmhult", "Örebro",
    "Örnsköldsvik", "Östersund", "Österåker", "Öckerö",
]  # fmt: skip

# (industry, SNI 2007 code as the service stores it, words that go into a company name)
INDUSTRIES = [
    ("Byggverksamhet", "41.200", ["Bygg", "Byggservice", "Bygg & Montage", "Byggteknik"]),
    ("Måleri och glasmästeri", "43.341", ["Måleri", "Måleri & Fasad", "Glas"]),
    ("Elinstallationer", "43.210", ["El", "Elektriska", "Elteknik", "Elservice"]),
    ("VVS-installationer", "43.220", ["VVS", "Rör", "Rörservice"]),
    ("Restaurangverksamhet", "56.100", ["Restaurang", "Krog", "Café", "Bistro", "Pizzeria"]),
    ("Hotellverksamhet", "55.101", ["Hotell", "Vandrarhem", "Gästgiveri"]),
    ("Partihandel", "46.900", ["Handel", "Grossist", "Import"]),
    ("Detaljhandel", "47.190", ["Butik", "Livs", "Handelshus", "Järn"]),
    ("Vård och omsorg", "87.301", ["Omsorg", "Hemtjänst", "Vård"]),
    ("Städning", "81.210", ["Städ", "Städservice", "Fastighetsservice"]),
    ("Åkerier", "49.410", ["Åkeri", "Transport", "Logistik", "Frakt"]),
    ("Lager och magasin", "52.100", ["Lager", "Logistik", "Terminal"]),
    ("Motorfordonsreparation", "45.200", ["Bil", "Bilverkstad", "Däck & Bil", "Motor"]),
    ("Dataprogrammering", "62.010", ["IT", "Data", "Systemutveckling", "Digital"]),
    ("Livsmedelsframställning", "10.710", ["Bageri", "Konditori", "Charkuteri", "Mejeri"]),
    ("Verkstadsindustri", "25.620", ["Mekaniska", "Verkstad", "Svets", "Plåt"]),
    ("Trädgård och skog", "81.300", ["Trädgård", "Skog", "Anläggning", "Grönyta"]),
    ("Frisörer och skönhet", "96.021", ["Frisör", "Hårstudio", "Skönhetssalong"]),
]
FORMS = ["AB"] * 14 + ["Aktiebolag", "HB", "KB", "Ekonomisk förening"]
# The first three digits of the org.nr: 556 and 559 are aktiebolag, 969 handelsbolag ...
ORG_PREFIXES = {
    "AB": "556", "Aktiebolag": "559", "HB": "969", "KB": "916",
    # The samverkansparter's (track_data.PARTNERS): state agency, municipality, foundation.
    "Myndighet": "202", "Kommun": "212", "Stiftelse": "802",
}  # fmt: skip

TAGS = [
    "Rekryterar nu", "Praktikplatser", "Sommarjobb", "Nystartsjobb", "Lönebidrag",
    "Yrkesintroduktion", "Språkpraktik", "Ramavtal", "Mässa 2025", "Nyckelkund",
    "Kvällsarbete", "B-körkort krävs", "Truckkort", "Engelska räcker", "Helgjobb",
]  # fmt: skip
TITLES = [
    "VD", "Platschef", "HR-ansvarig", "Rekryterare", "Butikschef", "Produktionschef",
    "Arbetsledare", "Köksmästare", "Ekonomiansvarig", "Personalchef", "Lagerchef",
    "Verksamhetschef", "Ägare", "Enhetschef", "Teamledare",
]  # fmt: skip
NOTES = [
    "Pratade om behovet inför hösten, de söker två personer till lagret.",
    "Intresserade av praktikplats, vill ha förslag på kandidater.",
    "Skickade information om nystartsjobb och lönebidrag.",
    "Besök på arbetsplatsen, bra arbetsmiljö och handledare på plats.",
    "Inget behov just nu, hör av oss efter sommaren.",
    "Kandidaten började i måndags, arbetsgivaren är nöjd.",
    "Ringde, inget svar. Lämnade meddelande.",
    "Möte med platschefen om en rekryteringsträff i vår.",
    "Vill ha hjälp med annonsen, skickar utkast via e-post.",
    "Anställer inom restaurang under säsongen, kräver livsmedelshygien.",
    "Frågade om språkpraktik för två deltagare, positivt besked.",
    "Uppföljning av praktik: deltagaren förlängs en månad.",
    "Ny kontaktperson efter omorganisation.",
    "Diskuterade yrkesintroduktion för unga under 25.",
    "Bekräftade tid för arbetsplatsbesök.",
]
OUTCOMES = [
    "Vill ha kandidater", "Inget behov nu", "Ring tillbaka", "Praktik bokad",
    "Anställning klar", "Skicka information", "Möte bokat", None, None, None,
]  # fmt: skip
# (occupation, SSYK 2012 unit group) for assignments.
OCCUPATIONS = [
    ("Lagerarbetare", "9331"), ("Truckförare", "8344"), ("Kock", "5120"),
    ("Restaurangbiträde", "9412"), ("Städare", "9111"), ("Undersköterska", "5321"),
    ("Vårdbiträde", "5330"), ("Butikssäljare", "5223"), ("Lastbilsförare", "8332"),
    ("Snickare", "7111"), ("Målare", "7131"), ("Elektriker", "7411"),
    ("Svetsare", "7212"), ("Bagare", "7512"), ("Barnskötare", "5311"),
    ("Fastighetsskötare", "5153"), ("Montör", "8211"), ("Kundtjänstmedarbetare", "4222"),
    ("Personlig assistent", "5343"), ("Trädgårdsarbetare", "6113"),
]  # fmt: skip
REQUIREMENTS = [
    "B-körkort. Svenska i tal, enklare skrift.",
    "Truckkort A+B. Skiftarbete, även kvällar.",
    "Livsmedelshygien. Helger ingår.",
    "Erfarenhet är meriterande men inget krav. Engelska räcker.",
    "Undersköterskeutbildning eller pågående. Nattpass förekommer.",
    "God fysik. Arbetskläder tillhandahålls.",
    "Säkerhetsutbildning (ID06). Heltid dagtid.",
    "",
]
ASSIGNMENT_COUNTS = [0] * 70 + [1] * 20 + [2] * 7 + [3] * 3  # about 0.43 per company
STATUS_WEIGHTS = {
    AssignmentStatus.new: 6,
    AssignmentStatus.searching: 10,
    AssignmentStatus.presented: 7,
    AssignmentStatus.filled: 35,
    AssignmentStatus.partly_filled: 15,
    AssignmentStatus.closed_unfilled: 17,
    AssignmentStatus.cancelled: 10,
}
EMPLOYMENT_WEIGHTS = {
    EmploymentType.ordinary: 30,
    EmploymentType.fixed_term: 20,
    # The old undivided kind (assignments from before the split) and the kinds since.
    EmploymentType.subsidised: 6,
    EmploymentType.extra_job: 4,
    EmploymentType.wage_subsidy: 4,
    EmploymentType.new_start_job: 3,
    EmploymentType.introduction_job: 1,
    EmploymentType.internship: 14,
    EmploymentType.labour_market: 7,
    EmploymentType.job_track: 7,
    EmploymentType.other: 4,
}
SOURCE_WEIGHTS = {
    SourceKind.broker: 55,
    SourceKind.company: 25,
    SourceKind.event: 10,
    SourceKind.partner: 7,
    SourceKind.other: 3,
}
KIND_WEIGHTS = {
    ActivityKind.call: 50,
    ActivityKind.email: 20,
    ActivityKind.meeting: 10,
    ActivityKind.visit: 8,
    ActivityKind.note: 12,
}

EVENT_THEMES = [
    "Rekryteringsträff lager och logistik", "Rekryteringsträff vård och omsorg",
    "Branschträff bygg och anläggning", "Rekryteringsträff hotell och restaurang",
    "Jobbmässa", "Rekryteringsträff handel", "Branschträff industri",
    "Rekryteringsträff städ och service", "Träff om lönestöd och nystartsjobb",
]  # fmt: skip
EVENT_PLACES = [
    "Arbetsmarknadsenheten, Storgatan 12", "Stadsbiblioteket, hörsalen",
    "Medborgarhuset, sal B", "Jobbtorget, Järnvägsgatan 3",
]  # fmt: skip
