"""Reference data from the first minute (issue 16): the shop's first organism account brings the
shipped catalogue and a sync of that organism's lists at once; saving it again queues nothing new."""
import html

from qualirepar.catalog.models import CatalogSync, Code
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

FORM = {"organism": "ecosystem", "ecosystem-environment": "sandbox", "ecosystem-login": "atelier42",
        "ecosystem-secret": "s3cret-ecosystem", "ecosystem-repairer_id": "R-42"}


def _syncs(app, shop_id):
    with app.app_context(), as_shop(shop_id):
        return [(s.organism, s.status) for s in db.session.execute(db.select(CatalogSync)).scalars()]


def test_the_first_account_loads_the_catalogue_and_queues_its_sync(app, as_role, shop):
    client = as_role("owner")
    page = html.unescape(client.post("/parametres/eco-organismes", data=FORM, follow_redirects=True).get_data(as_text=True))
    assert "Synchronisation du référentiel lancée" in page
    syncs = _syncs(app, shop.id)
    assert [organism for organism, _status in syncs] == ["ecosystem"]
    with app.app_context():
        assert db.session.execute(db.select(Code.id).where(Code.code == "QR12")).first()  # the shipped codes are there already
    client.post("/parametres/eco-organismes", data={**FORM, "ecosystem-repairer_id": "R-43"})
    assert len(_syncs(app, shop.id)) == 1  # the sync under way is the one: nothing queued twice
