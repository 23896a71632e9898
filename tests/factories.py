"""Test data builders. Each one commits in its own app context and returns plain values, so that
tests never hold an app context across requests."""
from __future__ import annotations

import base64
import io
import itertools
from types import SimpleNamespace

from PIL import Image, ImageDraw
from stdnum import luhn

from qualirepar.extensions import db
from qualirepar.shops.models import FicheMetier, RepairSite, Shop, User
from qualirepar.tenancy import as_shop
from qualirepar.core.clock import paris_today

PASSWORD = "motdepasse-2026"
_seq = itertools.count(1)


def valid_siret(n: int) -> str:
    """A Luhn-valid SIRET (SIREN and NIC both valid) from a small number."""
    siren_base = f"{800000000 + n:09d}"[:8]
    siren = siren_base + luhn.calc_check_digit(siren_base)
    nic_base = f"{n % 10000:04d}"
    body = siren + nic_base
    return body + luhn.calc_check_digit(body)


def make_shop(app, **fields) -> int:
    n = next(_seq)
    with app.app_context():
        shop = Shop(name=fields.pop("name", f"Atelier {n}"), siret=fields.pop("siret", valid_siret(n)), **fields)
        db.session.add(shop)
        db.session.commit()
        return shop.id


def make_user(app, shop_id: int, role: str = "owner", email: str | None = None, password: str | None = PASSWORD,
              active: bool = True) -> SimpleNamespace:
    n = next(_seq)
    email = email or f"{role}{n}@exemple.fr"
    with app.app_context(), as_shop(shop_id):
        user = User(email=email, first_name="Prénom", last_name=f"Nom{n}", role=role, active=active)
        if password:
            user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return SimpleNamespace(id=user.id, email=email, shop_id=shop_id)


def make_site(app, shop_id: int, name: str | None = None, **fields) -> int:
    with app.app_context(), as_shop(shop_id):
        site = RepairSite(name=name or f"Atelier {next(_seq)}", **fields)
        db.session.add(site)
        db.session.commit()
        return site.id


def make_fiche(app, shop_id: int, code: str = "GEM", **fields) -> int:
    with app.app_context(), as_shop(shop_id):
        fiche = FicheMetier(code=code, **fields)
        db.session.add(fiche)
        db.session.commit()
        return fiche.id


def shop_with_team(app) -> SimpleNamespace:
    shop_id = make_shop(app)
    users = {role: make_user(app, shop_id, role) for role in ("owner", "technician", "support")}
    return SimpleNamespace(id=shop_id, users=users, emails={r: u.email for r, u in users.items()})


def make_order(app, shop_id: int, product_name: str | None = None, **fields) -> int:
    """A repair order at intake (the catalog is loaded when a product type is named)."""
    import datetime as dt

    from qualirepar.catalog.loader import load_csv
    from qualirepar.catalog.models import ProductType
    from qualirepar.repairs import services as repairs

    values = dict(last_name="Martin", first_name="Léa", street="1 rue X", postcode="69003", city="Lyon", phone="0612345678",
                  service_requested="Réparation", fault_description="Fuit", serial_number="WM-778899", brand_name="BOSCH",
                  intake_on=paris_today())
    values.update(fields)
    with app.test_request_context(), as_shop(shop_id):
        if product_name:
            load_csv()
            values["product_type_id"] = db.session.execute(
                db.select(ProductType.id).where(ProductType.name == product_name)).scalar_one()
        return repairs.create_intake(repairs.IntakeData(**values)).id


def intake_form(product_type_id: int, **overrides) -> dict:
    """A complete bon de prise en charge as posted by the intake page."""
    data = {"title": "Mme", "last_name": "Martin", "first_name": "Léa", "street": "1 rue de la Paix", "postcode": "69003",
            "city": "Lyon", "phone": "06 12 34 56 78", "email": "lea@exemple.fr", "product_type": product_type_id, "brand": "Apple",
            "serial_number": "SN-AB1234", "service_requested": "Diagnostic et réparation", "fault_description": "Ne chauffe plus",
            "kind": "workshop"}
    data.update(overrides)
    return data


def login_client(app, email: str):
    """A test client of its own, logged in as `email` (as_role shares one client: one user at a time)."""
    client = app.test_client()
    assert client.post("/connexion", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def data_url(drawn: bool = True, fmt: str = "PNG") -> str:
    """A signature as the pad posts it (a data: URL), drawn or blank."""
    img = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    if drawn:
        ImageDraw.Draw(img).line([(20, 150), (200, 40), (380, 160), (580, 60)], fill=(20, 20, 110, 255), width=4)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, fmt) if fmt != "PNG" else img.save(buf, "PNG")
    return f"data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}"
