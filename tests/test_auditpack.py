"""The audit pack: one zip per period with the intake register, the bons, the controls per fiche
métier, the returns within 3 months, the complaints, the claims and payments; each part holds the
right rows, and nothing of another shop."""
import csv
import datetime as dt
import io
import uuid
import zipfile

import pytest
import time_machine
from flask_login import login_user
from werkzeug.http import parse_options_header

from qualirepar.audit import AuditEntry
from qualirepar.auditpack import services as pack
from qualirepar.billing import services as billing
from qualirepar.claims import payments, submit
from qualirepar.claims.models import Claim
from qualirepar.complaints.calendar import due_on
from qualirepar.complaints.models import Complaint
from qualirepar.extensions import db
from qualirepar.repairs import services as repairs
from qualirepar.repairs import signatures
from qualirepar.repairs.models import RepairOrder
from qualirepar.shops.models import Shop, User
from qualirepar.tenancy import as_shop

from . import factories
from .billing.helpers import STANDARD, quote_with, washing_machine_order
from .checklists.helpers import fill
from .repairs.test_signatures import data_url

D = dt.date
UTC = dt.timezone.utc
PERIOD = {"date_from": "2025-01-01", "date_to": "2025-06-30"}
SERIAL = "WM-RET-0001"


def _at(day: D, hour: int = 9):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC), tick=False)


def _invoice(order: RepairOrder):
    quote = quote_with(order, *STANDARD)
    billing.set_repair_code(quote, "G12")
    billing.validate(quote, None)
    billing.issue_invoice(order, quote, str(uuid.uuid4()), None)
    return db.session.execute(db.select(Claim).where(Claim.order_id == order.id)).scalar_one()


def _history(app, shop) -> dict:
    """Two signed washing machines (A repaired with its controls, invoiced, handed back on 20/01/2025,
    claim paid; B invoiced, claim rejected, diagnosed without its check-in), a return of A two months
    after its hand-back, the same appliance again four months after (not a return), two complaints
    (one answered late), and one of each outside the period."""
    site = factories.make_site(app, shop.id, name="Atelier Part-Dieu")
    tech = shop.users["technician"]
    with _at(D(2025, 1, 6)):
        a = washing_machine_order(app, shop.id, intake_on=D(2025, 1, 6), serial_number=SERIAL, email="lea@exemple.fr",
                                  site_id=site, technician_id=tech.id, fault_description="Fuit par la porte")
    with _at(D(2025, 2, 3)):
        b = washing_machine_order(app, shop.id, intake_on=D(2025, 2, 3), serial_number="WM-B-0002", last_name="Durand",
                                  first_name="Paul", email="paul@exemple.fr", fault_description="Ne vidange plus")
    with app.test_request_context(), as_shop(shop.id):
        login_user(db.session.get(User, tech.id))
        order = db.session.get(RepairOrder, a)
        with _at(D(2025, 1, 6), 10):
            signatures.sign(order, "customer", data_url(), "Léa Martin")
            signatures.sign(order, "technician", data_url(), "Tech Nicien")
            fill(order, "checkin")
            repairs.transition(order, "start_diagnosis")
        with _at(D(2025, 1, 10)):
            claim_a = _invoice(order)
        with _at(D(2025, 1, 15)):
            repairs.transition(order, "start_repair")
            fill(order, "checkout")
            repairs.transition(order, "finish")
        with _at(D(2025, 1, 20)):
            repairs.transition(order, "hand_back")
        order_b = db.session.get(RepairOrder, b)
        with _at(D(2025, 2, 3), 10):
            signatures.sign(order_b, "customer", data_url(), "Paul Durand")
            repairs.transition(order_b, "start_diagnosis")  # no check-in: its mandatory points are missing
        with _at(D(2025, 2, 5)):
            claim_b = _invoice(order_b)
        claim_a.status, claim_a.external_id, claim_a.submitted_at = "accepted", "ECL-A-1", dt.datetime(2025, 1, 11, tzinfo=UTC)
        db.session.commit()
        paid = claim_a.bonus_amount
        payments.import_statement([payments.Line(2, claim_a.organism, "VIR-2025-03", D(2025, 3, 5), "ECL-A-1", None, paid)],
                                  "releve-mars.csv")
        submit.set_status(claim_b, "rejected", "Photo de la plaque illisible")
        claim_b.status_text = "Photo de la plaque illisible"  # the organism's words, as the status sync keeps them
        db.session.commit()
        numbers = {"A": order.number, "B": order_b.number, "invoice_a": db.session.get(Claim, claim_a.id).invoice_id}
    with _at(D(2025, 3, 20)):
        r = factories.make_order(app, shop.id, "Lave-linge", intake_on=D(2025, 3, 20), serial_number=SERIAL,
                                 fault_description="Fuit par la porte")
    with _at(D(2025, 5, 25)):
        c = factories.make_order(app, shop.id, "Lave-linge", intake_on=D(2025, 5, 25), serial_number=SERIAL,
                                 fault_description="Fait du bruit")
    factories.make_order(app, shop.id, "Lave-linge", intake_on=D(2024, 12, 20), serial_number="WM-OLD-1", last_name="Avant")
    with app.app_context(), as_shop(shop.id):
        ret, later = db.session.get(RepairOrder, r), db.session.get(RepairOrder, c)
        assert ret.warranty_of_id == a and later.warranty_of_id is None  # the detection did its job
        numbers.update(R=ret.number, C=later.number)
        from qualirepar.billing.models import Invoice

        numbers["invoice_a"] = db.session.get(Invoice, numbers["invoice_a"]).number
        numbers["paid"] = paid
        for received, answered, name in ((D(2025, 2, 3), D(2025, 2, 20), "Léa Martin"), (D(2025, 3, 3), D(2025, 3, 5), "Paul Durand"),
                                         (D(2024, 12, 2), D(2024, 12, 3), "Hors Période")):
            db.session.add(Complaint(received_on=received, due_on=due_on(received), channel="email", customer_name=name,
                                     order_id=a if name == "Léa Martin" else None, text="Le lave-linge fuit encore.",
                                     answer="Reprise sous garantie.", answered_on=answered))
        db.session.commit()
    return numbers


