"""retours_3_mois.csv and retours_ecartes.csv: the warranty returns taken in during the period with
the repair they return (which may be older), and the orders first linked as returns that a person
set aside, with their reason. The rules (3 months, same fault) are `repairs.returns`'."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from ...claims import states as claim_states
from ...claims.models import Claim
from ...core import csvfr
from ...core.clock import paris_date
from ...extensions import db
from ...repairs import returns
from ...repairs.models import Appliance, RepairOrder
from ..archive import Part
from ..period import in_period
from .reading import Names, batches


def same_fault(origin: RepairOrder, back: RepairOrder) -> str:
    """oui / non when the symptom codes say it (or the customer's words are the same), else "à vérifier"."""
    same = returns.same_fault(origin, back)
    return _("à vérifier") if same is None else csvfr.yes(same)


def _pairs(link, period_from, period_to, *where) -> Iterator[tuple[RepairOrder, RepairOrder, Appliance, dt.date | None, bool]]:
    """(the later order, the repair it is linked to by `link`, its appliance, the day that repair was
    handed back, whether a bonus is claimed on the later order), for later orders taken in during the
    period, in intake order."""
    origin = aliased(RepairOrder)
    query = (db.select(RepairOrder, origin, Appliance)
             .join(origin, link == origin.id)
             .join(Appliance, RepairOrder.appliance_id == Appliance.id)
             .where(in_period(RepairOrder.intake_on, period_from, period_to), *where)
             .order_by(RepairOrder.intake_on, RepairOrder.id))
    for batch in batches(query):
        claimed = set(db.session.execute(db.select(Claim.order_id).where(
            Claim.order_id.in_([back.id for back, _o, _a in batch]), Claim.status != claim_states.CANCELLED)).scalars())
        for back, first, appliance in batch:
            yield back, first, appliance, paris_date(first.handed_back_at), back.id in claimed


def _elapsed(back: RepairOrder, handed_back: dt.date | None):
    return (back.intake_on - handed_back).days if handed_back else ""


def warranty_returns(zf, names: Names, period_from, period_to) -> Part:
    name = "retours_3_mois.csv"
    header = [_("Dossier d'origine"), _("Pris en charge le"), _("Restitué le"), _("Fin de la garantie de 3 mois"), _("Dossier du retour"),
              _("Retour pris en charge le"), _("Jours écoulés"), _("Type d'appareil"), _("Marque"), _("N° de série / IMEI"),
              _("Panne d'origine"), _("Panne au retour"), _("Même panne"), _("Issue du retour"), _("Retour restitué le"),
              _("Bonus demandé sur le retour")]
    with zf.csv(name, header) as out:
        for back, first, appliance, handed_back, claimed in _pairs(RepairOrder.warranty_of_id, period_from, period_to):
            out.row([first.number, csvfr.day(first.intake_on), csvfr.day(handed_back),
                     csvfr.day(returns.warranty_ends(handed_back)) if handed_back else "",
                     back.number, csvfr.day(back.intake_on), _elapsed(back, handed_back),
                     names.product(appliance.product_type_id), appliance.brand_name, appliance.serial_number,
                     first.fault_description, back.fault_description, same_fault(first, back), back.status_label,
                     csvfr.day(paris_date(back.handed_back_at)), csvfr.yes(claimed)])
    return Part(name, out.rows, _("retours sous garantie (3 mois, référentiel §6.1.5) pris en charge dans la période, "
                                  "avec la réparation d'origine"))


def set_aside_returns(zf, names: Names, period_from, period_to) -> Part:
    """Repairs first linked as returns that a person set aside, with the reason they gave: the auditor
    sees why they are not in retours_3_mois.csv (and why a bonus could be claimed for them)."""
    name = "retours_ecartes.csv"
    header = [_("Dossier d'origine"), _("Restitué le"), _("Dossier écarté"), _("Pris en charge le"), _("Jours écoulés"),
              _("Type d'appareil"), _("Marque"), _("N° de série / IMEI"), _("Panne d'origine"), _("Panne de ce dossier"),
              _("Motif de l'écart"), _("Bonus demandé")]
    with zf.csv(name, header) as out:
        for back, first, appliance, handed_back, claimed in _pairs(RepairOrder.warranty_unlinked_from_id, period_from, period_to,
                                                                   RepairOrder.warranty_of_id.is_(None)):
            out.row([first.number, csvfr.day(handed_back), back.number, csvfr.day(back.intake_on), _elapsed(back, handed_back),
                     names.product(appliance.product_type_id), appliance.brand_name, appliance.serial_number,
                     first.fault_description, back.fault_description, back.warranty_unlinked_reason or "", csvfr.yes(claimed)])
    return Part(name, out.rows, _("dossiers d'abord liés à une réparation de moins de 3 mois puis écartés comme retours "
                                  "par l'atelier, avec le motif donné"))
