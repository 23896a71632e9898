"""Signatures: a drawn PNG is kept with time, user and IP; an empty frame or garbage is refused."""
import base64

import pytest

from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.repairs import signatures
from qualirepar.repairs.models import RepairOrder, Signature
from qualirepar.tenancy import as_shop

from .. import factories
from ..factories import data_url


@pytest.fixture
def order(app, shop):
    return factories.make_order(app, shop.id)


@pytest.mark.parametrize("value,message", [
    ("", "Signez dans le cadre"),
    (data_url(drawn=False), "Le cadre est vide"),
    ("data:image/png;base64,pas-du-base64!!", "n'a pas pu être lue"),
    ("data:image/png;base64," + base64.b64encode(b"not a png at all").decode(), "n'a pas pu être lue"),
    (data_url(fmt="JPEG"), "n'a pas pu être lue"),
])
def test_bad_signatures_are_refused_in_french(app, shop, order, value, message):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.7"}), as_shop(shop.id):
        with pytest.raises(signatures.SignatureRefused, match=message):
            signatures.sign(db.session.get(RepairOrder, order), "customer", value, "Léa Martin")


def test_a_signature_is_kept_with_time_and_ip_and_replaced_when_signed_again(app, shop, order):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.0.0.7"}), as_shop(shop.id):
        o = db.session.get(RepairOrder, order)
        first = signatures.sign(o, "customer", data_url(), "Léa Martin")
        assert first.ip == "10.0.0.7" and first.signed_at is not None
        signatures.sign(o, "customer", data_url(), "Léa Martin")
        rows = db.session.execute(db.select(Signature)).scalars().all()
        assert len(rows) == 1
        files = db.session.execute(db.select(StoredFile).where(StoredFile.purpose == "signature")).scalars().all()
        assert [f.id for f in files] == [rows[0].file_id]  # the replaced image is gone


def test_signing_over_http(app, as_role, shop, order):
    client = as_role("technician")
    resp = client.post(f"/dossiers/{order}/signatures/customer", data={"signature": data_url(), "signer_name": "Léa Martin"},
                       follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "Signature enregistrée." in page and 'data-testid="signed-customer"' in page
    refused = client.post(f"/dossiers/{order}/signatures/customer", data={"signature": "", "signer_name": "Léa"}, follow_redirects=True)
    assert "Signez dans le cadre avant de valider." in refused.get_data(as_text=True)
    other = client.post(f"/dossiers/{order}/signatures/voisin", data={"signature": data_url(), "signer_name": "X"},
                        follow_redirects=True)
    assert "Signataire inconnu." in other.get_data(as_text=True)