def test_a_return_set_aside_leaves_the_returns_file_for_its_own_with_the_reason(app, shop, as_role, history):
    from qualirepar.repairs import services as repair_services

    with app.app_context(), as_shop(shop.id):
        ret = db.session.execute(db.select(RepairOrder).where(RepairOrder.number == history["R"])).scalar_one()
        repair_services.unlink_return(ret, "Autre panne : la pompe, rien à voir avec le joint changé")
    resp = as_role("owner").post("/audit/telecharger", data=PERIOD)
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert _rows(zf, "retours_3_mois.csv") == []
    set_aside = _rows(zf, "retours_ecartes.csv")
    assert [(r["Dossier d'origine"], r["Dossier écarté"], r["Restitué le"], r["Pris en charge le"], r["Jours écoulés"])
            for r in set_aside] == [(history["A"], history["R"], "20/01/2025", "20/03/2025", "59")]
    assert set_aside[0]["Motif de l'écart"] == "Autre panne : la pompe, rien à voir avec le joint changé"
    assert set_aside[0]["N° de série / IMEI"] == SERIAL and set_aside[0]["Bonus demandé"] == "non"
    assert "retours_ecartes.csv : 1 ligne(s)" in zf.read("LISEZMOI.txt").decode("utf-8-sig")


def _other_shop(app) -> None:
    """Another shop with an order, a complaint and data of the same period: never in our pack."""
    other = factories.shop_with_team(app)
    factories.make_order(app, other.id, "Bouilloire", intake_on=D(2025, 2, 10), serial_number="INTRUS-999", last_name="Intrus")
    with app.app_context(), as_shop(other.id):
        db.session.add(Complaint(received_on=D(2025, 2, 11), due_on=due_on(D(2025, 2, 11)), channel="letter",
                                 customer_name="Client Intrus", text="Autre boutique."))
        db.session.commit()


