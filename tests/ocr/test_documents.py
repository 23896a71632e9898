"""Documents read in the app: uploaded, read by the job with its progress on the page, fields
offered to the form; the claim's invoice, as read, checked against the claim before it leaves."""
import io
from decimal import Decimal

import pytest
import requests
from PIL import Image, ImageDraw, ImageFont

from qualirepar.claims import tasks as claims_tasks
from qualirepar.claims.models import Claim
from qualirepar.core.queue import get_queue
from qualirepar.extensions import db
from qualirepar.ocr import crosscheck
from qualirepar.ocr.models import OcrDocument
from qualirepar.tenancy import as_shop

from ..claims.test_submission import LYON, _claim, _invoice, _send
from ..einvoice import samples
from qualirepar.core.clock import paris_today

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
    assert doc.method == "xml"  # the app's own PDF is a Factur-X (issue 20): read from its XML, exactly, no OCR


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
    from ..billing.helpers import STANDARD, quote_with, ready_to_invoice, washing_machine_order
    from ..checklists.helpers import fill

    site = factories.make_site(app, shop.id, ecologic_site_id=LYON[2])
    order_id = washing_machine_order(app, shop.id, site_id=site, symptom_code="111", email="lea@exemple.fr")
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        fill(order, "checkin")
        quote = quote_with(order, *STANDARD)
        quotes.set_repair_code(quote, "G12")
        ready_to_invoice(order, quote)  # accepted, repair marked done
        t = quotes.totals(quote.lines)
        return quote.id, t.ht, t.ttc, quote.bonus_amount


def _fr(value) -> str:
    return f"{value:.2f}".replace(".", ",")


def test_an_invoice_from_another_program_is_read_confirmed_and_claimed(app, shop, sandbox_accounts, as_role):
    import datetime as dt

    from weasyprint import HTML

    from qualirepar.billing.models import Invoice

    quote_id, ht, ttc, bonus = _validated_quote(app, shop)
    day = paris_today()
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


# ---------------------------------------------------------------- e-invoices and bad input (issue 18)

def _read_invoice(app, shop, client, data: bytes, name: str):
    """Upload an invoice, run its job; the row and the card."""
    resp = _post(client, data, name, "invoice")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    _run_jobs(app)
    with app.app_context(), as_shop(shop.id):
        doc = db.session.execute(db.select(OcrDocument).order_by(OcrDocument.id.desc())).scalars().first()
    return doc, client.get(f"/lecture/documents/{doc.id}", headers={"HX-Request": "true"}).get_data(as_text=True)


@pytest.fixture
def no_ocr(monkeypatch):
    """Tesseract must not run: any call fails the test."""
    def called(*args, **kwargs):
        raise AssertionError("Tesseract was called")
    monkeypatch.setattr("qualirepar.ocr.tesseract.read_page", called)
    monkeypatch.setattr("qualirepar.ocr.tesseract.check", called)


def test_a_factur_x_invoice_is_read_from_its_xml_and_no_ocr_runs(app, shop, as_role, no_ocr, monkeypatch):
    monkeypatch.setattr("qualirepar.ocr.reader.read", lambda *a, **k: pytest.fail("the page was read"))
    d = samples.repair()
    doc, html = _read_invoice(app, shop, as_role("technician"), samples.facturx_pdf(samples.cii(d), d), "facture.pdf")
    assert doc.status == "done" and doc.method == "xml" and doc.notes == []
    assert {name: f["value"] for name, f in doc.read_fields.items()} == {
        "number": d.number, "date": d.day.isoformat(), "total_ht": f"{d.total_ht:.2f}", "vat": f"{d.vat:.2f}",
        "total_ttc": f"{d.total_ttc:.2f}", "bonus": f"{d.bonus:.2f}", "amount_due": f"{d.total_ttc - d.bonus:.2f}",
        "seller_name": d.shop, "siret": d.siret, "siren": d.siren, "vat_number": d.vat_number,
        "customer_name": f"{d.last.upper()} {d.first}"}
    assert all(f["confidence"] == 1.0 and f["source"].startswith("XML") for f in doc.read_fields.values())
    assert "lu dans la facture électronique" in html and 'data-testid="einvoice-lines"' in html
    assert doc.einvoice["level"] == "en16931" and len(doc.einvoice["lines"]) == len(d.lines)


def test_when_the_xml_and_the_page_disagree_the_card_says_so_and_the_field_is_doubtful(app, shop, as_role, no_ocr):
    d = samples.repair()
    wrong = d.total_ttc + Decimal("0.01")
    doc, html = _read_invoice(app, shop, as_role("technician"), samples.facturx_pdf(samples.cii(d, total_ttc=wrong), d), "f.pdf")
    ttc = doc.read_fields["total_ttc"]
    assert ttc["value"] == f"{wrong:.2f}" and ttc["page"] == f"{d.total_ttc:.2f}" and ttc["confidence"] < crosscheck.SURE
    assert doc.read_fields["number"]["confidence"] == 1.0  # the number agrees
    said = f"la facture électronique et la page ne concordent pas : total TTC {_fr(wrong)} € dans le XML, {_fr(d.total_ttc)} € sur la page"
    assert said.lower() in doc.notes[0].lower() and "ne concordent pas" in html
    expected = {"number": d.number, "date": d.day, "total_ttc": d.total_ttc, "bonus": d.bonus}
    with app.test_request_context():
        (difference,) = crosscheck.compare(expected, doc)
    assert difference.field == "total_ttc" and not difference.sure  # asked, never blocking silently


