"""A repair order ready to be quoted: a washing machine (50 € bonus in 2024, +20 % with a reused part)
of a brand Ecologic covers, in a shop labelled for large appliances."""
from decimal import Decimal

from qualirepar.billing import quotes
from qualirepar.billing import states as quote_states
from qualirepar.catalog.models import Brand
from qualirepar.extensions import db
from qualirepar.repairs import services as repairs
from qualirepar.repairs import signatures, states
from qualirepar.repairs.models import RepairOrder

from .. import factories
from ..checklists.helpers import fill


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


def accept(quote, signer: str = "Léa Martin") -> None:
    """The customer signs the validated quote on the tablet, as /devis/<id>/signer does (the order
    moves on: «Devis», then «Réparation»)."""
    stored = signatures.store_drawn(factories.data_url(), f"devis-{quote.number}.png")
    quotes.decide(quote, True, "signature", None, signer, stored.id)


def repaired(order) -> None:
    """The order walked to «Prêt» the way the workshop does it: check-in answered, diagnosis, the
    repair (the accepted quote, or a simple job), check-out answered, «Réparation terminée»."""
    if order.status == states.INTAKE:
        fill(order, "checkin")
        repairs.transition(order, "start_diagnosis")
    if order.status == states.DIAGNOSIS:
        repairs.transition(order, "start_repair")  # a simple job, no quote sent
    fill(order, "checkout")
    repairs.transition(order, "finish")


def ready_to_invoice(order, quote) -> None:
    """The normal path to an invoice (issue 16): the quote validated and accepted by the customer,
    the repair marked done."""
    if quote.validated_at is None:
        quotes.validate(quote, None)
    if quote.status != quote_states.ACCEPTED:
        accept(quote)
    if order.repaired_at is None:
        repaired(order)