def _rows(zf: zipfile.ZipFile, name: str) -> list[dict]:
    raw = zf.read(name)
    assert raw.startswith(b"\xef\xbb\xbf"), name  # UTF-8 with BOM, for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def history(app, shop):
    numbers = _history(app, shop)
    _other_shop(app)
    return numbers


def test_the_pack_holds_every_part_with_the_right_rows(app, shop, as_role, history):
    client = as_role("owner")
    assert client.get("/audit/").status_code == 200
    resp = client.post("/audit/telecharger", data={**PERIOD, "bons": "y"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    assert resp.mimetype == "application/zip"
    with app.app_context():
        the_shop = db.session.get(Shop, shop.id)
        shop_name, siret = the_shop.name, the_shop.siret
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"dossier-audit-{pack.slug(shop_name)}-2025-01-01-2025-06-30.zip" in disposition
    assert int(resp.headers["Content-Length"]) == len(resp.data)
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert zf.testzip() is None
    assert all(i.date_time[0] > 1980 for i in zf.infolist())  # dated when made
    names = set(zf.namelist())
    A, B, R, C = history["A"], history["B"], history["R"], history["C"]
    assert {"LISEZMOI.txt", "prises_en_charge.csv", "controles/GEM.csv", "controles/synthese.csv", "retours_3_mois.csv",
            "reclamations.csv", "demandes_bonus.csv", "paiements.csv", "synthese_financiere.csv"} <= names
    assert {n for n in names if n.startswith("controles/")} == {"controles/GEM.csv", "controles/synthese.csv"}  # not the other shop's PEM
    assert {n for n in names if n.startswith("bons/")} == {f"bons/bon-prise-en-charge-{n}.pdf" for n in (A, B, R, C)}
    assert all(zf.read(n).startswith(b"%PDF") for n in names if n.startswith("bons/"))

    # the intake register: the four orders of the period, in order, signed or not
    intake = _rows(zf, "prises_en_charge.csv")
    assert [r["N° dossier"] for r in intake] == [A, B, R, C]
    by_number = {r["N° dossier"]: r for r in intake}
    assert by_number[A]["Date de prise en charge"] == "06/01/2025" and by_number[A]["Client"] == "MARTIN Léa"
    assert by_number[A]["N° de série / IMEI"] == SERIAL and by_number[A]["Type d'appareil"] == "Lave-linge"
    assert by_number[A]["Lieu de réparation"] == "Atelier Part-Dieu" and by_number[A]["Technicien"]
    assert (by_number[A]["Signé par le client"], by_number[A]["Signé le"]) == ("oui", "06/01/2025 11:00")  # Paris time
    assert by_number[A]["Statut"] == "Restitué" and by_number[A]["Restitué le"] == "20/01/2025"
    assert by_number[B]["Client"] == "DURAND Paul" and by_number[B]["Signé par le client"] == "oui"
    assert by_number[R]["Signé par le client"] == "non" and by_number[R]["Retour sous garantie de"] == A
    assert by_number[C]["Retour sous garantie de"] == ""

    # controls of the fiche GEM: A answered both phases; B went to diagnosis without its check-in
    controls = _rows(zf, "controles/GEM.csv")
    a_rows = [r for r in controls if r["N° dossier"] == A]
    assert {r["Phase"] for r in a_rows} == {"Contrôles à l'entrée", "Contrôles à la sortie"}
    assert all(r["État"] == "répondu" for r in a_rows if r["Obligatoire"] == "oui")
    measure = next(r for r in a_rows if r["Point de contrôle"] == "Continuité du conducteur de protection")
    assert (measure["Valeur mesurée"], measure["Unité"], measure["Non conforme"], measure["Limites"]) == ("0,15", "Ω", "non", "… – 0,3")
    assert measure["Réponse"] == "" and measure["Répondu par"] and measure["Répondu le"] == "15/01/2025 10:00"
    b_missing = [r for r in controls if r["N° dossier"] == B and r["État"] == "manquant"]
    assert len(b_missing) == 3 and {r["Phase"] for r in b_missing} == {"Contrôles à l'entrée"}
    assert {r["État"] for r in controls if r["N° dossier"] == R and r["Obligatoire"] == "oui"} == {"pas encore exigé"}
    synthesis = {(r["Fiche métier"], r["Phase"]): r for r in _rows(zf, "controles/synthese.csv")}
    checkin, checkout = synthesis[("GEM", "Contrôles à l'entrée")], synthesis[("GEM", "Contrôles à la sortie")]
    assert (checkin["Dossiers"], checkin["Dossiers où la phase est exigée"], checkin["Dossiers complets"],
            checkin["Points obligatoires manquants"]) == ("4", "2", "1", "3")
    assert (checkout["Dossiers où la phase est exigée"], checkout["Points obligatoires manquants"]) == ("1", "0")

    # returns within 3 months: A -> R only (C came back after more than 3 months)
    returns = _rows(zf, "retours_3_mois.csv")
    assert [(r["Dossier d'origine"], r["Dossier du retour"]) for r in returns] == [(A, R)]
    assert (returns[0]["Restitué le"], returns[0]["Retour pris en charge le"], returns[0]["Jours écoulés"],
            returns[0]["Fin de la garantie de 3 mois"]) == ("20/01/2025", "20/03/2025", "59", "20/04/2025")
    assert returns[0]["Même panne"] == "oui" and returns[0]["Bonus demandé sur le retour"] == "non"
    assert _rows(zf, "retours_ecartes.csv") == []  # nobody set a return aside

    # complaints of the period, the late answer marked
    complaints = _rows(zf, "reclamations.csv")
    assert [(r["Client"], r["En retard"], r["État"]) for r in complaints] == [
        ("Léa Martin", "oui", "répondu hors délai"), ("Paul Durand", "non", "répondu dans le délai")]
    assert complaints[0]["Réponse attendue le"] == "13/02/2025" and complaints[0]["Répondu le"] == "20/02/2025"
    assert complaints[0]["Dossier concerné"] == A

    # claims, payments, totals
    claims = {r["N° dossier"]: r for r in _rows(zf, "demandes_bonus.csv")}
    assert set(claims) == {A, B}
    paid = f"{history['paid']:.2f}".replace(".", ",")
    assert (claims[A]["Contrôle"], claims[A]["Montant payé"], claims[A]["Payé le"], claims[A]["Bonus demandé"]) == ("payée", paid, "05/03/2025", paid)
    assert claims[A]["N° facture"] == history["invoice_a"] and claims[A]["Date de la facture"] == "10/01/2025"
    assert claims[B]["Contrôle"] == "refusée" and claims[B]["Motif / message de l'organisme"] == "Photo de la plaque illisible"
    with app.app_context(), as_shop(shop.id):  # the same verdict as the reimbursement control page
        control = {r.invoice_number: str(payments.CATEGORY_LABELS[r.category]) for r in payments.control()}
    assert {r["N° facture"]: r["Contrôle"] for r in claims.values()} == control
    paid_rows = _rows(zf, "paiements.csv")
    assert [(r["Référence du paiement"], r["Montant"], r["Demande rapprochée : dossier"]) for r in paid_rows] == [("VIR-2025-03", paid, A)]
    totals = _rows(zf, "synthese_financiere.csv")
    assert [(r["Mois de facture"], r["Demandes"], r["Payé"]) for r in totals] == [("01/2025", "1", paid), ("02/2025", "1", "0,00")]
    assert totals[1]["Refusé"] == paid  # the same bonus, refused

    # the readme: who, what, when, how many
    readme = zf.read("LISEZMOI.txt").decode("utf-8-sig")
    for expected in (shop_name, f"SIRET : {siret}", "du 01/01/2025 au 30/06/2025 inclus (181 jours)", shop.emails["owner"],
                     "prises_en_charge.csv : 4 ligne(s)", "retours_3_mois.csv : 1 ligne(s)", "reclamations.csv : 2 ligne(s)",
                     "demandes_bonus.csv : 2 ligne(s)", "4 bon(s) de prise en charge", "2 copié(s)", "2 produit(s)"):
        assert expected in readme, expected

    # nothing of the other shop, anywhere
    for name in names:
        if not name.startswith("bons/"):
            text = zf.read(name).decode("utf-8-sig")
            assert "Intrus" not in text and "INTRUS" not in text and "Hors Période" not in text and "AVANT" not in text, name

    with app.app_context(), as_shop(shop.id):
        entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "audit_pack_downloaded")).scalar_one()
    assert entry.entity == "shop" and entry.changes["period"][1] == "2025-01-01 / 2025-06-30"
    assert entry.changes["files"][1]["prises_en_charge.csv"] == 4 and entry.changes["bons"][1] == 4


