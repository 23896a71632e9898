"""Photos of the appliance per order: several at once from the tablet camera, each checked by its
content, turned upright and resized; a refused file and nothing is kept; deleted with its file;
another shop's order or photo is not found; every change audited."""
import html
import io
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from qualirepar.audit import AuditEntry
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.files.storage import get_storage
from qualirepar.repairs import photos
from qualirepar.repairs.models import OrderPhoto, RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories
from ..checklists.helpers import jpeg


@pytest.fixture
def order(app, shop):
    return factories.make_order(app, shop.id)


def _files(*items):
    """Multipart parts named `photos`, as the camera input sends them."""
    return [(io.BytesIO(data), name) for name, data in items]


def _post(client, order_id, *items, caption="", htmx=False):
    return client.post(f"/dossiers/{order_id}/photos", data={"caption": caption, "photos": _files(*items)},
                       content_type="multipart/form-data", headers={"HX-Request": "true"} if htmx else {})


def _stored(app, shop_id):
    """(photos, file rows, images as PIL sizes) of the shop."""
    with app.app_context(), as_shop(shop_id):
        rows = db.session.execute(db.select(OrderPhoto).order_by(OrderPhoto.id)).scalars().all()
        files = db.session.execute(db.select(StoredFile).order_by(StoredFile.id)).scalars().all()
        sizes = []
        for f in files:
            with Image.open(io.BytesIO(get_storage().read(f.storage_key))) as img:
                sizes.append((img.size, img.format, dict(img.getexif())))
        return rows, files, sizes


def _bytes_on_disk(app) -> int:
    return sum(1 for p in Path(app.config["STORAGE_DIR"]).rglob("*") if p.is_file())


def test_two_photos_sent_at_once_are_kept_with_caption_and_author(app, as_role, shop, order):
    client = as_role("technician")
    resp = _post(client, order, ("plaque.jpg", jpeg()), ("face-avant.jpg", jpeg((80, 60))), caption="  Plaque   et face ")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/dossiers/{order}/photos")
    page = html.unescape(client.get(resp.headers["Location"]).get_data(as_text=True))
    assert "2 photo(s) enregistrée(s)." in page
    assert page.count('data-testid="photo"') == 2 and "Plaque et face" in page
    rows, files, sizes = _stored(app, shop.id)
    assert len(rows) == 2 and {r.caption for r in rows} == {"Plaque et face"}
    assert {r.taken_by_id for r in rows} == {shop.users["technician"].id} and {r.order_id for r in rows} == {order}
    assert [f.original_name for f in files] == ["plaque.jpg", "face-avant.jpg"]
    assert {f.purpose for f in files} == {"order_photo"} and {f.content_type for f in files} == {"image/jpeg"}
    assert [s[0] for s in sizes] == [(64, 48), (80, 60)]
    assert f"/fichiers/{rows[0].file_id}" in page  # the thumbnail is served by the files route
    assert client.get(f"/fichiers/{rows[0].file_id}").status_code == 200
    show = html.unescape(client.get(f"/dossiers/{order}").get_data(as_text=True))
    assert "Photos (2)" in show


