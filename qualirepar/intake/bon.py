"""The bon de prise en charge as a PDF (WeasyPrint): the shop's header and legal mentions, every
field of the label, the shop's own fields, the terms, and the two signatures."""
from __future__ import annotations

import base64
import datetime as dt

from flask import render_template
from flask_babel import gettext as _
from weasyprint import HTML

from .. import mail
from ..audit import note, utcnow
from ..catalog.models import ProductType
from ..core.clock import paris_today
from ..core.refusal import Refusal
from ..extensions import db
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..repairs import signatures as sig
from ..repairs.models import Appliance, Customer, RepairOrder
from ..repairs.services import as_of_intake
from ..shops.models import RepairSite, User
from ..shops.services import current_shop, shop_logo
from . import services


def _data_uri(file: StoredFile | None) -> str | None:
    """Images go into the PDF inline: WeasyPrint never calls back into the app (no session, no deadlock)."""
    if file is None:
        return None
    return f"data:{file.content_type};base64," + base64.b64encode(get_storage().read(file.storage_key)).decode()


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]


def context(order: RepairOrder, signed: dict | None = None, preview: bool = False) -> dict:
    shop = current_shop()
    settings = services.settings()
    signed = sig.of(order) if signed is None else signed
    signatures = []
    roles = [("customer", _("Le client")), ("technician", _("Le technicien"))]
    if sig.HANDBACK in signed:  # the appliance was handed back: the customer's signature then
        roles.append((sig.HANDBACK, _("Le client, à la restitution")))
    for role, label in roles:
        s = signed.get(role)
        signatures.append({"label": label, "name": s.signer_name if s else None, "at": s.signed_at if s else None,
                           "image": _data_uri(db.session.get(StoredFile, s.file_id)) if s else None})

    customer, appliance = as_of_intake(order) if order.id else (order.customer, order.appliance)
    product = db.session.get(ProductType, appliance.product_type_id) if appliance.product_type_id else None
    technician = db.session.get(User, order.technician_id) if order.technician_id else None
    site = db.session.get(RepairSite, order.site_id) if order.site_id else None
    extras = [(item.get("label", key), services.display_value(item)) for key, item in (order.extra or {}).items()]
    return {"order": order, "customer": customer, "appliance": appliance, "shop": shop, "logo": _data_uri(shop_logo(shop.id)), "product": product, "technician": technician,
            "site": site, "extras": extras, "terms": paragraphs(settings.terms), "signatures": signatures, "preview": preview,
            "now": utcnow()}


def render_pdf(order: RepairOrder, **kw) -> bytes:
    return HTML(string=render_template("intake/bon.html", **context(order, **kw))).write_pdf()


def filename(order: RepairOrder) -> str:
    return f"bon-prise-en-charge-{order.number}.pdf"


def sample_order() -> RepairOrder:
    """An order that is never saved, to preview the bon with the shop's settings."""
    customer = Customer(title="Mme", last_name="Exemple", first_name="Camille", street="12 rue des Lilas", postcode="69003",
                        city="Lyon", phone="06 12 34 56 78", email="camille@exemple.fr")
    appliance = Appliance(brand_name="Marque", commercial_reference="MODELE-123", serial_number="SN0123456789",
                          purchase_date=paris_today() - dt.timedelta(days=3 * 365), product_type_id=None)
    extra = {s.key: {"label": s.label, "kind": s.kind, "value": _sample_value(s)} for s in services.extra_specs()}
    return RepairOrder(number="D-0000-00000", kind="workshop", customer=customer, appliance=appliance, technician_id=None,
                       service_requested=_("Diagnostic et réparation"), fault_description=_("Ne s'allume plus."),
                       symptom_code=None, accessories=_("Cordon d'alimentation"), visible_condition=_("Rayures sur le capot"),
                       parts_info=None, extra=extra, intake_on=paris_today())


def _sample_value(spec) -> str:
    return {"number": "100", "date": paris_today().isoformat(), "yes_no": "oui",
            "choice": spec.choices[0] if spec.choices else ""}.get(spec.kind, "…")


class SendRefused(Refusal):
    """The bon could not be mailed; the message says why, in French."""


def send(order: RepairOrder, to: str) -> None:
    """Mail the bon to the customer, as a PDF attachment; recorded in the order's history."""
    shop = current_shop()
    body = _("Bonjour,\n\nVous trouverez ci-joint le bon de prise en charge de votre appareil (dossier %(n)s), "
             "établi le %(d)s.\n\nCordialement,\n%(shop)s", n=order.number, d=order.intake_on.strftime("%d/%m/%Y"), shop=shop.name)
    if shop.phone:
        body += f"\n{shop.phone}"
    pdf = render_pdf(order)
    try:
        mail.send(to, _("Bon de prise en charge %(n)s – %(shop)s", n=order.number, shop=shop.name), body,
                  attachments=[(filename(order), "application/pdf", pdf)])
    except (OSError, mail.smtplib.SMTPException) as exc:
        raise SendRefused(_("L'envoi a échoué (%(e)s). Le bon n'est pas perdu : réessayez dans un instant.",
                            e=exc.__class__.__name__)) from exc
    note(order, "bon_mailed", {"to": (None, to)})
    db.session.commit()