def test_without_the_bons_and_as_support(app, shop, as_role, history):
    resp = as_role("support").post("/audit/telecharger", data=PERIOD)  # box unchecked
    assert resp.status_code == 200
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert not [n for n in zf.namelist() if n.startswith("bons/")]
    assert "non inclus" in zf.read("LISEZMOI.txt").decode("utf-8-sig")


def test_many_bons_are_built_by_a_worker_and_the_asker_is_told(app, shop, as_role, history, monkeypatch):
    from qualirepar.auditpack.models import AuditPack
    from qualirepar.claims.models import Notification

    monkeypatch.setattr(pack, "MAX_RENDERED_BONS", 1)  # R and C have no claim: 2 bons to render, more than 1
    client = as_role("owner")
    resp = client.post("/audit/telecharger", data={**PERIOD, "bons": "y"})
    assert resp.status_code == 303 and "/audit/dossiers/" in resp.location
    html = client.get(resp.location).get_data(as_text=True)
    assert "le dossier est préparé en arrière-plan" in html and 'data-status="queued"' in html and 'hx-trigger="every 2s"' in html
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])  # a real RQ worker, as in production
    assert result.exit_code == 0, result.output
    html = client.get(resp.location).get_data(as_text=True)
    assert 'data-status="ready"' in html and "every 2s" not in html
    download = client.get(resp.location + "/fichier")
    disposition, options = parse_options_header(download.headers["Content-Disposition"])
    assert download.status_code == 200 and disposition == "attachment" and options["filename"].startswith("dossier-audit-")
    assert int(download.headers["Content-Length"]) == len(download.data)  # sent from the file, its size known
    zf = zipfile.ZipFile(io.BytesIO(download.data))
    assert len([n for n in zf.namelist() if n.startswith("bons/")]) == 4 and "prises_en_charge.csv" in zf.namelist()
    with app.app_context(), as_shop(shop.id):
        item = db.session.execute(db.select(AuditPack)).scalar_one()
        assert (item.bons_done, item.bons_total) == (4, 4)
        note = db.session.execute(db.select(Notification).where(Notification.user_id == item.requested_by_id)).scalar_one()
        assert "est prêt à télécharger" in note.text and note.link == f"/audit/dossiers/{item.id}"
    assert "Dossiers préparés en arrière-plan" in client.get("/audit/").get_data(as_text=True)
    # Another shop does not see it.
    other = factories.shop_with_team(app)
    assert factories.login_client(app, other.emails["owner"]).get(resp.location + "/fichier").status_code == 404


