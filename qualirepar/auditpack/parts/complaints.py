"""reclamations.csv: the written complaints received during the period, their answers and whether
the 8 working days were kept (the rule is the complaint's: `Complaint.overdue`, `late_answer`)."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ...complaints.models import CHANNELS, Complaint
from ...core import csvfr
from ...extensions import db
from ...repairs.models import RepairOrder
from ..archive import Part
from ..period import in_period
from .reading import batches


def complaint_state(complaint: Complaint, today: dt.date) -> tuple[bool, str]:
    """(late, state in words)."""
    if complaint.answered_on is None:
        return (True, _("en retard, sans réponse")) if complaint.overdue(today) else (False, _("à répondre"))
    return (True, _("répondu hors délai")) if complaint.late_answer() else (False, _("répondu dans le délai"))


def complaints(zf, period_from, period_to, today: dt.date) -> Part:
    name = "reclamations.csv"
    query = (db.select(Complaint, RepairOrder.number).outerjoin(RepairOrder, Complaint.order_id == RepairOrder.id)
             .where(in_period(Complaint.received_on, period_from, period_to)).order_by(Complaint.received_on, Complaint.id))
    header = [_("Reçue le"), _("Reçue par"), _("Client"), _("Dossier concerné"), _("Réclamation"), _("Réponse attendue le"),
              _("Réponse"), _("Répondu le"), _("En retard"), _("État")]
    with zf.csv(name, header) as out:
        for batch in batches(query):
            for complaint, order_number in batch:
                late, state = complaint_state(complaint, today)
                out.row([csvfr.day(complaint.received_on), str(CHANNELS.get(complaint.channel, complaint.channel)),
                         complaint.customer_name, order_number or "", complaint.text, csvfr.day(complaint.due_on),
                         complaint.answer or "", csvfr.day(complaint.answered_on), csvfr.yes(late), state])
    return Part(name, out.rows, _("réclamations écrites reçues dans la période, réponses et délai de 8 jours ouvrés"))
