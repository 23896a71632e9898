"""No user ever sees another shop's data: foreign ids are simply not found."""
import io

import pytest
from PIL import Image

from qualirepar.extensions import db
from qualirepar.shops.models import RepairSite
from qualirepar.tenancy import CrossTenantWrite, as_shop

from . import factories


@pytest.fixture
def other_shop(app):
    shop_id = factories.make_shop(app, name="Concurrent")
    site_id = factories.make_site(app, shop_id, name="Atelier du concurrent")
    return shop_id, site_id


def test_foreign_site_gives_404(as_role, other_shop):
    client = as_role("owner")
    _, site_id = other_shop
    assert client.get(f"/parametres/lieux/{site_id}").status_code == 404
    assert client.post(f"/parametres/lieux/{site_id}", data={"name": "Volé"}).status_code == 404


def test_list_shows_only_own_rows(app, as_role, shop, other_shop):
    factories.make_site(app, shop.id, name="Mon atelier")
    html = as_role("technician").get("/parametres/lieux").get_data(as_text=True)
    assert "Mon atelier" in html
    assert "Atelier du concurrent" not in html


def test_foreign_fiche_cannot_be_deleted(app, as_role, other_shop):
    fiche_id = factories.make_fiche(app, other_shop[0])
    assert as_role("owner").post(f"/parametres/fiches-metier/{fiche_id}/supprimer").status_code == 404


def test_foreign_file_gives_404(app, as_role, shop, other_shop):
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(buf, "PNG")
    from qualirepar.files.services import store_bytes

    with app.app_context(), as_shop(other_shop[0]):
        row = store_bytes(buf.getvalue(), "logo.png", "logo", {"image/png"}, 10_000)
        db.session.commit()
        file_id = row.id
    assert as_role("owner").get(f"/fichiers/{file_id}").status_code == 404


def test_queries_in_a_shop_scope_see_only_that_shop(app, shop, other_shop):
    factories.make_site(app, shop.id, name="A")
    with app.app_context(), as_shop(shop.id):
        names = db.session.execute(db.select(RepairSite.name)).scalars().all()
        assert names == ["A"]
        assert db.session.get(RepairSite, other_shop[1]) is None


def test_writing_another_shops_row_is_refused(app, shop, other_shop):
    with app.app_context():
        site = db.session.get(RepairSite, other_shop[1])  # no shop current: unscoped read
        with as_shop(shop.id):
            site.name = "Renommé"
            with pytest.raises(CrossTenantWrite):
                db.session.flush()
        db.session.rollback()


def test_new_rows_get_the_current_shop(app, shop):
    with app.app_context(), as_shop(shop.id):
        site = RepairSite(name="Nouveau")
        db.session.add(site)
        db.session.commit()
        assert site.shop_id == shop.id
