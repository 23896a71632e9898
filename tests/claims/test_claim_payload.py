"""The claim the organism will receive is built from the intake, the quote and the invoice: after
the invoice nobody types anything; what is still unlinked is named."""
import uuid
from decimal import Decimal

from qualirepar.billing import invoices, quotes
from qualirepar.claims import payload
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.shops.models import RepairSite
from qualirepar.tenancy import as_shop

from .. import factories
from ..billing.helpers import STANDARD, quote_with, ready_to_invoice, washing_machine_order


def _claim(app, shop, **order_fields):
    site = factories.make_site(app, shop.id, ecologic_site_id="ECL-SITE-1", ecosystem_place_id="ECO-PLACE-1")
    order_id = washing_machine_order(app, shop.id, site_id=site, **order_fields)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *STANDARD, ("part", "Courroie", "1", "12.00", "20", "reused"))
        quotes.set_repair_code(quote, "r01")
        ready_to_invoice(order, quote)  # accepted, repair marked done
        invoices.issue_invoice(order, quote, str(uuid.uuid4()), None)
        return db.session.execute(db.select(Claim.id)).scalar_one()


def test_everything_comes_from_what_was_recorded(app, shop):
    claim_id = _claim(app, shop, email="lea@exemple.fr", symptom_code="111", commercial_reference="WAW28440")
    with app.test_request_context(), as_shop(shop.id):
        claim = db.session.get(Claim, claim_id)
        p = payload.build(claim)
        assert payload.missing(claim, p) == []  # nothing left to type
        assert p.reference.startswith("F") and p.site_id == "ECL-SITE-1" and p.brand_id == "1698" and p.product_id
        assert (p.repair_code, p.symptom_code, p.serial_number, p.commercial_reference) == ("R01", "111", "WM-778899", "WAW28440")
        assert (p.customer.last_name, p.customer.email, p.customer.postcode) == ("Martin", "lea@exemple.fr", "69003")
        assert p.total_excl_vat == Decimal("162.00") and p.total_incl_vat == Decimal("194.40")
        assert p.bonus == Decimal("60.00")  # reused part: +20 %
        assert (p.labor_cost, p.spare_parts_cost, p.travel_cost) == (Decimal("115.00"), Decimal("47.00"), Decimal("0.00"))
        assert (p.new_parts, p.circular_parts) == (1, 1) and p.quote_number.startswith("DV-")
        assert payload.filled_fields(p) >= 25


def test_what_is_not_linked_yet_is_named(app, shop):
    claim_id = _claim(app, shop)  # no symptom code at intake
    with app.test_request_context(), as_shop(shop.id):
        claim = db.session.get(Claim, claim_id)
        site = db.session.execute(db.select(RepairSite)).scalar_one()
        site.ecologic_site_id = None
        db.session.commit()
        assert [str(m) for m in payload.missing(claim)] == ["l'identifiant du lieu de réparation chez l'organisme",
                                                            "le code symptôme (sur le bon de prise en charge)",
                                                            "l'e-mail du client"]
