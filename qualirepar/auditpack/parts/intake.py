"""prises_en_charge.csv: the intake register, one line per order taken in during the period."""
from __future__ import annotations

from flask_babel import gettext as _

from ...core import csvfr
from ...core.clock import paris_date
from ...extensions import db
from ...repairs.models import Appliance, Customer, RepairOrder, Signature
from ..archive import Part
from ..period import in_period
from .reading import Names, batches

NAME = "prises_en_charge.csv"


def orders(period_from, period_to):
    """The orders taken in during the period, with the customer and appliance records."""
    return (db.select(RepairOrder, Customer, Appliance)
            .join(Customer, RepairOrder.customer_id == Customer.id)
            .join(Appliance, RepairOrder.appliance_id == Appliance.id)
            .where(in_period(RepairOrder.intake_on, period_from, period_to))
            .order_by(RepairOrder.intake_on, RepairOrder.id))


def as_of_intake(order: RepairOrder, customer: Customer, appliance: Appliance) -> tuple[dict, dict]:
    """The customer and appliance as the bon states them (the intake snapshot), else the records
    already joined to the row (`repairs.services.as_of_intake` would load them once per row)."""
    snap = order.intake_snapshot or {}
    c = snap.get("customer") or {k: getattr(customer, k) for k in ("last_name", "first_name", "postcode", "city")}
    a = snap.get("appliance") or {k: getattr(appliance, k) for k in ("product_type_id", "brand_name", "commercial_reference",
                                                                    "serial_number")}
    return c, a


def intake_register(zf, names: Names, period_from, period_to) -> Part:
    header = [_("N° dossier"), _("Date de prise en charge"), _("Client"), _("Code postal"), _("Ville"), _("Type d'appareil"),
              _("Marque"), _("Référence commerciale"), _("N° de série / IMEI"), _("Panne décrite par le client"),
              _("Prestation demandée"), _("Lieu de réparation"), _("Technicien"), _("Signé par le client"), _("Signé le"),
              _("Signataire"), _("Statut"), _("Restitué le"), _("Retour sous garantie de")]
    with zf.csv(NAME, header) as out:
        for batch in batches(orders(period_from, period_to)):
            ids = [order.id for order, _c, _a in batch]
            signed = {s.order_id: s for s in db.session.execute(db.select(Signature).where(
                Signature.order_id.in_(ids), Signature.role == "customer")).scalars()}
            origins = {o.id: o.number for o in db.session.execute(db.select(RepairOrder.id, RepairOrder.number).where(
                RepairOrder.id.in_([order.warranty_of_id for order, _c, _a in batch if order.warranty_of_id])))}
            for order, customer, appliance in batch:
                c, a = as_of_intake(order, customer, appliance)
                s = signed.get(order.id)
                out.row([order.number, csvfr.day(order.intake_on),
                         f"{(c.get('last_name') or '').upper()} {c.get('first_name') or ''}".strip(),
                         c.get("postcode"), c.get("city"), names.product(a.get("product_type_id")), a.get("brand_name"),
                         a.get("commercial_reference"), a.get("serial_number"), order.fault_description, order.service_requested,
                         names.sites.get(order.site_id, ""), names.user(order.technician_id), csvfr.yes(s is not None),
                         csvfr.moment(s.signed_at) if s else "", s.signer_name if s else "", order.status_label,
                         csvfr.day(paris_date(order.handed_back_at)), origins.get(order.warranty_of_id, "")])
    return Part(NAME, out.rows, _("registre des prises en charge (dossiers pris en charge dans la période)"))
