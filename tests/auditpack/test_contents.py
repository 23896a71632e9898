"""The audit pack's zip: each part holds the right rows, and nothing of another shop."""
import io
import zipfile

from qualirepar.audit import AuditEntry
from qualirepar.auditpack.build import slug
from qualirepar.claims import payments
from qualirepar.extensions import db
from qualirepar.repairs import services as repair_services
from qualirepar.repairs.models import RepairOrder
from qualirepar.shops.models import Shop
from qualirepar.tenancy import as_shop

from .helpers import PERIOD, SERIAL, csv_rows


def test_a_return_set_aside_leaves_the_returns_file_for_its_own_with_the_reason(app, shop, as_role, history):
    with app.app_context(), as_shop(shop.id):
        ret = db.session.execute(db.select(RepairOrder).where(RepairOrder.number == history["R"])).scalar_one()
        repair_services.unlink_return(ret, "Autre panne : la pompe, rien à voir avec le joint changé")
    resp = as_role("owner").post("/audit/telecharger", data=PERIOD)
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert csv_rows(zf, "retours_3_mois.csv") == []
    set_aside = csv_rows(zf, "retours_ecartes.csv")
    assert [(r["Dossier d'origine"], r["Dossier écarté"], r["Restitué le"], r["Pris en charge le"], r["Jours écoulés"])
            for r in set_aside] == [(history["A"], history["R"], "20/01/2025", "20/03/2025", "59")]
    assert set_aside[0]["Motif de l'écart"] == "Autre panne : la pompe, rien à voir avec le joint changé"
    assert set_aside[0]["N° de série / IMEI"] == SERIAL and set_aside[0]["Bonus demandé"] == "non"
    assert "retours_ecartes.csv : 1 ligne(s)" in zf.read("LISEZMOI.txt").decode("utf-8-sig")


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
    assert disposition.startswith("attachment;") and f"dossier-audit-{slug(shop_name)}-2025-01-01-2025-06-30.zip" in disposition
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
    intake = csv_rows(zf, "prises_en_charge.csv")
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
    controls = csv_rows(zf, "controles/GEM.csv")
    a_rows = [r for r in controls if r["N° dossier"] == A]
    assert {r["Phase"] for r in a_rows} == {"Contrôles à l'entrée", "Contrôles à la sortie"}
    assert all(r["État"] == "répondu" for r in a_rows if r["Obligatoire"] == "oui")
    measure = next(r for r in a_rows if r["Point de contrôle"] == "Continuité du conducteur de protection")
    assert (measure["Valeur mesurée"], measure["Unité"], measure["Non conforme"], measure["Limites"]) == ("0,15", "Ω", "non", "… – 0,3")
    assert measure["Réponse"] == "" and measure["Répondu par"] and measure["Répondu le"] == "15/01/2025 10:00"
    b_missing = [r for r in controls if r["N° dossier"] == B and r["État"] == "manquant"]
    assert len(b_missing) == 3 and {r["Phase"] for r in b_missing} == {"Contrôles à l'entrée"}
    assert {r["État"] for r in controls if r["N° dossier"] == R and r["Obligatoire"] == "oui"} == {"pas encore exigé"}
    synthesis = {(r["Fiche métier"], r["Phase"]): r for r in csv_rows(zf, "controles/synthese.csv")}
    checkin, checkout = synthesis[("GEM", "Contrôles à l'entrée")], synthesis[("GEM", "Contrôles à la sortie")]
    assert (checkin["Dossiers"], checkin["Dossiers où la phase est exigée"], checkin["Dossiers complets"],
            checkin["Points obligatoires manquants"]) == ("4", "2", "1", "3")
    assert (checkout["Dossiers où la phase est exigée"], checkout["Points obligatoires manquants"]) == ("1", "0")

    # returns within 3 months: A -> R only (C came back after more than 3 months)
    returns = csv_rows(zf, "retours_3_mois.csv")
    assert [(r["Dossier d'origine"], r["Dossier du retour"]) for r in returns] == [(A, R)]
    assert (returns[0]["Restitué le"], returns[0]["Retour pris en charge le"], returns[0]["Jours écoulés"],
            returns[0]["Fin de la garantie de 3 mois"]) == ("20/01/2025", "20/03/2025", "59", "20/04/2025")
    assert returns[0]["Même panne"] == "oui" and returns[0]["Bonus demandé sur le retour"] == "non"
    assert csv_rows(zf, "retours_ecartes.csv") == []  # nobody set a return aside

    # complaints of the period, the late answer marked
    complaints = csv_rows(zf, "reclamations.csv")
    assert [(r["Client"], r["En retard"], r["État"]) for r in complaints] == [
        ("Léa Martin", "oui", "répondu hors délai"), ("Paul Durand", "non", "répondu dans le délai")]
    assert complaints[0]["Réponse attendue le"] == "13/02/2025" and complaints[0]["Répondu le"] == "20/02/2025"
    assert complaints[0]["Dossier concerné"] == A

    # claims, payments, totals
    claims = {r["N° dossier"]: r for r in csv_rows(zf, "demandes_bonus.csv")}
    assert set(claims) == {A, B}
    paid = f"{history['paid']:.2f}".replace(".", ",")
    assert (claims[A]["Contrôle"], claims[A]["Montant payé"], claims[A]["Payé le"], claims[A]["Bonus demandé"]) == ("payée", paid, "05/03/2025", paid)
    assert claims[A]["N° facture"] == history["invoice_a"] and claims[A]["Date de la facture"] == "15/01/2025"
    assert claims[B]["Contrôle"] == "refusée" and claims[B]["Motif / message de l'organisme"] == "Photo de la plaque illisible"
    with app.app_context(), as_shop(shop.id):  # the same verdict as the reimbursement control page
        control = {r.invoice_number: str(payments.CATEGORY_LABELS[r.category]) for r in payments.control()}
    assert {r["N° facture"]: r["Contrôle"] for r in claims.values()} == control
    paid_rows = csv_rows(zf, "paiements.csv")
    assert [(r["Référence du paiement"], r["Montant"], r["Demande rapprochée : dossier"]) for r in paid_rows] == [("VIR-2025-03", paid, A)]
    totals = csv_rows(zf, "synthese_financiere.csv")
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


def test_a_leap_year_is_one_period(app, shop, as_role):
    resp = as_role("owner").post("/audit/telecharger", data={"date_from": "2024-01-01", "date_to": "2024-12-31"})
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(resp.data))
    assert csv_rows(zf, "prises_en_charge.csv") == [] and csv_rows(zf, "controles/synthese.csv") == []
