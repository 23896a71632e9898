"""Deterministic seed data: the shipped bonus grid, brands and codes, and two known repairers
(the demo shop and another one, so that "a site that is not yours" can be tried)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ...catalog.reference import fiche_for as sheet_type
from ...catalog.reference import iris_symptoms_for, norm as _norm, rows as _rows
from .store import Brand, Product, ProductCode, Repairer, Sheet, Site, Tariff

DEMO = {
    "name": "Atelier Réparation Démo", "repairer_id": "2000001", "username": "100001",
    "password": "sandbox-ecosystem-demo", "api_key": "0d3a4c9e-5b6f-4a7e-9c21-000000000001",
    "sites": [("Atelier Lyon 3e", "2000011", "6f1c2a10-0000-4000-8000-000000000011", "69003", "Lyon"),
              ("Comptoir Villeurbanne", "2000012", "6f1c2a10-0000-4000-8000-000000000012", "69100", "Villeurbanne")],
    "sheets": ["GEM", "FROID", "PEM", "ECRANS", "INFO_TEL"],
}
OTHER = {
    "name": "Autre Réparateur", "repairer_id": "2000002", "username": "100002",
    "password": "sandbox-ecosystem-other", "api_key": "0d3a4c9e-5b6f-4a7e-9c21-000000000002",
    "sites": [("Atelier Marseille", "2000021", "6f1c2a10-0000-4000-8000-000000000021", "13001", "Marseille")],
    "sheets": ["PEM", "INFO_TEL"],
}

# Brands paid by ecosystem in the sandbox (names only; the real list comes from /catalog).
ECOSYSTEM_BRANDS = ["SAMSUNG", "BOSCH", "SEB", "PHILIPS", "WHIRLPOOL", "SIEMENS", "DYSON", "MOULINEX", "ROWENTA",
                    "BRANDT", "BEKO", "SONY", "HP", "LENOVO", "DELONGHI", "KRUPS", "MIELE", "CANDY", "HOOVER", "TEFAL"]

REPAIR_CODES = [("R01", "Remplacement d'une pièce détachée"), ("R02", "Réparation électronique (carte, composant)"),
                ("R03", "Réparation mécanique"), ("R04", "Réglage, nettoyage, détartrage"),
                ("R05", "Mise à jour ou réinstallation logicielle")]
PHONE_CODES = [("R06", "Remplacement d'écran (casse)"), ("R07", "Remplacement de batterie")]

def _d(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def seed(session) -> None:
    if session.query(Product).first():
        return
    rows = _rows("bonus_amounts.csv")
    ecl = {_norm(r["product_name"]): r for r in _rows("ecologic_product_types_sample.csv")}
    products: dict[str, Product] = {}
    for r in rows:
        key = _norm(r["category"])
        product = products.get(key)
        if product is None:
            sample = ecl.get(key) or next((v for k, v in ecl.items() if k.startswith(key[:10]) or key.startswith(k[:10])), None)
            index = len(products) + 1
            product = Product(eco_id=f"{3000 + index}", ecl_id=sample["product_id"] if sample and sample["product_id"] not in
                              {p.ecl_id for p in products.values()} else f"EEE.M9.{index:03d}",
                              name=r["category"], family=r["family"], sheet_type=sheet_type(r["family"], r["category"]),
                              eligible_from=_d(r["valid_from"]), eligible_until=None, is_phone="telephoneportable" in key)
            products[key] = product
            session.add(product)
            codes = REPAIR_CODES + (PHONE_CODES if product.is_phone else [])
            product.codes.extend(ProductCode(organism="ecosystem", kind="repair", code=c, label=lbl) for c, lbl in codes)
            ecl_repair = (sample["repair_codes"].split(";") if sample else ["XXX", "PSP", "G12"])
            product.codes.extend(ProductCode(organism="ecologic", kind="repair", code=c, label=f"Réparation {c} (code de préproduction)")
                                 for c in ecl_repair)
            product.codes.extend(ProductCode(organism="ecologic", kind="symptom", code=c, label=lbl)  # the symptoms of its family
                                 for c, lbl in iris_symptoms_for(r["category"], r["family"]))
        product.family = r["family"]
        product.sheet_type = sheet_type(r["family"], r["category"])
        product.eligible_from = min(product.eligible_from, _d(r["valid_from"]))
        if not r["amount_eur"]:
            continue  # listed, amount not found in the sources: no tariff row rather than a guess
        product.tariffs.append(Tariff(amount=Decimal(r["amount_eur"]), threshold=Decimal(r["threshold_eur"]) if r["threshold_eur"] else None,
                                      valid_from=_d(r["valid_from"]), valid_until=_d(r["valid_to"])))
    n = 0
    for r in _rows("brands.csv"):
        if r["eco_organism"] != "Ecologic":
            continue
        n += 1
        session.add(Brand(name=r["brand_name"], eco_id=f"{1100 + n}", ecl_id=r["brand_id"], organism="ecologic"))
    for i, name in enumerate(ECOSYSTEM_BRANDS, start=1):
        session.add(Brand(name=name, eco_id=f"{1000 + i}", ecl_id=f"{50000 + i}", organism="ecosystem"))
    for spec in (DEMO, OTHER):
        rep = Repairer(name=spec["name"], repairer_id=spec["repairer_id"], username=spec["username"],
                       password=spec["password"], api_key=spec["api_key"])
        rep.sites = [Site(name=n_, eco_place_id=p, ecl_site_id=g, zip=z, city=c) for n_, p, g, z, c in spec["sites"]]
        rep.sheets = [Sheet(type=t, number=f"FM-{spec['repairer_id']}-{t}", description=f"Fiche métier {t}",
                            valid_from=dt.date(2023, 1, 1), valid_to=dt.date(2027, 12, 31)) for t in spec["sheets"]]
        session.add(rep)
    session.commit()
