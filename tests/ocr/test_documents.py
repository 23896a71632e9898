"""Documents read in the app: uploaded, read by the job with its progress on the page, fields
offered to the form; the claim's invoice, as read, checked against the claim before it leaves."""
import io

import requests
from PIL import Image, ImageDraw, ImageFont

from qualirepar.claims import tasks as claims_tasks
from qualirepar.claims.models import Claim
from qualirepar.core.queue import get_queue
from qualirepar.extensions import db
from qualirepar.ocr.models import OcrDocument
from qualirepar.tenancy import as_shop

from ..claims.test_submission import LYON, _claim, _invoice, _send

FONT = "DejaVuSans-Bold.ttf"  # fonts-dejavu-core, found by Pillow in the system's font folders


def _plate() -> bytes:
    """A photo of a washing machine's nameplate, as sharp as a phone gives it."""
    img = Image.new("RGB", (1400, 700), (205, 208, 212))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 46)
    for n, line in enumerate(("BOSCH", "Mod. WAN28208FF", "E-Nr WAN28208FF/05", "FD 9804", "S/N 412345678901", "230 V ~ 50 Hz 2300 W")):
        draw.text((60, 40 + n * 105), line, fill=(20, 20, 25), font=font)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


def _post(client, data: bytes, name: str, kind: str, **extra):
    return client.post("/lecture/documents", data={"file": (io.BytesIO(data), name), "kind": kind, **extra},
                       content_type="multipart/form-data", headers={"HX-Request": "true"})


def _run_jobs(app):
    with app.test_request_context():
        for job in get_queue().jobs:
            job.perform()


def test_a_nameplate_photo_fills_serial_and_model(app, shop, as_role):
    client = as_role("technician")
    resp = _post(client, _plate(), "plaque.jpg", "nameplate", target="#intake-form")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'data-status="queued"' in html and 'hx-trigger="every 1s"' in html  # it follows the job
    _run_jobs(app)
    with app.app_context(), as_shop(shop.id):
        doc = db.session.execute(db.select(OcrDocument)).scalar_one()
    html = client.get(f"/lecture/documents/{doc.id}?target=%23intake-form", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-status="done"' in html and "hx-trigger" not in html
    assert 'data-serial-number="412345678901"' in html and 'data-model="WAN28208FF"' in html
    assert doc.fields["serial_number"]["source"] and 0 < doc.fields["serial_number"]["confidence"] <= 1


def test_a_file_that_is_no_document_is_refused_in_french(app, shop, as_role):
    resp = _post(as_role("technician"), b"MZ\x90\x00 pas une image", "photo.jpg", "nameplate")
    assert resp.status_code == 422 and "Type de fichier refusé" in resp.get_data(as_text=True)
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(OcrDocument.id))).scalar_one() == 0


