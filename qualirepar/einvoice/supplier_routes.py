"""Suppliers' e-invoices: the list and the upload, one invoice with its lines, a line attached to a
repair order's draft quote."""
from __future__ import annotations

from decimal import Decimal

from flask import flash, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from ..core.money import parse_amount
from ..extensions import db
from ..files.storage import get_storage
from ..permissions import allow
from ..rendering import redirect_to, refusals, render
from ..repairs.models import RepairOrder
from . import supplier
from .blueprint import bp

EDITORS = ("owner", "support", "technician")  # a technician files the parts he bought, and adds them to his quote


@bp.route("/facturation-electronique/fournisseurs", methods=["GET", "POST"])
@allow(*EDITORS)
def suppliers():
    """The suppliers' e-invoices received, and the upload of a new one (Factur-X PDF, CII or UBL XML)."""
    if request.method == "POST":
        upload = request.files.get("fichier")
        if upload is None or not upload.filename:
            flash(_("Choisissez le fichier de la facture du fournisseur."), "danger")
            return redirect_to("einvoice.suppliers")
        with refusals("einvoice.suppliers"):
            row = supplier.receive(upload.read(supplier.MAX_BYTES + 1), upload.filename, current_user.id)
            flash(_("Facture %(n)s de %(s)s enregistrée.", n=row.number, s=row.supplier_name), "success")
            return redirect_to("einvoice.supplier_invoice", invoice_id=row.id)
    return render("einvoice/suppliers.html", invoices=supplier.listing())


@bp.get("/facturation-electronique/fournisseurs/<int:invoice_id>")
@allow(*EDITORS)
def supplier_invoice(invoice_id: int):
    """One supplier's e-invoice: its values as the XML gives them, its lines, where each went."""
    row = db.get_or_404(supplier.SupplierInvoice, invoice_id)
    attached = {ln.order_id for ln in row.lines if ln.order_id}
    orders = supplier.orders_taking_parts()
    linked = db.session.execute(db.select(RepairOrder).where(RepairOrder.id.in_(attached))).scalars().all() if attached else []
    return render("einvoice/supplier_invoice.html", inv=row, orders=orders, by_id={o.id: o for o in [*orders, *linked]})


@bp.get("/facturation-electronique/fournisseurs/<int:invoice_id>/fichier")
@allow(*EDITORS)
def supplier_file(invoice_id: int):
    row = db.get_or_404(supplier.SupplierInvoice, invoice_id)
    return send_file(get_storage().open(row.file.storage_key), mimetype=row.file.content_type, as_attachment=True,
                     download_name=row.file.original_name)


@bp.post("/facturation-electronique/fournisseurs/lignes/<int:line_id>/rattacher")
@allow(*EDITORS)
def attach_line(line_id: int):
    """Add the supplier's line as a part line to the chosen order's draft quote."""
    line = db.get_or_404(supplier.SupplierInvoiceLine, line_id)
    back = {"invoice_id": line.invoice_id}
    try:
        order_id = int(request.form.get("order_id") or 0)
    except ValueError:
        order_id = 0
    order = db.session.get(RepairOrder, order_id) if order_id else None
    if order is None:
        flash(_("Choisissez le dossier auquel rattacher la pièce."), "danger")
        return redirect_to("einvoice.supplier_invoice", **back)
    price: Decimal | None = None
    if (request.form.get("sale_price") or "").strip():
        try:
            price = parse_amount(request.form["sale_price"])
        except ValueError as exc:
            flash(str(exc), "danger")
            return redirect_to("einvoice.supplier_invoice", **back)
    with refusals("einvoice.supplier_invoice", **back):
        supplier.attach(line, order, price)
        flash(_("Pièce « %(l)s » ajoutée au devis du dossier %(n)s.", l=line.label, n=order.number), "success")
        return redirect_to("einvoice.supplier_invoice", **back)
