"""Quote pages (lines, the bonus on demand, validation, the customer's decision on the tablet or by
link), invoices (issue, PDF, payment, credit note)."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from flask import abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .. import mail
from ..claims.models import Claim
from ..claims.payload import missing
from ..core.money import AmountError, parse_amount
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import UploadRejected
from ..files.storage import get_storage
from ..ocr import services as ocr
from ..ocr.models import OcrDocument
from ..permissions import ANY_ROLE, allow, public
from ..rendering import pdf_response, redirect_to, refusals, render
from ..repairs import signatures as sig
from ..repairs.models import RepairOrder
from ..shops.models import Shop
from ..tenancy import as_shop
from ..catalog import eligibility
from ..core import money
from . import bp, invoices, payments, queries, quotes, states
from .forms import KIND_LABELS, METHOD_LABELS, CreditForm, LineForm, PaymentForm
from .models import Invoice, Payment, Quote

LINK_MAX_AGE = 30 * 24 * 3600  # an e-mailed quote link works 30 days (and until the quote is decided)


@bp.app_template_global()
def line_total(quantity, unit_price):
    return money.line_total(quantity, unit_price)


def _quote_page(quote: Quote, form: LineForm | None = None, status: int = 200, verdict=None, organism_note=None):
    order = db.session.get(RepairOrder, quote.order_id)
    return render("billing/quote.html", quote=quote, order=order, totals=quotes.totals(quote.lines), form=form or LineForm(),
                  repair_codes=quotes.repair_codes(order), decided_via=states.DECIDED_VIA,
                  kinds=KIND_LABELS, labels=states.LABELS, verdict=verdict, organism_note=organism_note,
                  invoice=queries.invoice_of(order), issue_key=str(uuid.uuid4()), status=status,
                  quote_label=quotes.status_label(quote), invoice_gaps=quotes.invoice_gaps(order, quote))


@bp.post("/dossiers/<int:order_id>/devis")
@allow("owner", "technician")
def new_quote(order_id: int):
    """A new quote for the order (its page follows)."""
    order = db.get_or_404(RepairOrder, order_id)
    with refusals("repairs.show", order_id=order.id):
        quote = quotes.create_quote(order)
    return redirect_to("billing.quote", quote_id=quote.id)


@bp.get("/devis/<int:quote_id>")
@allow(*ANY_ROLE)
def quote(quote_id: int):
    return _quote_page(db.get_or_404(Quote, quote_id))


@bp.post("/devis/<int:quote_id>/lignes")
@allow("owner", "technician")
def add_line(quote_id: int):
    quote = db.get_or_404(Quote, quote_id)
    form = LineForm()
    if form.validate_on_submit():
        with refusals("billing.quote", quote_id=quote.id):
            quotes.add_line(quote, form.kind.data, form.label.data, form.quantity.data, form.unit_price.data,
                              Decimal(form.vat_rate.data), form.part_reference.data or None, form.part_origin.data,
                              form.supplier.data or None)
        return redirect_to("billing.quote", quote_id=quote.id)
    return _quote_page(quote, form, status=422)


@bp.post("/devis/<int:quote_id>/lignes/<int:line_id>/supprimer")
@allow("owner", "technician")
def remove_line(quote_id: int, line_id: int):
    quote = db.get_or_404(Quote, quote_id)
    with refusals("billing.quote", quote_id=quote.id):
        quotes.remove_line(quote, line_id)
    return redirect_to("billing.quote", quote_id=quote.id)


@bp.post("/devis/<int:quote_id>/code")
@allow("owner", "technician")
def set_repair_code(quote_id: int):
    """The repair code sent with the claim (it does not change the bonus)."""
    quote = db.get_or_404(Quote, quote_id)
    with refusals("billing.quote", quote_id=quote.id):
        quotes.set_repair_code(quote, request.form.get("repair_code", ""))
    return redirect_to("billing.quote", quote_id=quote.id, message=_("Code de réparation enregistré."))


@bp.get("/devis/<int:quote_id>/bonus")
@allow(*ANY_ROLE)
def bonus(quote_id: int):
    """Eligibility and bonus now (the catalog's rules, and the organism's own calculation if it has one)."""
    quote = db.get_or_404(Quote, quote_id)
    verdict = quotes.bonus_verdict(quote)
    organism_note = quotes.organism_verdict(quote, verdict) if verdict.organism else None
    return render("billing/_bonus.html", quote=quote, verdict=verdict, organism_note=organism_note)


@bp.post("/devis/<int:quote_id>/<action>")
@allow("owner", "technician")
def quote_action(quote_id: int, action: str):
    quote = db.get_or_404(Quote, quote_id)
    with refusals("billing.quote", quote_id=quote.id):
        if action == "valider":
            verdict = quotes.validate(quote, current_user.id)
            flash(_("Devis validé : bonus de %(a)s fixé.", a=eligibility.euros(quote.bonus_amount)) if verdict.eligible
                  else _("Devis validé, sans bonus : %(r)s", r=" ".join(quote.bonus_reasons)), "success" if verdict.eligible else "warning")
        elif action == "rouvrir":
            quotes.reopen(quote)
            flash(_("Devis rouvert : le bonus sera fixé à nouveau à la validation."), "info")
        elif action == "envoyer":
            _send_link(quote)
        else:
            abort(404)
    return redirect_to("billing.quote", quote_id=quote.id)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="quote-decision")


def _send_link(quote: Quote) -> None:
    order = db.session.get(RepairOrder, quote.order_id)
    if not order.customer.email:
        raise states.BillingError(_("Le client n'a pas d'adresse e-mail : faites signer le devis sur la tablette."))
    nonce = quotes.mark_sent(quote)
    token = _serializer().dumps({"s": quote.shop_id, "q": quote.id, "n": nonce})
    link = url_for("billing.decide_by_link", token=token, _external=True)
    try:
        mail.send(order.customer.email, _("Votre devis %(n)s", n=quote.number),
                  _("Bonjour,\n\nVoici le devis %(n)s pour la réparation de votre appareil. Vous pouvez le consulter, "
                    "l'accepter ou le refuser ici (lien valable jusqu'au %(d)s) :\n%(link)s\n\nCordialement",
                    n=quote.number, d=quote.valid_until.strftime("%d/%m/%Y"), link=link))
    except OSError as exc:
        raise states.BillingError(_("L'envoi a échoué (%(e)s) : réessayez.", e=exc.__class__.__name__)) from exc
    flash(_("Devis envoyé à %(e)s.", e=order.customer.email), "success")


@bp.route("/devis/<int:quote_id>/signer", methods=["GET", "POST"])
@allow("owner", "technician")
def sign(quote_id: int):
    """The customer accepts (or refuses) the quote with a finger on the tablet."""
    quote = db.get_or_404(Quote, quote_id)
    order = db.session.get(RepairOrder, quote.order_id)
    if request.method == "POST":
        accept = request.form.get("decision") == "accept"
        name = (request.form.get("signer_name") or "").strip()
        with refusals("billing.sign", quote_id=quote.id):
            if not name:
                raise sig.SignatureRefused(_("Indiquez le nom du signataire."))
            stored = sig.store_drawn(request.form.get("signature", ""), f"devis-{quote.number}.png")
            quotes.decide(quote, accept, "signature", request.remote_addr, name, stored.id)
        return redirect_to("billing.quote", quote_id=quote.id, message=_("Devis accepté.") if accept else _("Devis refusé."),
                           category="success" if accept else "warning")
    return render("billing/sign.html", quote=quote, order=order, totals=quotes.totals(quote.lines))


@bp.route("/devis/lien/<token>", methods=["GET", "POST"])
@public
def decide_by_link(token: str):
    """The customer's page, without login: the quote, and accept / refuse."""
    try:
        data = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except SignatureExpired:
        return render("billing/link.html", quote=None, message=_("Ce lien a expiré : demandez un nouveau devis à l'atelier."), status=410)
    except BadSignature:
        abort(404)
    with as_shop(data["s"]):
        quote = db.session.get(Quote, data["q"])
        if quote is None:
            abort(404)
        if quote.link_nonce != data["n"]:
            message = (_("Vous avez déjà répondu à ce devis : %(s)s.", s=states.LABELS[quote.status]) if quote.decided_at
                       else _("Ce lien a été remplacé par un plus récent."))
            return render("billing/link.html", quote=quote, message=message, status=410)
        order = db.session.get(RepairOrder, quote.order_id)
        if request.method == "POST":
            accept = request.form.get("decision") == "accept"
            try:
                quotes.decide(quote, accept, "link", request.remote_addr, f"{order.customer.first_name} {order.customer.last_name}")
            except (states.BillingError, states.QuoteError) as exc:
                return render("billing/link.html", quote=quote, message=str(exc), status=409)
            return render("billing/link.html", quote=quote, message=_("Merci : votre accord est enregistré.") if accept
                          else _("Votre refus est enregistré. L'atelier vous recontacte pour reprendre l'appareil."))
        return render("billing/link.html", quote=quote, order=order, totals=quotes.totals(quote.lines),
                      shop=db.session.get(Shop, quote.shop_id), token=token, message=None)


