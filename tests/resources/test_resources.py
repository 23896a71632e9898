"""The shop's documents library: files checked by content, expiry followed, the label date kept in step."""
from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from qualirepar.audit import AuditEntry
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.resources import services
from qualirepar.resources.models import ShopDocument, ShopDocumentVersion
from qualirepar.shops.models import Shop
from qualirepar.tenancy import as_shop

from .. import factories

TODAY = dt.date(2026, 6, 15)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(out, "PNG")
    return out.getvalue()


def office_zip(*names: str, content_types: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if content_types:
            archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(services, "paris_today", lambda: TODAY)


def post_new(client, data: bytes | None = PDF, filename: str = "attestation.pdf", **fields):
    form = {"title": "Attestation d'assurance 2026", "category": "insurance", "valid_from": "", "expires_on": "", "note": ""}
    form.update(fields)
    if data is not None:
        form["upload"] = (io.BytesIO(data), filename)
    return client.post("/documents/nouveau", data=form, content_type="multipart/form-data")


def text(resp) -> str:
    """The page as the user reads it (entities decoded)."""
    return html_lib.unescape(resp.get_data(as_text=True))


def make_document(app, shop_id: int, title: str = "Grille tarifaire", category: str = "price_list",
                  expires_on: dt.date | None = None, data: bytes = PDF) -> int:
    with app.app_context(), as_shop(shop_id):
        doc, _ = services.create(title=title, category=category, upload=FileStorage(io.BytesIO(data), "grille.pdf"),
                                 expires_on=expires_on)
        return doc.id


def documents(app, shop_id: int) -> list[ShopDocument]:
    with app.app_context(), as_shop(shop_id):
        rows = db.session.execute(db.select(ShopDocument).order_by(ShopDocument.id)).scalars().all()
        db.session.expunge_all()
        return rows


def stored_files(app, shop_id: int) -> int:
    with app.app_context(), as_shop(shop_id):
        return db.session.execute(db.select(db.func.count(StoredFile.id))).scalar_one()


def files_on_disk(app) -> int:
    return sum(1 for p in Path(app.config["STORAGE_DIR"]).rglob("*") if p.is_file())


# --- upload and download ------------------------------------------------------------------------

def test_an_uploaded_document_downloads_with_the_same_bytes_and_its_name(app, shop, as_role):
    client = as_role("owner")
    resp = post_new(client, filename="Attestation assurance été.pdf", expires_on="31/12/2026")
    assert resp.status_code == 303
    (doc,) = documents(app, shop.id)
    assert resp.headers["Location"].endswith(f"/documents/{doc.id}")
    assert doc.expires_on == dt.date(2026, 12, 31)  # typed the French way

    download = client.get(f"/documents/{doc.id}/fichier")
    assert download.status_code == 200
    assert download.data == PDF and int(download.headers["Content-Length"]) == len(PDF)
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''Attestation%20assurance%20%C3%A9t%C3%A9.pdf" in disposition


@pytest.mark.parametrize("data,name,content_type", [
    (png(), "logo.png", "image/png"),
    (office_zip("word/document.xml"), "tarifs.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (office_zip("xl/workbook.xml"), "tarifs.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_images_and_office_files_are_accepted_by_their_content(app, shop, as_role, data, name, content_type):
    client = as_role("support")
    assert post_new(client, data=data, filename=name).status_code == 303
    (doc,) = documents(app, shop.id)
    download = client.get(f"/documents/{doc.id}/fichier")
    assert download.data == data and download.mimetype == content_type


@pytest.mark.parametrize("data,name,message", [
    (b"MZ\x90\x00 un programme", "attestation.pdf", "Type de fichier refusé : formats acceptés PDF, JPEG, PNG"),
    (b"Nom;Prix\nDiagnostic;39\n", "tarifs.csv", "Type de fichier refusé"),
    (office_zip("word/document.xml", "word/vbaProject.bin"), "tarifs.docm", "Les documents contenant des macros sont refusés"),
    (office_zip("notes.txt", content_types=False), "archive.zip", "Type de fichier refusé"),
    (b"", "vide.pdf", "Le fichier est vide."),
])
def test_a_wrong_file_is_refused_in_french_and_nothing_is_saved(app, shop, as_role, data, name, message):
    resp = post_new(as_role("owner"), data=data, filename=name)
    assert resp.status_code == 422
    assert message in text(resp)
    assert documents(app, shop.id) == [] and stored_files(app, shop.id) == 0


def test_a_file_over_the_limit_is_refused(app, shop, as_role, monkeypatch):
    monkeypatch.setattr(services, "MAX_BYTES", len(PDF) - 1)
    resp = post_new(as_role("owner"))
    assert resp.status_code == 422
    assert "Fichier trop lourd : 20 Mo au plus." in text(resp)
    assert documents(app, shop.id) == []


@pytest.mark.parametrize("fields,with_file,message", [
    ({"title": "  "}, True, "Indiquez le titre du document."),
    ({"valid_from": "2026-07-01", "expires_on": "2026-06-30"}, True,
     "La date d'expiration ne peut pas précéder la date de début de validité."),
    ({"expires_on": "31/02/2026"}, True, "Date invalide : choisissez-la dans le calendrier ou écrivez-la JJ/MM/AAAA."),
    ({"valid_from": "demain"}, True, "Date invalide"),
    ({"category": "secret"}, True, "Choisissez une catégorie de la liste."),
    ({}, False, "Choisissez le fichier à enregistrer."),
])
def test_every_bad_input_gets_a_french_message_and_keeps_the_rest(app, shop, as_role, fields, with_file, message):
    resp = post_new(as_role("owner"), data=PDF if with_file else None, note="à garder", **fields)
    html = text(resp)
    assert resp.status_code == 422
    assert message in html
    assert "à garder" in html  # the other input is kept
    assert documents(app, shop.id) == []


def test_a_file_that_cannot_be_stored_leaves_no_row(app, shop, as_role, monkeypatch):
    from qualirepar.files import storage

    def broken_disk(self, data, suffix=""):
        raise OSError("disque plein")

    monkeypatch.setattr(storage.LocalStorage, "save", broken_disk)
    resp = post_new(as_role("owner"))
    assert resp.status_code == 422
    assert "Le fichier n'a pas pu être enregistré" in text(resp)
    assert documents(app, shop.id) == [] and stored_files(app, shop.id) == 0


def test_a_row_that_cannot_be_saved_leaves_no_file_on_disk(app, shop, as_role, monkeypatch):
    client = as_role("owner")
    before = files_on_disk(app)

    def failing(*args):
        raise RuntimeError("panne de la base")

    monkeypatch.setattr(services, "_follow_label", failing)
    assert post_new(client).status_code == 500
    assert documents(app, shop.id) == [] and stored_files(app, shop.id) == 0
    assert files_on_disk(app) == before


# --- expiry -------------------------------------------------------------------------------------

@pytest.mark.parametrize("offset,expected", [
    (-1, "expired"), (0, "expiring"), (30, "expiring"), (31, "valid"), (None, "no_expiry"),
])
def test_the_status_around_the_30_day_boundary(offset, expected):
    expires_on = None if offset is None else TODAY + dt.timedelta(days=offset)
    assert services.status(ShopDocument(expires_on=expires_on), TODAY) == expected


def test_expiring_lists_expired_and_soon_expiring_documents_of_the_shop_only(app, shop):
    for title, offset in [("hier", -1), ("dans 31 jours", 31), ("aujourd'hui", 0), ("sans date", None), ("dans 30 jours", 30)]:
        make_document(app, shop.id, title=title, expires_on=None if offset is None else TODAY + dt.timedelta(days=offset))
    other = factories.make_shop(app)
    make_document(app, other, title="autre boutique", expires_on=TODAY)
    with app.app_context(), as_shop(shop.id):
        assert [d.title for d in services.expiring(TODAY)] == ["hier", "aujourd'hui", "dans 30 jours"]
        assert [d.title for d in services.expiring(TODAY, within_days=0)] == ["hier", "aujourd'hui"]


def test_the_list_shows_each_documents_expiry_by_category(app, shop, as_role):
    make_document(app, shop.id, title="Assurance RC Pro", category="insurance", expires_on=TODAY - dt.timedelta(days=1))
    make_document(app, shop.id, title="Kit ecosystem", category="kit", expires_on=TODAY + dt.timedelta(days=30))
    make_document(app, shop.id, title="Kit Ecologic", category="kit", expires_on=TODAY)
    make_document(app, shop.id, title="Certificat", category="label", expires_on=dt.date(2027, 3, 31))
    make_document(app, shop.id, title="Tarifs", category="price_list")
    html = text(as_role("technician").get("/documents/"))
    assert 'data-testid="category-insurance"' in html and 'data-testid="category-fiche"' not in html
    assert ">expiré<" in html
    assert "expire dans 30 jours" in html and "expire aujourd'hui" in html
    assert "valide jusqu'au 31 mars 2027" in html
    assert "sans date d'expiration" in html
    assert 'data-testid="to-renew"' in html and "3 documents expirés ou à renouveler" in html

    only_kits = text(as_role("technician").get("/documents/?categorie=kit"))
    assert 'data-testid="category-kit"' in only_kits and 'data-testid="category-insurance"' not in only_kits


# --- roles and tenancy --------------------------------------------------------------------------

def test_a_technician_cannot_upload_but_can_read_and_download(app, shop, as_role):
    doc_id = make_document(app, shop.id)
    client = as_role("technician")
    assert post_new(client).status_code == 403
    assert client.get(f"/documents/{doc_id}").status_code == 200
    assert 'data-testid="replace-form"' not in text(client.get(f"/documents/{doc_id}"))
    assert client.get(f"/documents/{doc_id}/fichier").data == PDF
    assert client.post(f"/documents/{doc_id}/remplacer", data={"upload": (io.BytesIO(PDF), "v2.pdf")},
                       content_type="multipart/form-data").status_code == 403
    assert client.post(f"/documents/{doc_id}/supprimer").status_code == 403
    assert len(documents(app, shop.id)) == 1


def test_another_shops_document_is_not_found(app, shop, as_role):
    other = factories.make_shop(app)
    doc_id = make_document(app, other)
    client = as_role("owner")
    assert client.get(f"/documents/{doc_id}").status_code == 404
    assert client.get(f"/documents/{doc_id}/fichier").status_code == 404
    assert client.post(f"/documents/{doc_id}/remplacer", data={"upload": (io.BytesIO(PDF), "v2.pdf")},
                       content_type="multipart/form-data").status_code == 404
    assert client.post(f"/documents/{doc_id}/supprimer").status_code == 404
    assert len(documents(app, other)) == 1


# --- the label certificate ----------------------------------------------------------------------

def label_valid_until(app, shop_id: int):
    with app.app_context():
        return db.session.get(Shop, shop_id).label_valid_until


def test_a_label_certificate_sets_the_shops_label_date(app, shop, as_role):
    client = as_role("owner")
    resp = post_new(client, title="Certificat QualiRépar", category="label", valid_from="2024-04-01", expires_on="2027-03-31",
                    update_label="y")
    assert resp.status_code == 303
    assert label_valid_until(app, shop.id) == dt.date(2027, 3, 31)
    assert "Le label de la boutique est désormais valable jusqu'au 31 mars 2027." in text(client.get(resp.headers["Location"]))


@pytest.mark.parametrize("fields", [
    {"category": "label", "expires_on": "2027-03-31"},  # box unticked
    {"category": "insurance", "expires_on": "2027-03-31", "update_label": "y"},  # not the label certificate
    {"category": "label", "expires_on": "", "update_label": "y"},  # no date to carry over
])
def test_the_label_date_is_left_alone_otherwise(app, shop, as_role, fields):
    assert post_new(as_role("owner"), **fields).status_code == 303
    assert label_valid_until(app, shop.id) is None


# --- new version, removal -----------------------------------------------------------------------

def test_replacing_keeps_one_document_with_the_new_file_and_dates(app, shop, as_role):
    doc_id = make_document(app, shop.id, title="Certificat", category="label", expires_on=dt.date(2026, 3, 31))
    (old,) = documents(app, shop.id)
    client = as_role("support")
    new_pdf = PDF.replace(b"Catalog", b"Catalog /Version2")
    resp = client.post(f"/documents/{doc_id}/remplacer", data={"upload": (io.BytesIO(new_pdf), "certificat-2027.pdf"),
                                                              "valid_from": "2026-04-01", "expires_on": "2027-03-31", "update_label": "y"},
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    (doc,) = documents(app, shop.id)
    assert doc.id == doc_id and doc.file_id != old.file_id and doc.expires_on == dt.date(2027, 3, 31)
    assert client.get(f"/documents/{doc_id}/fichier").data == new_pdf
    assert label_valid_until(app, shop.id) == dt.date(2027, 3, 31)
    page = text(client.get(f"/documents/{doc_id}"))
    assert 'data-testid="versions"' in page and "grille.pdf" in page and "jusqu'au 31 mars 2026" in page
    with app.app_context(), as_shop(shop.id):
        (version,) = db.session.execute(db.select(ShopDocumentVersion)).scalars().all()
        assert (version.document_id, version.file_id, version.expires_on) == (doc_id, old.file_id, dt.date(2026, 3, 31))
        assert version.replaced_by_id == shop.users["support"].id
        entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "shop_document",
                                                               AuditEntry.action == "file_replaced")).scalar_one()
    assert entry.changes["file"] == ["grille.pdf", "certificat-2027.pdf"]
    # the earlier file still downloads, as it was
    assert client.get(f"/documents/{doc_id}/versions/{version.id}/fichier").data == PDF
    assert client.get(f"/documents/{doc_id + 1}/versions/{version.id}/fichier").status_code == 404


def test_removing_a_document_removes_its_earlier_versions_and_their_files(app, shop, as_role):
    doc_id = make_document(app, shop.id)
    owner = as_role("owner")
    for n in (2, 3):
        assert owner.post(f"/documents/{doc_id}/remplacer", data={"upload": (io.BytesIO(PDF.replace(b"Catalog", b"Catalog /V%d" % n)), f"v{n}.pdf")},
                          content_type="multipart/form-data").status_code == 303
    page = text(owner.get(f"/documents/{doc_id}"))
    assert page.index("v2.pdf") < page.index("grille.pdf")  # the latest earlier version first
    assert stored_files(app, shop.id) == 3
    before = files_on_disk(app)
    assert owner.post(f"/documents/{doc_id}/supprimer").status_code == 303
    assert documents(app, shop.id) == [] and stored_files(app, shop.id) == 0
    assert files_on_disk(app) == before - 3
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(ShopDocumentVersion.id))).scalar_one() == 0


def replaced_document(app, shop, as_role) -> tuple[int, int]:
    """A document (grille.pdf) replaced by the owner with v2.pdf: its id and its earlier version's."""
    doc_id = make_document(app, shop.id)
    assert as_role("owner").post(f"/documents/{doc_id}/remplacer", data={"upload": (io.BytesIO(PDF), "v2.pdf")},
                                 content_type="multipart/form-data").status_code == 303
    with app.app_context(), as_shop(shop.id):
        return doc_id, db.session.execute(db.select(ShopDocumentVersion.id)).scalar_one()


def test_another_shop_cannot_read_an_earlier_version(app, shop, as_role):
    doc_id, version_id = replaced_document(app, shop, as_role)
    url = f"/documents/{doc_id}/versions/{version_id}/fichier"
    assert as_role("owner").get(url).status_code == 200
    other = factories.shop_with_team(app)
    client = factories.login_client(app, other.emails["owner"])
    assert client.get(url).status_code == 404


def test_a_refused_new_version_changes_nothing(app, shop, as_role):
    doc_id = make_document(app, shop.id, expires_on=dt.date(2026, 12, 31))
    resp = as_role("owner").post(f"/documents/{doc_id}/remplacer", data={"upload": (io.BytesIO(b"GIF89a"), "v2.gif"),
                                                                        "expires_on": "2027-12-31"}, content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "Type de fichier refusé" in text(resp)
    (doc,) = documents(app, shop.id)
    assert doc.expires_on == dt.date(2026, 12, 31) and stored_files(app, shop.id) == 1


def test_only_the_owner_removes_a_document_and_its_file(app, shop, as_role):
    doc_id = make_document(app, shop.id)
    support = as_role("support")
    assert "Supprimer le document" not in text(support.get(f"/documents/{doc_id}"))
    assert support.post(f"/documents/{doc_id}/supprimer").status_code == 403
    owner = factories.login_client(app, shop.emails["owner"])
    assert "Supprimer le document" in text(owner.get(f"/documents/{doc_id}"))
    before = files_on_disk(app)
    resp = owner.post(f"/documents/{doc_id}/supprimer")
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/documents/")
    assert documents(app, shop.id) == [] and stored_files(app, shop.id) == 0
    assert files_on_disk(app) == before - 1


def test_a_file_missing_from_the_store_is_explained_not_a_server_error(app, shop, as_role):
    doc_id, version_id = replaced_document(app, shop, as_role)
    for path in Path(app.config["STORAGE_DIR"]).rglob("*.pdf"):
        path.unlink()
    client = factories.login_client(app, shop.emails["technician"])
    resp = client.get(f"/documents/{doc_id}/fichier", follow_redirects=True)
    assert resp.status_code == 200 and "Le fichier « v2.pdf » est introuvable dans le stockage" in text(resp)
    resp = client.get(f"/documents/{doc_id}/versions/{version_id}/fichier", follow_redirects=True)
    assert resp.status_code == 200 and "L'ancienne version « grille.pdf » est introuvable dans le stockage" in text(resp)