def test_a_number_the_page_does_not_show_is_doubtful(app, shop, as_role, no_ocr):
    d = samples.repair()
    doc, _ = _read_invoice(app, shop, as_role("technician"), samples.facturx_pdf(samples.cii(d, number="XF-77"), d), "f.pdf")
    assert doc.read_fields["number"]["confidence"] < crosscheck.SURE and "numéro XF-77 dans le XML" in doc.notes[0]


@pytest.mark.parametrize("broken, why", [("malformed", "XML mal formé"), ("schema", "schéma XSD")])
def test_a_broken_xml_reads_the_page_instead_and_says_so(app, shop, as_role, broken, why):
    d = samples.repair()
    xml = samples.malformed(samples.cii(d)) if broken == "malformed" else samples.cii(d).replace(b"TypeCode>380<", b"TypeCode>ABC<")
    xml = xml if broken == "malformed" else xml.replace(b"<ram:TypeCode>ABC</ram:TypeCode>", b"<ram:Genre>380</ram:Genre>")
    doc, html = _read_invoice(app, shop, as_role("technician"), samples.pdf_with_attachment("factur-x.xml", xml, d), "f.pdf")
    assert doc.status == "done" and doc.method == "text" and doc.value("number") == d.number
    assert why in doc.notes[0] and "La page a été lue à la place" in doc.notes[1] and why in html


@pytest.mark.parametrize("make", [lambda: samples.cii(), lambda: samples.ubl(), lambda: samples.ubl(credit_note=True)])
def test_a_cii_or_ubl_file_is_accepted_and_read_for_an_invoice(app, shop, as_role, no_ocr, make):
    doc, html = _read_invoice(app, shop, as_role("technician"), make(), "facture.xml")
    assert doc.status == "done" and doc.method == "xml" and doc.value("total_ttc") and doc.text is None
    assert "lu dans la facture électronique" in html


def test_an_xml_file_is_no_nameplate(app, shop, as_role):
    resp = _post(as_role("technician"), samples.cii(), "plaque.xml", "nameplate")
    assert resp.status_code == 422 and "Type de fichier refusé" in resp.get_data(as_text=True)


def test_a_malformed_xml_file_fails_with_its_reason(app, shop, as_role, no_ocr):
    doc, html = _read_invoice(app, shop, as_role("technician"), samples.malformed(), "facture.xml")
    assert doc.status == "failed" and "XML mal formé" in doc.error and doc.read_fields == {} and "XML mal formé" in html


def test_an_encrypted_pdf_is_said_and_nothing_guessed(app, shop, as_role, no_ocr):
    doc, html = _read_invoice(app, shop, as_role("technician"), samples.encrypted_pdf(), "facture.pdf")
    assert doc.status == "failed" and "mot de passe" in doc.error and doc.read_fields == {} and "mot de passe" in html


def test_a_60_page_pdf_is_read_on_its_first_pages_and_says_so(app, shop, as_role, no_ocr):
    d = samples.repair()
    doc, html = _read_invoice(app, shop, as_role("technician"), samples.long_pdf(60), "facture-et-cgv.pdf")
    assert doc.status == "done" and doc.pages_total == 10 and doc.value("number") == d.number
    assert "Le PDF a 60 pages : seules les 10 premières ont été lues." in doc.notes and "60 pages" in html


def test_a_document_that_is_no_invoice_gives_nothing_and_says_so(app, shop, as_role, no_ocr):
    from weasyprint import HTML

    letter = HTML(string="<p>Chère Madame, nous vous remercions de votre visite du 12/03/2026 à l'atelier. "
                         "Le dossier 2026-118 est classé. Bien à vous, l'équipe.</p>").write_pdf()
    doc, html = _read_invoice(app, shop, as_role("technician"), letter, "lettre.pdf")
    assert doc.status == "done" and doc.read_fields == {} and "ne ressemble pas à une facture" in doc.notes[0]
    assert "ne ressemble pas à une facture" in html and 'data-testid="ocr-nothing"' not in html


def test_a_photo_that_is_no_invoice_gives_nothing_and_says_so(app, shop, as_role):
    from qualirepar.ocr.reader import tesseract_available

    if not tesseract_available():
        pytest.skip("Tesseract not installed here")
    doc, html = _read_invoice(app, shop, as_role("technician"), _plate(), "photo.jpg")
    assert doc.status == "done" and doc.read_fields == {} and "ne ressemble pas à une facture" in html


def test_a_page_with_almost_nothing_read_says_so(app, shop, as_role, monkeypatch):
    from qualirepar.ocr.reading import Page, Reading

    monkeypatch.setattr("qualirepar.ocr.reader.read", lambda *a, **k: Reading([Page("", [], "ocr", 0.5)]))
    doc, html = _read_invoice(app, shop, as_role("technician"), _plate(), "photo.jpg")
    assert doc.status == "done" and doc.read_fields == {} and "Presque rien n'a pu être lu" in doc.notes[0] and "photo floue" in html