# --- invoices -------------------------------------------------------------------------------


@bp.post("/devis/<int:quote_id>/facturer")
@allow("owner", "technician", "support")
def issue(quote_id: int):
    """Issue the invoice (once per click key); with a bonus, its claim is created at the same time."""
    quote = db.get_or_404(Quote, quote_id)
    order = db.session.get(RepairOrder, quote.order_id)
    key = request.form.get("issue_key", "")
    try:
        uuid.UUID(key)
    except ValueError:
        abort(400)
    with refusals("billing.quote", quote_id=quote.id):
        invoice = invoices.issue_invoice(order, quote, key, current_user.id, reason=request.form.get("reason"))
    return redirect_to("billing.invoice", invoice_id=invoice.id, message=_("Facture %(n)s émise.", n=invoice.number))


def _external_values(form, doc) -> dict:
    """The confirmation form's values: what the user typed, else what was read on the document."""
    read = {name: (doc.value(name) if doc is not None and doc.status == doc.DONE else None) or ""
            for name in ("number", "date", "total_ht", "total_ttc", "bonus")}
    return {name: form.get(name, read[name]) for name in read}


def _parse_external(form) -> dict:
    def amount(name):
        raw = (form.get(name) or "").strip()
        try:
            return parse_amount(raw)
        except AmountError:
            raise states.BillingError(_("Montant illisible : « %(v)s ».", v=raw)) from None

    try:
        day = dt.date.fromisoformat((form.get("date") or "").strip())
    except ValueError:
        day = None
    return {"number": form.get("number", ""), "issued_on": day, "total_ht": amount("total_ht"), "total_ttc": amount("total_ttc"),
            "bonus": amount("bonus") or Decimal("0.00")}


