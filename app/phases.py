"""The four phases of a lokalt jobbspår (planering, rekrytering, genomförande, avslut):
a job track runs through them, and a recruitment event's checklist is kept by them too."""

from __future__ import annotations

import enum

from app.history import labels as history_labels
from app.i18n import N_


class Phase(enum.StrEnum):
    """The phases of a local job track, in order: the checklists' sections."""

    planning = "planning"
    recruitment = "recruitment"
    execution = "execution"
    closing = "closing"


PHASE_LABELS = {
    Phase.planning: N_("Planering"),
    Phase.recruitment: N_("Rekrytering"),
    Phase.execution: N_("Genomförande"),
    Phase.closing: N_("Avslut"),
}
history_labels.register_values(phase=PHASE_LABELS)
PHASES = tuple(Phase)