def test_htmx_gets_the_gallery_fragment(app, as_role, shop, order):
    client = as_role("support")
    resp = _post(client, order, ("a.jpg", jpeg()), htmx=True)
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200 and "<html" not in body
    assert "1 photo(s) enregistrée(s)." in body and body.count('data-testid="photo"') == 1
    page = client.get(f"/dossiers/{order}/photos", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in page and 'name="photos"' in page
    full = client.get(f"/dossiers/{order}/photos").get_data(as_text=True)
    assert "<html" in full and 'capture="environment"' in full and "multiple" in full and "Prendre une photo" in full


def test_a_photo_taken_sideways_is_stored_upright_without_exif(app, as_role, shop, order):
    _post(as_role("technician"), order, ("tourne.jpg", jpeg((400, 300), orientation=6)))
    _, _, sizes = _stored(app, shop.id)
    assert sizes == [((300, 400), "JPEG", {})]  # width and height swapped, orientation (and location) gone


def test_a_large_photo_is_resized(app, as_role, shop, order):
    _post(as_role("technician"), order, ("grande.jpg", jpeg((4000, 3000))))
    _, files, sizes = _stored(app, shop.id)
    assert sizes[0][0] == (2000, 1500)


def test_a_png_is_kept_as_a_jpeg(app, as_role, shop, order):
    buf = io.BytesIO()
    Image.new("RGBA", (50, 40), (10, 200, 10, 255)).save(buf, "PNG")
    _post(as_role("technician"), order, ("capture.png", buf.getvalue()))
    _, files, sizes = _stored(app, shop.id)
    assert files[0].original_name == "capture.jpg" and sizes[0][:2] == ((50, 40), "JPEG")


@pytest.mark.parametrize("name,data,message", [
    ("facture.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "« facture.pdf » refusé : Ce fichier n'est pas une photo"),
    ("notes.jpg", b"ceci est du texte, pas une photo", "« notes.jpg » refusé : Ce fichier n'est pas une photo"),
    ("abimee.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 200, "« abimee.jpg » refusé : Cette image est illisible ou endommagée."),
    ("vide.jpg", b"", "« vide.jpg » refusé : Le fichier est vide."),
])
def test_a_file_that_is_not_a_photo_is_refused_in_french_and_nothing_is_saved(app, as_role, shop, order, name, data, message):
    before = _bytes_on_disk(app)
    resp = _post(as_role("technician"), order, (name, data), caption="Essai")
    page = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422 and message in page and "Aucune photo n'a été enregistrée." in page
    assert 'value="Essai"' in page  # the caption is kept for the next try
    rows, files, _ = _stored(app, shop.id)
    assert rows == [] and files == [] and _bytes_on_disk(app) == before


@pytest.mark.parametrize("htmx", [False, True])
def test_one_bad_file_among_good_ones_and_none_is_saved(app, as_role, shop, order, htmx):
    before = _bytes_on_disk(app)
    resp = _post(as_role("technician"), order, ("bonne.jpg", jpeg()), ("mode-emploi.pdf", b"%PDF-1.7\n"), ("autre.jpg", jpeg()),
                 htmx=htmx)
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422 and "« mode-emploi.pdf » refusé" in body and "Aucune photo n'a été enregistrée." in body
    assert ("<html" in body) is not htmx
    rows, files, _ = _stored(app, shop.id)
    assert rows == [] and files == [] and _bytes_on_disk(app) == before


def test_a_too_heavy_photo_is_refused(app, as_role, shop, order, monkeypatch):
    monkeypatch.setattr(photos, "MAX_BYTES", 1024)
    resp = _post(as_role("technician"), order, ("lourde.jpg", jpeg((800, 600))))
    assert resp.status_code == 422 and "« lourde.jpg » refusé : Photo trop lourde" in html.unescape(resp.get_data(as_text=True))
    assert _stored(app, shop.id)[0] == []


def test_sending_without_a_photo_is_explained(app, as_role, order):
    resp = as_role("technician").post(f"/dossiers/{order}/photos", data={"caption": "x"}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Prenez ou choisissez au moins une photo." in html.unescape(resp.get_data(as_text=True))


def test_the_service_keeps_a_batch_whole(app, shop, order):
    with app.test_request_context(), as_shop(shop.id):
        o = db.session.get(RepairOrder, order)
        uploads = [FileStorage(io.BytesIO(jpeg()), "a.jpg"), FileStorage(io.BytesIO(b"GIF89a..."), "b.gif")]
        with pytest.raises(photos.PhotoRefused, match="« b.gif » refusé"):
            photos.add(o, uploads, "")
        assert photos.of(o) == [] and photos.count(o) == 0
        added = photos.add(o, [FileStorage(io.BytesIO(jpeg()), "c.jpg"), FileStorage(io.BytesIO(jpeg()), "d.jpg")], "")
        assert [s.photo.id for s in photos.of(o)] == [p.id for p in added] and photos.count(o) == 2
        assert added[0].caption is None and added[0].taken_by_id is None


def test_a_photo_is_deleted_with_its_file(app, as_role, shop, order):
    client = as_role("technician")
    _post(client, order, ("a.jpg", jpeg()), ("b.jpg", jpeg()))
    rows, files, _ = _stored(app, shop.id)
    key = files[0].storage_key
    resp = client.post(f"/dossiers/{order}/photos/{rows[0].id}/supprimer")
    assert resp.status_code == 303
    assert "Photo supprimée." in html.unescape(client.get(resp.headers["Location"]).get_data(as_text=True))
    left, left_files, _ = _stored(app, shop.id)
    assert [r.id for r in left] == [rows[1].id] and [f.id for f in left_files] == [files[1].id]
    with app.app_context(), pytest.raises(FileNotFoundError):
        get_storage().read(key)
    assert client.get(f"/fichiers/{files[0].id}").status_code == 404
    htmx = client.post(f"/dossiers/{order}/photos/{rows[1].id}/supprimer", headers={"HX-Request": "true"})
    body = html.unescape(htmx.get_data(as_text=True))
    assert htmx.status_code == 200 and "<html" not in body and "Photo supprimée." in body and 'data-testid="no-photo"' in body
    assert client.post(f"/dossiers/{order}/photos/{rows[1].id}/supprimer").status_code == 404  # already gone


def test_another_shops_order_and_photo_are_not_found(app, as_role, shop, order):
    other_shop = factories.make_shop(app, name="Concurrent")
    other_order = factories.make_order(app, other_shop)
    with app.test_request_context(), as_shop(other_shop):
        theirs = photos.add(db.session.get(RepairOrder, other_order), [FileStorage(io.BytesIO(jpeg()), "x.jpg")])[0]
        their_id, their_file = theirs.id, theirs.file_id
    second = factories.make_order(app, shop.id, serial_number="WM-000111")
    client = as_role("technician")
    _post(client, order, ("mine.jpg", jpeg()))
    mine = _stored(app, shop.id)[0][0]
    assert client.get(f"/dossiers/{other_order}/photos").status_code == 404
    assert _post(client, other_order, ("a.jpg", jpeg())).status_code == 404
    assert client.post(f"/dossiers/{other_order}/photos/{their_id}/supprimer").status_code == 404
    assert client.post(f"/dossiers/{order}/photos/{their_id}/supprimer").status_code == 404
    assert client.post(f"/dossiers/{second}/photos/{mine.id}/supprimer").status_code == 404  # not this order's photo
    assert client.get(f"/fichiers/{their_file}").status_code == 404
    with app.app_context(), as_shop(other_shop):
        assert db.session.execute(db.select(db.func.count(OrderPhoto.id))).scalar_one() == 1
    assert len(_stored(app, shop.id)[0]) == 1


def test_adding_and_deleting_are_audited(app, as_role, shop, order):
    client = as_role("support")
    _post(client, order, ("a.jpg", jpeg()), caption="Choc")
    photo = _stored(app, shop.id)[0][0]
    client.post(f"/dossiers/{order}/photos/{photo.id}/supprimer")
    with app.app_context(), as_shop(shop.id):
        entries = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "order_photo", AuditEntry.entity_id == photo.id)
                                     .order_by(AuditEntry.id)).scalars().all()
        assert [e.action for e in entries] == ["created", "deleted"]
        assert {e.user_id for e in entries} == {shop.users["support"].id}
        assert entries[0].changes["caption"] == [None, "Choc"] and entries[0].changes["order_id"] == [None, order]
        file_actions = db.session.execute(db.select(AuditEntry.action).where(
            AuditEntry.entity == "stored_file", AuditEntry.entity_id == photo.file_id).order_by(AuditEntry.id)).scalars().all()
        assert file_actions == ["created", "deleted"]


@pytest.mark.parametrize("role", ["owner", "technician", "support"])
def test_every_role_may_take_photos(as_role, order, role):
    client = as_role(role)
    assert client.get(f"/dossiers/{order}/photos").status_code == 200
    assert _post(client, order, ("a.jpg", jpeg())).status_code == 303


def test_anonymous_is_sent_to_login(client, order):
    assert client.get(f"/dossiers/{order}/photos").status_code == 302
    assert _post(client, order, ("a.jpg", jpeg())).status_code == 302