@bp.route("/devis/<int:quote_id>/facture-externe", methods=["GET", "POST"])
@allow("owner", "technician", "support")
def external_invoice(quote_id: int):
    """A shop that invoices in another program: the invoice uploaded, read automatically, its
    number, date and totals confirmed, then recorded with its claim (filed as for our own)."""
    quote = db.get_or_404(Quote, quote_id)
    order = db.session.get(RepairOrder, quote.order_id)
    doc = db.session.get(OcrDocument, request.values.get("document", type=int) or 0)
    errors = []
    if request.method == "POST" and "file" in request.files:
        try:
            stored = ocr.accept(request.files.get("file"), "invoice_external")
            db.session.flush()
        except UploadRejected as exc:
            db.session.rollback()
            errors.append(str(exc))
        else:
            doc = ocr.start(stored, "invoice", order.id)
            return redirect_to("billing.external_invoice", quote_id=quote.id, document=doc.id)
    elif request.method == "POST":
        if doc is None or doc.order_id != order.id:
            abort(400)
        key = request.form.get("issue_key", "")
        try:
            uuid.UUID(key)
        except ValueError:
            abort(400)
        try:
            values = _parse_external(request.form)
            invoice = invoices.record_external_invoice(order, quote, values, db.session.get(StoredFile, doc.file_id), key,
                                                       current_user.id, reason=request.form.get("reason"))
        except (states.BillingError, states.QuoteError) as exc:
            db.session.rollback()
            errors.append(str(exc))
        else:
            flash(_("Facture %(n)s enregistrée.", n=invoice.number), "success")
            return redirect_to("billing.invoice", invoice_id=invoice.id)
    context = dict(quote=quote, order=order, doc=doc, errors=errors, values=_external_values(request.form, doc),
                   issue_key=request.form.get("issue_key") or str(uuid.uuid4()),
                   expected_bonus=invoices.invoice_bonus(order, quote), invoice_gaps=quotes.invoice_gaps(order, quote))
    return render("billing/external.html", "billing/_external.html", status=422 if errors else 200, **context)


