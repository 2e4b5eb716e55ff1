"""How history names fields and actions in the UI (Swedish msgids, translated on display).

The labels of coded values (a status, a kind) belong to the features that code them: each
registers its own here from its models module, so history shows them without importing
any feature."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from app.clock import to_local
from app.i18n import N_, gettext

FIELD_LABELS = {
    "name": N_("Namn"),
    "company_kind": N_("Slag"),
    "org_number": N_("Org.nr"),
    "industry": N_("Bransch"),
    "sni_code": N_("SNI-kod"),
    "size_class": N_("Storlek"),
    "municipality": N_("Kommun"),
    "street_address": N_("Gatuadress"),
    "postal_code": N_("Postnummer"),
    "city": N_("Ort"),
    "phone": N_("Telefon"),
    "email": N_("E-post"),
    "website": N_("Webbplats"),
    "status": N_("Status"),
    "owner": N_("Ansvarig jobbmäklare"),
    "agreement_status": N_("Avsiktsförklaring"),
    "agreement_date": N_("Datum för avsiktsförklaring"),
    "notes": N_("Anteckningar"),
    "tags": N_("Taggar"),
    "title": N_("Roll/titel"),
    "is_supervisor": N_("Handledare"),
    "is_primary": N_("Primär kontakt"),
    "merged_into": N_("Sammanslaget med"),
    "merged_from": N_("Sammanslaget från"),
    "from_owner": N_("Från"),
    "to_owner": N_("Till"),
    "kind": N_("Typ"),
    "occurred_at": N_("När"),
    "outcome": N_("Utfall"),
    "follow_up_on": N_("Återkoppling"),
    "follow_up_done": N_("Återkoppling klar"),
    "occupation": N_("Yrke"),
    "ssyk_code": N_("SSYK-kod"),
    "positions": N_("Antal platser"),
    "requirements": N_("Kravprofil"),
    "employment_type": N_("Anställningsform"),
    "workplace": N_("Arbetsort"),
    "start_on": N_("Startdatum"),
    "deadline": N_("Sista dag"),
    "source_kind": N_("Drog in uppdraget"),
    "source_user": N_("Jobbmäklare som drog in uppdraget"),
    "filled_count": N_("Antal tillsatta"),
    "assignment": N_("Uppdrag"),
    "event_title": N_("Rubrik"),
    "starts_at": N_("Börjar"),
    "ends_at": N_("Slutar"),
    "place": N_("Plats"),
    "online_url": N_("Länk till digital träff"),
    "description": N_("Beskrivning"),
    "target_group": N_("Målgrupp"),
    "capacity": N_("Antal platser för arbetssökande"),
    "event_status": N_("Status"),
    "members": N_("Teamet"),
    "jobseekers_invited": N_("Inbjudna arbetssökande"),
    "jobseekers_attended": N_("Arbetssökande som kom"),
    "interviews": N_("Intervjuer"),
    "hires": N_("Anställningar totalt"),
    "assignment_hires": N_("Anställningar per uppdrag"),
    "participation": N_("Deltagande"),
    "participants_changed": N_("Företag med ändrat deltagande"),
    "participant": N_("Deltagande företag"),
    "contact_changed": N_("Ny kontaktperson"),
    "event": N_("Rekryteringsträff"),
    "task": N_("Uppgift"),
    "phase": N_("Fas"),
    "due_on": N_("Klart senast"),
    "assignee": N_("Ansvarig"),
    "done": N_("Klar"),
    "state": N_("Status"),
    "sent_on": N_("Skickat"),
    "signed_on": N_("Undertecknat"),
    "valid_from": N_("Giltigt från"),
    "valid_to": N_("Giltigt till"),
    "unit_signatory": N_("Undertecknat för enheten av"),
    "signatories": N_("Antal undertecknare hos företaget"),
    "ends_on": N_("Anställningarna slutar"),
    "point": N_("Uppföljning"),
    "follow_up_due_on": N_("Datum för uppföljningen"),
    "follow_up_notes": N_("Anteckning om uppföljningen"),
    "ordinary_job": N_("Ordinarie jobb"),
    "new_subsidised_or_fixed": N_("Ny subventionerad eller visstidsanställning"),
    "studies": N_("Studier"),
    "no_job_or_studies": N_("Lämnade, varken jobb eller studier"),
    "income_support_moved": N_("Från försörjningsstöd till lön"),
    "places": N_("Planerade platser"),
    "planning_starts_on": N_("Planeringen börjar"),
    "recruitment_starts_on": N_("Rekryteringen börjar"),
    "execution_starts_on": N_("Genomförandet börjar"),
    "closing_starts_on": N_("Avslutet börjar"),
    "track_ends_on": N_("Jobbspåret slutar"),
    "track_status": N_("Status"),
    "coordinator": N_("Samordnare"),
    "co_workers": N_("Medarbetare"),
    "employer": N_("Arbetsgivare"),
    "track_contact": N_("Kontaktperson"),
    # A job track's kompetensprofil (its occupation apart from the track's own).
    "profile_occupation": N_("Yrke i kompetensprofilen"),
    "tasks": N_("Arbetsuppgifter"),
    "required_competences": N_("Krav på kompetens"),
    "desirable_competences": N_("Meriterande kompetens"),
    "language_level": N_("Språknivå"),
    "licences": N_("Körkort och certifikat"),
    "working_hours": N_("Arbetstider"),
    "physical_demands": N_("Fysiska krav"),
    "employer_offers": N_("Arbetsgivaren erbjuder"),
    # An insats of a job track's insatspaket.
    "intervention": N_("Insats"),
    "intervention_kind": N_("Slag av insats"),
    "intervention_title": N_("Insatsens namn"),
    "provider": N_("Anordnare"),
    "intervention_starts_on": N_("Insatsen börjar"),
    "intervention_ends_on": N_("Insatsen slutar"),
    "intervention_places": N_("Platser i insatsen"),
    "intervention_notes": N_("Anteckningar om insatsen"),
    "agreement": N_("Avtal"),
    "identified": N_("Identifierade deltagare"),
    "started": N_("Deltagare som började"),
    "completed": N_("Deltagare som fullföljde"),
    "left_early": N_("Deltagare som avbröt i förtid"),
    "to_studies": N_("Till studier"),
    "to_other": N_("Annat utfall"),
    "outcome_unknown": N_("Okänt utfall"),
    "employment_by_hand": N_("Anställningar räknade för hand"),
    "round_number": N_("Omgång"),
    "copied_from_round": N_("Kopierad från omgång"),
    "new_round": N_("Ny omgång"),
}

ACTION_LABELS = {
    "create": N_("skapade"),
    "update": N_("ändrade"),
    "delete": N_("tog bort"),
    "archive": N_("arkiverade"),
    "restore": N_("återställde"),
    "merge": N_("slog samman"),
    "handover": N_("lämnade över"),
    "erase": N_("raderade personuppgifter för"),
}


# {field: {recorded value: label}}, filled by register_values().
_VALUE_LABELS: dict[str, dict[str, str]] = {}


def register_values(**labels_by_field: Mapping[Any, str]) -> None:
    """A feature's labels for the coded values it records, by field name (status=...), each
    keyed by the enum's members. A field that two features share takes both (a company's
    and an assignment's status share the field name, not a value)."""
    for field, labels in labels_by_field.items():
        _VALUE_LABELS.setdefault(field, {}).update(
            {str(value.value): label for value, label in labels.items()}
        )


def display_value(field: str, value: object) -> str:
    """A recorded value as a person reads it: labels for coded values, "–" for nothing."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nej")
    if field in ("occurred_at", "starts_at", "ends_at") and isinstance(value, str):
        # Recorded as an ISO instant in UTC; read in Swedish time.
        return to_local(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    labels = _VALUE_LABELS.get(field, {})
    return gettext(labels[str(value)]) if str(value) in labels else str(value)
