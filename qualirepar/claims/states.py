"""The claim's life: one transition table, its named exception, and the named groups of states
that the rest of the code compares a claim's status with (never a status string).

Ours first: ready (row written, nothing sent) → queued → creating (the create sent, its answer not
yet kept) → created → submitted; needs_attention when the organism refuses the content or the
pre-flight finds something missing; cancelled by a credit note. Then the organism's word, brought
by the status sync: submitted (under review), incomplete, accepted, paid, rejected, cancelled, and
unknown for a word it has not told us about.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.clock import paris_date
from ..core.machine import Machine, group, union
from ..core.refusal import Refusal

READY, QUEUED, CREATING, CREATED, SUBMITTED = "ready", "queued", "creating", "created", "submitted"
NEEDS_ATTENTION, INCOMPLETE, ACCEPTED, PAID, REJECTED, CANCELLED = (
    "needs_attention", "incomplete", "accepted", "paid", "rejected", "cancelled")
UNKNOWN = "unknown"  # the organism's status word is not one we know (eco.statuses.normalise)

LABELS = {READY: _l("prête"), QUEUED: _l("en file d'envoi"), CREATING: _l("en cours d'envoi"),
          CREATED: _l("créée chez l'organisme"), SUBMITTED: _l("envoyée, en cours d'examen"),
          NEEDS_ATTENTION: _l("à corriger"), INCOMPLETE: _l("incomplète selon l'organisme"),
          ACCEPTED: _l("acceptée, paiement attendu"), PAID: _l("payée"), REJECTED: _l("refusée"),
          CANCELLED: _l("annulée")}

# --- named groups ----------------------------------------------------------------------------
SENDING = group(READY, QUEUED, CREATING, CREATED)  # ours: not yet with the organism (the sweeper's)
AT_ORGANISM = group(SUBMITTED, INCOMPLETE, ACCEPTED)  # with the organism, not decided: the status sync polls these
TO_FIX = group(REJECTED, INCOMPLETE, NEEDS_ATTENTION)  # the rejection workbench works on these
CHECKED = union(SENDING, TO_FIX)  # the claim's page shows what the pre-flight finds
SENDABLE = group(READY, NEEDS_ATTENTION)  # sent by hand from the claim's page (when not yet at the organism)
RECEIVED = group(SUBMITTED, ACCEPTED, PAID)  # the organism has it and has not refused it: a payment may be linked
FILED = union(AT_ORGANISM, {PAID})  # only the organism can cancel these: a credit note flags them
GRANTED = group(ACCEPTED, PAID)  # the organism covers the bonus
DECIDED = group(ACCEPTED, PAID, REJECTED)  # the organism has given its verdict (the rejection rate)
UNFINISHED = group("draft", INCOMPLETE)  # the organism's state after a submit that lacks something
WITH_ORGANISM = group(QUEUED, CREATING, CREATED, SUBMITTED, NEEDS_ATTENTION, INCOMPLETE, ACCEPTED, PAID, REJECTED,
                      CANCELLED, UNKNOWN)  # every state but ready: the organism's word may reach them

# The organism's verdict, as the status sync reads it, and the action it is in the table.
VERDICTS = {SUBMITTED: "examine", INCOMPLETE: "ask_more", ACCEPTED: "accept", PAID: "pay", REJECTED: "reject",
            CANCELLED: "withdraw", UNKNOWN: "lose_track"}


def _from(states, action: str, target: str) -> dict[tuple[str, str], str]:
    return {(state, action): target for state in states}


# (state, action) -> next state
TRANSITIONS: dict[tuple[str, str], str] = {
    **_from((READY, NEEDS_ATTENTION, INCOMPLETE, REJECTED), "queue", QUEUED),  # queued for sending (again)
    # written before the create call (a claim flagged then corrected is run again from where it stopped)
    **_from((READY, QUEUED, CREATING, NEEDS_ATTENTION), "create", CREATING),
    (CREATING, "release"): QUEUED,  # the create was refused before anything was done: the next run creates
    (CREATING, "release_ready"): READY,  # the same, for a claim that was never queued
    (CREATING, "register"): CREATED,  # the organism's id is kept
    **_from(union(SENDING, TO_FIX), "flag", NEEDS_ATTENTION),  # a refusal or a gap: the shop corrects it
    **_from(union(SENDING, {NEEDS_ATTENTION}), "submit", SUBMITTED),
    **_from(AT_ORGANISM, "settle", PAID),  # a payment statement says the money came in
    **_from((READY, QUEUED, CREATING, CREATED, NEEDS_ATTENTION, UNKNOWN), "cancel", CANCELLED),  # a credit note
    **{(state, action): verdict for verdict, action in VERDICTS.items() for state in WITH_ORGANISM if state != verdict},
}


class ClaimError(Refusal):
    """A claim operation refused; the message is for the user, in French."""


class IllegalClaimTransition(ClaimError):
    def __init__(self, state: str, action: str):
        self.state, self.action = state, action
        super().__init__(_("Impossible depuis le statut « %(s)s » de cette demande.", s=LABELS.get(state, state)))


machine = Machine(TRANSITIONS, IllegalClaimTransition)
next_state = machine.next_state
can = machine.can


def label(status: str) -> str:
    return str(LABELS.get(status, status))


def money_category(claim, today: dt.date, late_after: int) -> tuple[str, int | None]:
    """Where a claim's money stands, and for one sent and unpaid the days since sending: paid,
    short (paid less than asked), rejected, waiting (not sent yet), late (past `late_after` days) or
    unpaid. `claim` is the row or any object with its amount_paid, bonus_amount, status, submitted_at."""
    if claim.amount_paid is not None:
        return ("short" if claim.amount_paid < claim.bonus_amount else "paid"), None
    if claim.status == REJECTED:
        return "rejected", None
    if claim.submitted_at is None:
        return "waiting", None
    age = (today - paris_date(claim.submitted_at)).days
    return ("late" if age > late_after else "unpaid"), age
