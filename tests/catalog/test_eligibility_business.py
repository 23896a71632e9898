"""No bonus réparation for a business customer: the fund pays for repairs of products held by
consumers (loi AGEC du 10 février 2020, Code de l'environnement art. L. 541-10-4; DOMAIN.md §1,
§3: «household EEE held by a consumer (particulier)»). The verdict refuses it in plain French,
the quote shows why, the invoice deducts nothing and no claim is opened."""
import datetime as dt
import html
import uuid
from decimal import Decimal

from qualirepar.billing import invoices, quotes
from qualirepar.billing.models import Quote
from qualirepar.catalog import eligibility
from qualirepar.catalog.models import Brand, ProductType
from qualirepar.checklists.services import guard
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.repairs import services as repairs
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from ..billing.helpers import STANDARD, quote_with, washing_machine_order
from ..checklists.helpers import fill

REASON = "Client professionnel : le bonus réparation est réservé aux particuliers."
BUSINESS = dict(customer_kind="business", company="Laverie du Port SARL", siren="732829320", po_reference="BC-117")


def test_the_verdict_refuses_a_business_customer_AGEC_L541_10_4(app, shop):
    """Art. L. 541-10-4 Code de l'environnement (AGEC): the repair fund is for products held by consumers."""
    washing_machine_order(app, shop.id)  # loads the catalog, the shop holds the GEM fiche
    with app.test_request_context(), as_shop(shop.id):
        product = db.session.execute(db.select(ProductType.id).where(ProductType.name == "Lave-linge")).scalar_one()
        brand = db.session.execute(db.select(Brand.id).where(Brand.name == "Apple")).scalar_one()
        day = dt.date(2024, 6, 1)
        private = eligibility.check(product, brand, day, Decimal("180"), shop_id=shop.id)
        business = eligibility.check(product, brand, day, Decimal("180"), shop_id=shop.id, business_customer=True)
    assert private.eligible and private.amount == Decimal("50.00")
    assert not business.eligible and business.amount is None
    assert business.reasons == [REASON]


def test_a_business_quote_has_no_bonus_its_invoice_no_claim(app, shop):
    order_id = washing_machine_order(app, shop.id, **BUSINESS)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *STANDARD)
        verdict = quotes.validate(quote, None)
        assert not verdict.eligible and verdict.reasons[0] == REASON
        assert (quote.bonus_eligible, quote.bonus_amount, quote.bonus_organism) == (False, Decimal("0.00"), None)
        fill(order, "checkin")
        repairs.transition(order, "start_diagnosis", guard=guard)
        quotes.decide(quote, True, "signature", "127.0.0.1", "Léa Martin")
        fill(order, "checkout")
        repairs.transition(order, "finish", guard=guard)  # an invoice is issued for a repair done
        invoice = invoices.issue_invoice(order, quote, str(uuid.uuid4()), None)
        assert invoice.bonus_amount == Decimal("0.00") and invoice.amount_due == invoice.total_ttc == Decimal("180.00")
        assert db.session.execute(db.select(db.func.count(Claim.id))).scalar_one() == 0
        buyer = invoice.buyer
        assert (buyer["kind"], buyer["company"], buyer["siren"], buyer["po_reference"]) == (
            "business", "Laverie du Port SARL", "732829320", "BC-117")


def test_the_quote_page_says_why_before_and_after_validation(app, shop, as_role):
    order_id = washing_machine_order(app, shop.id, **BUSINESS)
    with app.test_request_context(), as_shop(shop.id):
        quote_id = quote_with(db.session.get(RepairOrder, order_id), *STANDARD).id
    client = as_role("owner")
    page = html.unescape(client.get(f"/devis/{quote_id}").get_data(as_text=True))
    assert REASON in page
    with app.test_request_context(), as_shop(shop.id):
        quotes.validate(db.session.get(Quote, quote_id), None)
    page = html.unescape(client.get(f"/devis/{quote_id}").get_data(as_text=True))
    assert "Pas de bonus sur ce devis" in page and REASON in page


def test_the_eligibility_lookup_refuses_a_business_customer(app, shop, as_role):
    """Référentiel → Éligibilité with «Client professionnel» ticked: refused, in plain French (L. 541-10-4)."""
    washing_machine_order(app, shop.id)
    with app.app_context():
        product = db.session.execute(db.select(ProductType.id).where(ProductType.name == "Lave-linge")).scalar_one()
    client = as_role("technician")
    data = {"product_type": product, "brand": "Apple", "repair_date": "2024-06-01", "total_incl_vat": "180,00"}
    private = html.unescape(client.post("/catalogue/eligibilite", data=data).get_data(as_text=True))
    business = html.unescape(client.post("/catalogue/eligibilite", data={**data, "business_customer": "y"}).get_data(as_text=True))
    assert "Éligible" in private and REASON not in private
    assert "Pas de bonus" in business and REASON in business
