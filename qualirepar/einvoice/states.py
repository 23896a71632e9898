"""The life of a transmission to the plateforme agréée: one transition table, a named exception,
the groups the rest of the code compares with (never a status string).

    queued -> sending -> deposee -> refusee | encaissee
                      -> rejetee                      (the PA's controls refused it)
    queued | sending  -> failed -> queued             (the queue was down, or our request was wrong)
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.machine import Machine, group
from .pa.base import DEPOSEE, ENCAISSEE, REFUSEE, REJETEE

QUEUED, SENDING, FAILED = "queued", "sending", "failed"
LABELS = {QUEUED: _l("en attente d'envoi"), SENDING: _l("envoi en cours"), FAILED: _l("envoi impossible"),
          DEPOSEE: _l("déposée"), REJETEE: _l("rejetée"), REFUSEE: _l("refusée"), ENCAISSEE: _l("encaissée")}
TO_SEND = group(QUEUED, SENDING)  # the job has work to do (a dead worker leaves SENDING: it is taken again)
TO_POLL = group(DEPOSEE)  # with the PA, not final: the status job asks
PROBLEM = group(REJETEE, REFUSEE, FAILED)  # the user must act
ACCEPTED = group(DEPOSEE, ENCAISSEE)
ANSWER_ACTIONS = {DEPOSEE: "deposit", REJETEE: "reject", REFUSEE: "refuse", ENCAISSEE: "cash"}


class TransmissionError(Exception):
    def __init__(self, state: str, action: str):
        super().__init__(f"transmission: {action!r} not allowed from {state!r}")


MACHINE = Machine({
    (QUEUED, "send"): SENDING, (SENDING, "send"): SENDING,
    (SENDING, "deposit"): DEPOSEE, (SENDING, "reject"): REJETEE,
    (DEPOSEE, "deposit"): DEPOSEE, (DEPOSEE, "reject"): REJETEE, (DEPOSEE, "refuse"): REFUSEE, (DEPOSEE, "cash"): ENCAISSEE,
    (QUEUED, "fail"): FAILED, (SENDING, "fail"): FAILED, (FAILED, "requeue"): QUEUED,
}, TransmissionError)


def label(status: str) -> str:
    return str(LABELS.get(status, status))