def _invoice_page(invoice: Invoice, payment_form=None, credit_form=None, status=200):
    received = db.session.execute(db.select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.id)).scalars().all()
    credit_note = db.session.execute(db.select(Invoice).where(Invoice.credits_id == invoice.id)).scalar_one_or_none()
    claim = db.session.execute(db.select(Claim).where(Claim.invoice_id == invoice.id)).scalar_one_or_none()
    return render("billing/invoice.html", invoice=invoice, claim_missing=missing(claim) if claim else [], payments=received, balance=payments.balance(invoice) if invoice.kind == "invoice" else None,
                  credit_note=credit_note, claim=claim, methods=METHOD_LABELS, payment_form=payment_form or PaymentForm(),
                  credit_form=credit_form or CreditForm(), issue_key=str(uuid.uuid4()), status=status)


@bp.get("/factures/<int:invoice_id>")
@allow(*ANY_ROLE)
def invoice(invoice_id: int):
    return _invoice_page(db.get_or_404(Invoice, invoice_id))


@bp.get("/factures/<int:invoice_id>.pdf")
@allow(*ANY_ROLE)
def invoice_pdf(invoice_id: int):
    """The PDF stored when the invoice was issued (the same bytes the claim sends)."""
    inv = db.get_or_404(Invoice, invoice_id)
    stored = db.get_or_404(StoredFile, inv.file_id)
    if inv.external and stored.content_type != "application/pdf":
        return redirect_to("files.download", file_id=stored.id)  # a photographed invoice
    return pdf_response(get_storage().read(stored.storage_key), f'{"avoir" if inv.kind == "credit_note" else "facture"}-{inv.number}.pdf')


@bp.post("/factures/<int:invoice_id>/paiements")
@allow("owner", "technician", "support")
def pay(invoice_id: int):
    inv = db.get_or_404(Invoice, invoice_id)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            payments.record_payment(inv, form.method.data, form.amount.data, current_user.id, form.reference.data)
        except states.BillingError as exc:
            form.amount.errors = [*form.amount.errors, str(exc)]
        else:
            flash(_("Paiement de %(a)s enregistré.", a=eligibility.euros(form.amount.data)), "success")
            return redirect_to("billing.invoice", invoice_id=inv.id)
    return _invoice_page(inv, payment_form=form, status=422)


@bp.post("/factures/<int:invoice_id>/avoir")
@allow("owner", "support")
def credit(invoice_id: int):
    inv = db.get_or_404(Invoice, invoice_id)
    form = CreditForm()
    key = request.form.get("issue_key", "")
    if form.validate_on_submit():
        try:
            uuid.UUID(key)
        except ValueError:
            abort(400)
        with refusals("billing.invoice", invoice_id=inv.id):
            note = invoices.credit(inv, form.reason.data, key, current_user.id)
        return redirect_to("billing.invoice", invoice_id=note.id, message=_("Avoir %(n)s émis.", n=note.number))
    return _invoice_page(inv, credit_form=form, status=422)