def test_a_failed_build_is_shown_and_told(app, shop, history, monkeypatch):
    from qualirepar.auditpack import tasks
    from qualirepar.auditpack.models import AuditPack
    from qualirepar.claims.models import Notification

    def broken(*args, **kwargs):
        raise OSError("disque plein")

    with app.test_request_context(), as_shop(shop.id):
        from qualirepar.shops.models import User

        owner = db.session.execute(db.select(User).where(User.role == "owner")).scalar_one()
        item = AuditPack(period_from=D(2025, 1, 1), period_to=D(2025, 3, 31), include_bons=True, requested_by_id=owner.id)
        db.session.add(item)
        db.session.commit()
        monkeypatch.setattr(pack, "build", broken)
        tasks.build(item)
        assert item.status == "failed" and "disque plein" in item.error and item.file_id is None
        texts = db.session.execute(db.select(Notification.text).where(Notification.user_id == owner.id)).scalars().all()
        assert any("n'a pas pu être préparé" in t for t in texts)


@pytest.mark.parametrize("data,message", [
    ({"date_from": "", "date_to": "2025-03-31"}, "Indiquez la date de début de la période."),
    ({"date_from": "2025-01-01", "date_to": ""}, "Indiquez la date de fin de la période."),
    ({"date_from": "2025-04-01", "date_to": "2025-03-31"}, "La date de début (01/04/2025) est après la date de fin (31/03/2025)."),
    ({"date_from": "2024-01-01", "date_to": "2025-01-01"}, "La période dépasse 366 jours"),
])
def test_a_bad_period_is_refused_in_french(as_role, shop, data, message):
    resp = as_role("owner").post("/audit/telecharger", data=data)
    assert resp.status_code == 422 and resp.mimetype == "text/html"
    assert message in resp.get_data(as_text=True).replace("&#39;", "'")


