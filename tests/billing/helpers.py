"""A repair order ready to be quoted: a washing machine (50 € bonus in 2024, +20 % with a reused part)
of a brand Ecologic covers, in a shop labelled for large appliances."""
from decimal import Decimal

from qualirepar.billing import quotes
from qualirepar.catalog.models import Brand
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder

from .. import factories


def washing_machine_order(app, shop_id: int, **fields) -> int:
    from qualirepar.shops.models import FicheMetier
    from qualirepar.tenancy import as_shop

    with app.app_context(), as_shop(shop_id):
        held = db.session.execute(db.select(FicheMetier).where(FicheMetier.code == "GEM")).first()
    if not held:
        factories.make_fiche(app, shop_id, "GEM")
    order_id = factories.make_order(app, shop_id, "Lave-linge", **fields)
    with app.app_context(), as_shop(shop_id):
        order = db.session.get(RepairOrder, order_id)
        from qualirepar.repairs.models import Appliance

        appliance = db.session.get(Appliance, order.appliance_id)
        brand = db.session.execute(db.select(Brand).where(Brand.name == "Apple")).scalar_one()
        appliance.brand_id, appliance.brand_name = brand.id, brand.name
        db.session.commit()
    return order_id


def quote_with(order, *lines):
    """lines: (kind, label, quantity, unit price HT, VAT rate[, origin])."""
    quote = quotes.create_quote(order)
    for kind, label, qty, price, rate, *origin in lines:
        quotes.add_line(quote, kind, label, Decimal(qty), Decimal(price), Decimal(rate),
                         part_reference="REF-1" if kind == "part" else None, part_origin=(origin or ["new"])[0])
    return quote


STANDARD = [("diagnosis", "Diagnostic", "1", "40.00", "20"), ("labour", "Main-d'œuvre", "1.5", "50.00", "20"),
            ("part", "Pompe de vidange", "1", "35.00", "20")]
