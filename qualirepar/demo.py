"""`flask demo load`: one demo shop with two sites, its fiches métier, one user per role, and its
accounts at the local eco-organism sandbox (the sandbox knows it as its demo repairer)."""
from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from .catalog.models import Brand
from .catalog.reference import norm
from .catalog.services import set_up_reference
from .eco.models import EcoAccount
from .eco.sandbox.seed import DEMO as SANDBOX_DEMO
from .eco.sandbox.seed import ECOSYSTEM_BRANDS
from .extensions import db
from .intake.models import IntakeCustomField, IntakeSettings
from .repairs.models import BUSINESS, Customer
from .repairs.services import customer_search_key
from .shops.models import FicheMetier, RepairSite, Shop, User
from .tenancy import as_shop

demo_cli = AppGroup("demo", help="Données de démonstration.")

DEMO_PASSWORD = "demo-qualirepar-2026"
DEMO_SIRET = "85234567700003"
DEMO_USERS = [
    ("gerant@demo.qualirepar.fr", "Claire", "Martin", "owner"),
    ("technicien@demo.qualirepar.fr", "Karim", "Benali", "technician"),
    ("support@demo.qualirepar.fr", "Sophie", "Durand", "support"),
]


DEMO_TERMS = """Le diagnostic est facturé s'il n'est pas suivi d'une réparation. Un devis est remis avant toute réparation dont le montant dépasse le plafond indiqué.

La réparation est garantie 3 mois (pièces et main-d'œuvre) à compter de la restitution de l'appareil.

Un appareil non repris 3 mois après l'avis de mise à disposition est réputé abandonné."""


def load_demo() -> list[tuple[str, str]]:
    """Create what is missing of the demo shop; running it again changes nothing."""

    shop = db.session.execute(db.select(Shop).where(Shop.siret == DEMO_SIRET)).scalar_one_or_none()
    if shop is None:
        shop = Shop(name="Atelier Réparation Démo", siret=DEMO_SIRET, vat_number="FR61852345677",
                    label_number="QR-2024-0042", label_valid_until=dt.date(2027, 3, 31),
                    street="12 rue des Artisans", postcode="69003", city="Lyon",
                    phone="04 78 00 00 00", email="contact@demo.qualirepar.fr")
        db.session.add(shop)
        db.session.flush()
    with as_shop(shop.id):
        sites = {s.name for s in db.session.execute(db.select(RepairSite)).scalars()}
        streets = {"Atelier Lyon 3e": "12 rue des Artisans", "Comptoir Villeurbanne": "5 cours Émile Zola"}
        for name, eco_id, ecl_id, postcode, city in SANDBOX_DEMO["sites"]:
            if name not in sites:
                db.session.add(RepairSite(name=name, street=streets.get(name), postcode=postcode, city=city,
                                          ecosystem_place_id=eco_id, ecologic_site_id=ecl_id))
        accounts = {a.organism for a in db.session.execute(db.select(EcoAccount)).scalars()}
        if "ecosystem" not in accounts:
            account = EcoAccount(organism="ecosystem", environment="sandbox", login=SANDBOX_DEMO["username"],
                                 repairer_id=SANDBOX_DEMO["repairer_id"])
            account.secret = SANDBOX_DEMO["password"]
            db.session.add(account)
        if "ecologic" not in accounts:
            account = EcoAccount(organism="ecologic", environment="sandbox")
            account.secret = SANDBOX_DEMO["api_key"]
            db.session.add(account)
        fiches = {f.code for f in db.session.execute(db.select(FicheMetier)).scalars()}
        for code in ("GEM", "FROID", "PEM", "ECRANS", "INFO_TEL"):
            if code not in fiches:
                db.session.add(FicheMetier(code=code, certified_on=dt.date(2024, 3, 1), valid_until=dt.date(2027, 3, 31)))

        if db.session.execute(db.select(IntakeSettings)).scalar_one_or_none() is None:
            db.session.add(IntakeSettings(field_states={"x_out_of_warranty": "required", "x_access": "shown", "x_contact": "shown"},
                                          terms=DEMO_TERMS))
            db.session.add(IntakeCustomField(key="c_animaux", label="Animaux au domicile", kind="yes_no", state="shown", position=0))
        _demo_business_customer()
        logins = []
        for email, first, last, role in DEMO_USERS:
            user = db.session.execute(db.select(User).where(User.email == email)).scalar_one_or_none()
            if user is None:
                user = User(email=email, first_name=first, last_name=last, role=role, locale="fr")
                user.set_password(DEMO_PASSWORD)
                db.session.add(user)
            logins.append((role, email))
        db.session.commit()
        set_up_reference()  # catalogue and codes from the first minute: the sandbox's lists synced
        _demo_brands()
    return logins


DEMO_BUSINESS = dict(kind=BUSINESS, company="Laverie du Port SARL", siren="732829320", siret="73282932000074",
                     vat_number="FR44732829320", title="M.", last_name="Roux", first_name="Karim", street="3 quai du Port",
                     postcode="69002", city="Lyon", phone="04 78 11 22 33", email="compta@laverie-du-port.example",
                     billing_street="BP 42", billing_postcode="69002", billing_city="Lyon")


def _demo_business_customer() -> None:
    """One business customer (no bonus réparation for it), found by its company or SIREN at intake."""

    if db.session.execute(db.select(Customer.id).where(Customer.siren == DEMO_BUSINESS["siren"])).first() is None:
        customer = Customer(**DEMO_BUSINESS)
        customer.search = customer_search_key(customer)
        db.session.add(customer)


def _demo_brands() -> None:
    """The sandbox's ecosystem brands, so that the lookups have both payers before a first sync."""

    known = set(db.session.execute(db.select(Brand.norm)).scalars())
    for name in ECOSYSTEM_BRANDS:
        if norm(name) not in known:
            db.session.add(Brand(name=name, norm=norm(name), organism="ecosystem", valid_from=dt.date(2022, 12, 15), source="demo"))
    db.session.commit()


@demo_cli.command("load")
def load_command() -> None:
    """Create or complete the demo shop and print its logins."""
    logins = load_demo()
    click.echo("Comptes de démonstration (mot de passe : %s)" % DEMO_PASSWORD)
    for role, email in logins:
        click.echo(f"  {role:<11} {email}")
