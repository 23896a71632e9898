"""The quote's life: draft → sent → accepted / refused / expired (a draft may be accepted at once,
signed on the tablet). Validation (the bonus frozen) is a step of the draft, not a state.
Billing's refusals are named here too."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.machine import Machine, group
from ..core.refusal import Refusal

DRAFT, SENT, ACCEPTED, REFUSED, EXPIRED = "draft", "sent", "accepted", "refused", "expired"
LABELS = {DRAFT: _l("Brouillon"), SENT: _l("Envoyé"), ACCEPTED: _l("Accepté"), REFUSED: _l("Refusé"), EXPIRED: _l("Expiré")}
INVOICEABLE = group(ACCEPTED, DRAFT, SENT)  # a refused or expired quote is not invoiced

DECIDED_VIA = {"signature": _l("signé sur la tablette"), "link": _l("par le lien envoyé par e-mail"),
               "invoice": _l("facturé directement")}

TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, "send"): SENT,
    (DRAFT, "accept"): ACCEPTED,  # signed in front of the technician
    (SENT, "send"): SENT,  # sent again (a new link)
    (SENT, "accept"): ACCEPTED,
    (DRAFT, "refuse"): REFUSED,
    (SENT, "refuse"): REFUSED,
    (SENT, "expire"): EXPIRED,
    (DRAFT, "expire"): EXPIRED,
}


class BillingError(Refusal):
    """Refused; the message is for the user, in French."""


class QuoteError(Refusal):
    """A quote operation refused; the message is for the user, in French."""


class IllegalQuoteTransition(QuoteError):
    def __init__(self, state: str, action: str):
        self.state, self.action = state, action
        super().__init__(_("Impossible depuis l'état « %(s)s » de ce devis.", s=LABELS.get(state, state)))


class QuoteNotValidated(QuoteError):
    def __init__(self):
        super().__init__(_("Validez d'abord le devis : le bonus est fixé à la validation."))


machine = Machine(TRANSITIONS, IllegalQuoteTransition)
next_state = machine.next_state