def test_without_tesseract_the_document_says_so_and_nothing_breaks(app, shop, as_role, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: None)
    client = as_role("technician")
    _post(client, _plate(), "plaque.jpg", "nameplate")
    _run_jobs(app)
    with app.app_context(), as_shop(shop.id):
        doc = db.session.execute(db.select(OcrDocument)).scalar_one()
    assert doc.status == "unavailable"
    html = client.get(f"/lecture/documents/{doc.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Lecture automatique indisponible" in html


def _other_invoice_pdf(number: str, ttc: str, bonus: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=f"""<html><body><h1>Facture N° {number}</h1><p>Date : 02/11/2026</p>
      <p>Total HT : 108,33 €</p><p>TVA 20 % : 21,67 €</p><p>Total TTC : {ttc} €</p>
      <p>Bonus réparation : -{bonus} €</p><p>Net à payer : 80,00 €</p></body></html>""").write_pdf()


def test_the_claims_own_invoice_is_read_and_agrees(app, shop, sandbox_accounts, as_role):
    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    _send(app, shop, claim_id)
    html = as_role("support").get(f"/demandes/{claim_id}").get_data(as_text=True)
    assert 'data-testid="check-ok"' in html
    with app.app_context(), as_shop(shop.id):
        doc = db.session.execute(db.select(OcrDocument)).scalar_one()
    assert doc.method == "text"  # the app's own PDF has a text layer: no OCR needed


def test_an_invoice_that_disagrees_blocks_the_sending_until_overridden(app, shop, sandbox_accounts, sandbox, as_role):
    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    external = _send(app, shop, claim_id)
    sandbox.operator(requests, f"claims/ecologic/{external}/reject", reason="07 : Impossible de lire la facture")
    with app.test_request_context():
        claims_tasks.poll_shop_claims(shop.id)
    client = as_role("support")
    wrong = _other_invoice_pdf("F2026-09999", "130,00", "20,00")
    client.post(f"/demandes/{claim_id}/pieces/invoice", data={"file": (io.BytesIO(wrong), "scan.pdf")}, content_type="multipart/form-data")
    client.post(f"/demandes/{claim_id}/renvoyer")
    _run_jobs(app)
    claim = _claim(app, shop, claim_id)
    assert claim.status == "needs_attention" and "ne correspond pas" in claim.last_error and "F2026-09999" in claim.last_error
    html = client.get(f"/demandes/{claim_id}").get_data(as_text=True)
    assert 'data-testid="check-differences"' in html and "numéro de facture" in html

    html = client.post(f"/lecture/demandes/{claim_id}/passer-outre", data={"reason": "ok"}, follow_redirects=True).get_data(as_text=True)
    assert "10 caractères au moins" in html and _claim(app, shop, claim_id).ocr_override is None
    from .. import factories

    tech = factories.login_client(app, shop.emails["technician"])  # a technician cannot
    assert tech.post(f"/lecture/demandes/{claim_id}/passer-outre", data={"reason": "c'est la bonne facture"}).status_code == 403

    client.post(f"/lecture/demandes/{claim_id}/passer-outre", data={"reason": "Facture du logiciel de caisse, numérotée autrement"})
    assert _claim(app, shop, claim_id).ocr_override["reason"].startswith("Facture du logiciel")
    client.post(f"/demandes/{claim_id}/renvoyer")
    _run_jobs(app)
    assert _claim(app, shop, claim_id).status == "submitted"
    from qualirepar.audit import AuditEntry

    with app.app_context(), as_shop(shop.id):
        actions = db.session.execute(db.select(AuditEntry.action).where(AuditEntry.entity == "claim")).scalars().all()
    assert "ocr_override" in actions


def _validated_quote(app, shop):
    from qualirepar.billing import quotes
    from qualirepar.repairs.models import RepairOrder

    from .. import factories
    from ..billing.helpers import STANDARD, quote_with, washing_machine_order
    from ..checklists.helpers import fill

    site = factories.make_site(app, shop.id, ecologic_site_id=LYON[2])
    order_id = washing_machine_order(app, shop.id, site_id=site, symptom_code="111", email="lea@exemple.fr")
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        fill(order, "checkin")
        quote = quote_with(order, *STANDARD)
        quotes.set_repair_code(quote, "G12")
        quotes.validate(quote, None)
        t = quotes.totals(quote.lines)
        return quote.id, t.ht, t.ttc, quote.bonus_amount


def _fr(value) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_an_invoice_from_another_program_is_read_confirmed_and_claimed(app, shop, sandbox_accounts, as_role):
    import datetime as dt

    from weasyprint import HTML

    from qualirepar.billing.models import Invoice

    quote_id, ht, ttc, bonus = _validated_quote(app, shop)
    day = dt.date.today()
    pdf = HTML(string=f"""<html><body><p>Atelier Dupont · SIRET 732 829 320 00074</p><h1>FACTURE N° EXT-2026-0042</h1>
      <p>Date : {day.strftime('%d/%m/%Y')}</p><p>Client : Léa Martin</p><table>
      <tr><td>Total HT</td><td>{_fr(ht)} €</td></tr><tr><td>TVA 20 %</td><td>{_fr(ttc - ht)} €</td></tr>
      <tr><td>Total TTC</td><td>{_fr(ttc)} €</td></tr><tr><td>Bonus réparation</td><td>-{_fr(bonus)} €</td></tr>
      <tr><td>Net à payer</td><td>{_fr(ttc - bonus)} €</td></tr></table></body></html>""").write_pdf()
    client = as_role("support")
    resp = client.post(f"/devis/{quote_id}/facture-externe", data={"file": (io.BytesIO(pdf), "facture-caisse.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    _run_jobs(app)
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'value="EXT-2026-0042"' in page and f'value="{day.isoformat()}"' in page and f'value="{ttc:.2f}"' in page
    doc_id = int(resp.headers["Location"].rsplit("=", 1)[1])
    form = {"document": doc_id, "issue_key": "6f1c2a10-0000-4000-8000-0000000000aa", "number": "EXT-2026-0042",
            "date": day.isoformat(), "total_ht": _fr(ht), "total_ttc": _fr(ttc), "bonus": _fr(bonus + 10)}
    html = client.post(f"/devis/{quote_id}/facture-externe", data=form).get_data(as_text=True)
    assert "n&#39;est pas celui fixé sur le devis" in html or "n'est pas celui fixé sur le devis" in html  # the tariff, not what was printed
    form["bonus"] = _fr(bonus)
    assert client.post(f"/devis/{quote_id}/facture-externe", data=form).status_code == 303
    with app.app_context(), as_shop(shop.id):
        invoice = db.session.execute(db.select(Invoice)).scalar_one()
        claim = db.session.execute(db.select(Claim)).scalar_one()
        assert (invoice.number, invoice.external, invoice.total_ttc, invoice.bonus_amount) == ("EXT-2026-0042", True, ttc, bonus)
        assert claim.attachments["invoice"] == invoice.file_id and claim.status == "queued"  # the uploaded file is what is sent
