"""The repair order's life: one transition table, named exceptions.

intake → diagnosis → quote → repair → ready → handed_back, with the exits refused (the customer
declines the quote; the appliance is then handed back unrepaired) and abandoned.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.machine import Machine, group
from ..core.refusal import Refusal

INTAKE, DIAGNOSIS, QUOTE, REPAIR, READY, HANDED_BACK, REFUSED, ABANDONED = (
    "intake", "diagnosis", "quote", "repair", "ready", "handed_back", "refused", "abandoned")

LABELS = {
    INTAKE: _l("Prise en charge"), DIAGNOSIS: _l("Diagnostic"), QUOTE: _l("Devis"), REPAIR: _l("Réparation"),
    READY: _l("Prêt"), HANDED_BACK: _l("Restitué"), REFUSED: _l("Devis refusé"), ABANDONED: _l("Abandonné"),
}

# (state, action) -> next state
TRANSITIONS: dict[tuple[str, str], str] = {
    (INTAKE, "start_diagnosis"): DIAGNOSIS,
    (DIAGNOSIS, "send_quote"): QUOTE,
    (DIAGNOSIS, "start_repair"): REPAIR,  # a simple job with no quote
    (QUOTE, "accept_quote"): REPAIR,
    (QUOTE, "refuse_quote"): REFUSED,
    (REPAIR, "finish"): READY,
    (READY, "hand_back"): HANDED_BACK,
    (REFUSED, "hand_back"): HANDED_BACK,
    # Not repaired, handed back out of service (a safety measure out of its limits, or a fault
    # found dangerous): the customer signs a written warning (repairs.handback).
    (DIAGNOSIS, "hand_back_out_of_service"): HANDED_BACK,
    (QUOTE, "hand_back_out_of_service"): HANDED_BACK,
    (REPAIR, "hand_back_out_of_service"): HANDED_BACK,
    (REFUSED, "hand_back_out_of_service"): HANDED_BACK,
    (INTAKE, "abandon"): ABANDONED,
    (DIAGNOSIS, "abandon"): ABANDONED,
    (QUOTE, "abandon"): ABANDONED,
    (REPAIR, "abandon"): ABANDONED,
}
FINAL = {HANDED_BACK, ABANDONED}
CLOSED = group(HANDED_BACK, ABANDONED, REFUSED)  # no new quote on these

ACTION_LABELS = {
    "start_diagnosis": _l("Commencer le diagnostic"), "send_quote": _l("Établir le devis"), "start_repair": _l("Réparer sans devis"),
    "accept_quote": _l("Devis accepté"), "refuse_quote": _l("Devis refusé"), "finish": _l("Réparation terminée"),
    "hand_back": _l("Restituer l'appareil"), "hand_back_out_of_service": _l("Restituer hors service (non réparé)"),
    "abandon": _l("Abandonner"),
}
# Handing back is done on its own page, where the customer signs (and pays what is due).
HAND_BACK_ACTIONS = ("hand_back", "hand_back_out_of_service")


class RepairOrderError(Refusal):
    """Base of the repair order's refusals; the message is for the user, in French."""


class IllegalTransition(RepairOrderError):
    def __init__(self, state: str, action: str):
        super().__init__(_("Action « %(action)s » impossible au statut « %(state)s ».",
                           action=ACTION_LABELS.get(action, action), state=LABELS.get(state, state)))
        self.state, self.action = state, action


class ChecklistIncomplete(RepairOrderError):
    """Mandatory control points are not answered; `missing` lists their labels."""

    def __init__(self, phase_label: str, missing: list[str]):
        super().__init__(_("%(phase)s incomplet : %(missing)s.", phase=phase_label, missing=", ".join(missing)))
        self.missing = missing


machine = Machine(TRANSITIONS, IllegalTransition)
next_state = machine.next_state
actions_from = machine.actions_from
