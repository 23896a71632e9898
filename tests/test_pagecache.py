"""The busy pages are served again from Redis only while nothing they show has changed: any commit
of the shop's rows, a catalog write, or an ORM UPDATE statement renders them afresh; another
user, another session, a pending flash message never get someone else's copy."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import update

from qualirepar import pagecache
from qualirepar.catalog.models import Brand
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

from . import factories
from .explorer.test_explorer import _claim, _intake
from qualirepar.core.clock import paris_today


def _one_claim(app, shop) -> int:
    with app.test_request_context(), as_shop(shop.id):
        return _claim(_intake(), paris_today(), status="submitted", bonus="25.00").id


def _hit(resp) -> bool:
    return resp.headers.get("X-Page-Cache") == "hit"


def test_a_page_is_served_again_until_the_shop_writes(app, shop):
    claim_id = _one_claim(app, shop)
    client = factories.login_client(app, shop.emails["support"])
    first = client.get("/demandes/")
    again = client.get("/demandes/")
    assert not _hit(first) and _hit(again) and again.data == first.data
    with app.test_request_context(), as_shop(shop.id):  # a worker changes the claim
        db.session.get(Claim, claim_id).status = "paid"
        db.session.commit()
    fresh = client.get("/demandes/")
    assert not _hit(fresh) and "payée" in fresh.get_data(as_text=True)
    assert _hit(client.get("/demandes/"))
    # An UPDATE statement through the session counts as a write too.
    with app.test_request_context(), as_shop(shop.id):
        db.session.execute(update(Claim).where(Claim.id == claim_id).values(bonus_amount=Decimal("31.00")))
        db.session.commit()
    assert "31,00" in client.get("/demandes/").get_data(as_text=True)


def test_other_users_sessions_and_shops(app, shop):
    _one_claim(app, shop)
    support = factories.login_client(app, shop.emails["support"])
    owner = factories.login_client(app, shop.emails["owner"])
    support.get("/")
    assert _hit(support.get("/"))
    assert not _hit(owner.get("/"))  # another user: another key
    other_session = factories.login_client(app, shop.emails["support"])  # the login itself writes: a new version
    other_session.get("/")
    assert _hit(other_session.get("/")) and not _hit(support.get("/"))
    # Another shop's writes leave this shop's pages alone; a catalog write renders every shop's again.
    support.get("/")
    other = factories.shop_with_team(app)
    _one_claim(app, other)
    assert _hit(support.get("/"))
    with app.app_context():
        db.session.add(Brand(name="Marque Nouvelle", norm="marque nouvelle", organism="ecosystem", valid_from=dt.date(2022, 12, 15)))
        db.session.commit()
    assert not _hit(support.get("/"))


def test_a_flash_message_is_never_cached_and_redis_down_is_no_cache(app, shop, monkeypatch):
    client = factories.login_client(app, shop.emails["owner"])
    client.post("/explorateur/vues", data={"name": "", "q_dataset": "claims"})  # flashes "Donnez un nom…"
    shown = client.get("/explorateur/?dataset=claims")
    assert "Donnez un nom" in shown.get_data(as_text=True) and not _hit(shown)
    after = client.get("/explorateur/?dataset=claims")
    assert "Donnez un nom" not in after.get_data(as_text=True) and not _hit(after)
    assert _hit(client.get("/explorateur/?dataset=claims"))

    def down():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(pagecache, "_redis", down)
    resp = client.get("/explorateur/?dataset=claims")
    assert resp.status_code == 200 and not _hit(resp)