def test_a_leap_year_is_one_period(app, shop, as_role):
    resp = as_role("owner").post("/audit/telecharger", data={"date_from": "2024-01-01", "date_to": "2024-12-31"})
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert _rows(zf, "prises_en_charge.csv") == [] and _rows(zf, "controles/synthese.csv") == []


def test_technicians_may_not_download(as_role, shop):
    client = as_role("technician")
    assert client.get("/audit/").status_code == 403
    assert client.post("/audit/telecharger", data=PERIOD).status_code == 403


def test_the_form_offers_the_previous_quarter():
    assert pack.previous_quarter(D(2026, 5, 10)) == (D(2026, 1, 1), D(2026, 3, 31))
    assert pack.previous_quarter(D(2026, 1, 2)) == (D(2025, 10, 1), D(2025, 12, 31))
    assert pack.previous_quarter(D(2026, 12, 31)) == (D(2026, 7, 1), D(2026, 9, 30))
    assert not pack.bons_by_default(D(2026, 7, 1), D(2026, 9, 30)) and pack.bons_by_default(D(2026, 1, 1), D(2026, 1, 31))


def test_the_page_lists_the_contents(as_role, shop):
    html = as_role("support").get("/audit/").get_data(as_text=True)
    for expected in ("prises_en_charge.csv", "retours_3_mois.csv", "reclamations.csv", "demandes_bonus.csv", "Inclure les bons en PDF"):
        assert expected in html
    assert 'name="date_from"' in html and 'name="date_to"' in html


def test_packs_older_than_30_days_leave_the_file_store(app, shop, history, monkeypatch):
    from qualirepar.auditpack import tasks
    from qualirepar.auditpack.models import AuditPack
    from qualirepar.files.models import StoredFile
    from qualirepar.files.storage import get_storage

    with app.test_request_context(), as_shop(shop.id):
        old, recent = (AuditPack(period_from=D(2025, 1, 1), period_to=D(2025, 1, 31), include_bons=False) for _ in range(2))
        db.session.add_all([old, recent])
        db.session.commit()
        for item in (old, recent):
            tasks.build(item)
        old.finished_at -= dt.timedelta(days=31)
        db.session.commit()
        old_id, recent_id, old_key = old.id, recent.id, db.session.get(StoredFile, old.file_id).storage_key
    with app.app_context():  # the nightly job: no shop is current
        assert tasks.purge_old_packs() == 1
    with app.app_context(), as_shop(shop.id):
        assert db.session.get(AuditPack, old_id).status == "expired" and db.session.get(AuditPack, old_id).file_id is None
        assert db.session.get(AuditPack, recent_id).status == "ready"
    with app.app_context():
        try:
            get_storage().read(old_key)
            raise AssertionError("the zip is still stored")
        except (FileNotFoundError, OSError):
            pass
