"""Business customers: SIREN, SIRET and VAT numbers checked with python-stdnum (INSEE's Luhn key of
the SIREN and the SIRET; the French VAT key computed from the SIREN, DGFiP: (12 + 3 × (SIREN mod 97))
mod 97), each refusal naming the field and why; the customer kept with its company, the search
finding it by company or SIREN, the bon's snapshot and the invoice's buyer snapshot."""
import pytest

from qualirepar.extensions import db
from qualirepar.repairs import customers
from qualirepar.repairs import services as repairs
from qualirepar.repairs.models import Customer, RepairOrder
from qualirepar.tenancy import as_shop

from .helpers import intake

# Real identifiers: stdnum's examples (SIREN 732 829 320, its SIRET 732 829 320 00074 and VAT
# number FR 44 732829320) and Belgium's VAT example (BE 0403.170.701).
SIREN, SIRET, VAT = "732829320", "73282932000074", "FR44732829320"


def test_identifiers_are_normalised_as_printed_on_a_kbis():
    assert customers.clean_siren("732 829 320") == SIREN
    assert customers.clean_siret("732 829 320 00074") == SIRET
    assert customers.clean_vat("fr 44 732.829.320") == VAT
    assert customers.clean_vat("44732829320") == VAT  # typed without FR
    assert customers.clean_vat("BE 0403.170.701") == "BE0403170701"
    assert customers.clean_siren("  ") is None


@pytest.mark.parametrize("cleaner,value,message", [
    (customers.clean_siren, "73282932", "SIREN : 9 chiffres attendus (vous en avez saisi 8)"),
    (customers.clean_siren, "73282932A", "SIREN : uniquement des chiffres"),
    (customers.clean_siren, "732829321", "SIREN : la clé de contrôle ne correspond pas"),  # Luhn (INSEE)
    (customers.clean_siret, "7328293200007", "SIRET : 14 chiffres attendus (vous en avez saisi 13)"),
    (customers.clean_siret, "73282932000075", "SIRET : la clé de contrôle ne correspond pas"),
    (customers.clean_vat, "FR45732829320", "N° de TVA : la clé (les 2 caractères après FR) ne correspond pas au SIREN"),
    (customers.clean_vat, "FR4473282932", "N° de TVA : FR puis 11 caractères attendus"),
    (customers.clean_vat, "XX123456789", "n'est pas un pays de l'Union européenne"),
    (customers.clean_vat, "BE0403170702", "N° de TVA : la clé de contrôle ne correspond pas"),
])
def test_a_bad_identifier_is_refused_with_the_field_and_why(ctx, cleaner, value, message):
    with pytest.raises(ValueError) as refused:
        cleaner(value)
    assert message in str(refused.value)


def test_the_identifiers_must_agree_with_each_other(ctx):
    with pytest.raises(customers.CustomerRefused) as refused:
        customers.check_business("ACME", SIREN, "55210055400013", "FR96552100554")
    assert "SIRET : ses 9 premiers chiffres (552100554) ne sont pas le SIREN saisi (732829320)" in refused.value.errors["siret"]
    assert "N° de TVA : il porte le SIREN 552100554, pas celui du client (732829320)" in refused.value.errors["vat_number"]
    with pytest.raises(customers.CustomerRefused) as refused:
        customers.check_business("", None, None, None)
    assert set(refused.value.errors) == {"company", "siren"}


def test_the_siren_comes_from_the_siret_and_a_foreign_business_needs_only_its_vat_number(ctx):
    assert customers.check_business("ACME", None, SIRET, None).siren == SIREN
    ids = customers.check_business("Brussels Repair SPRL", None, None, "BE0403170701")
    assert ids.siren is None and ids.vat_number == "BE0403170701"


def _business(**overrides):
    values = dict(customer_kind="business", company="Laverie du Port SARL", siren="732 829 320", siret=SIRET, vat_number=VAT,
                  billing_street="3 quai des Comptes", billing_postcode="13002", billing_city="Marseille", po_reference="BC-2026-117")
    values.update(overrides)
    return intake(**values)


def test_a_business_customer_is_kept_with_its_company_and_found_by_it(ctx):
    order = _business()
    customer = db.session.get(Customer, order.customer_id)
    assert (customer.kind, customer.company, customer.siren, customer.siret, customer.vat_number) == (
        "business", "Laverie du Port SARL", SIREN, SIRET, VAT)
    assert customer.display_name == "Laverie du Port SARL (MARTIN Léa)"
    assert order.po_reference == "BC-2026-117"
    assert [c.id for c in repairs.search_customers("laverie du port")] == [customer.id]
    assert [c.id for c in repairs.search_customers("732829320")] == [customer.id]
    bon_customer, _ = repairs.as_of_intake(order)
    assert bon_customer.display_name == "Laverie du Port SARL (MARTIN Léa)" and bon_customer.siren == SIREN


def test_a_bad_siren_at_the_service_saves_nothing(ctx):
    with pytest.raises(customers.CustomerRefused) as refused:
        _business(siren="732829321", siret=None, vat_number=None)
    assert "SIREN : la clé de contrôle" in refused.value.errors["siren"]
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Customer.id))).scalar_one() == 0
    assert db.session.execute(db.select(db.func.count(RepairOrder.id))).scalar_one() == 0


def test_a_private_customer_stays_private_and_an_old_bon_reads_as_private(ctx):
    order = intake()
    customer = db.session.get(Customer, order.customer_id)
    assert customer.kind == "private" and customer.company is None and customer.display_name == "MARTIN Léa"
    snap = dict(order.intake_snapshot)
    snap["customer"] = {k: v for k, v in snap["customer"].items() if k not in ("kind", "company", "siren")}  # a bon of before
    order.intake_snapshot = snap
    db.session.commit()
    bon_customer, _ = repairs.as_of_intake(order)
    assert bon_customer.kind == "private" and not bon_customer.is_business and bon_customer.display_name == "MARTIN Léa"


def test_buyer_snapshot_keys_for_the_invoice(ctx):
    """The contract with the Factur-X writer and the 2026 mentions: kind, company, siren, siret,
    vat_number, billing ({street, postcode, city} or None), po_reference (EN 16931 BT-13)."""
    order = _business()
    customer = db.session.get(Customer, order.customer_id)
    assert customers.buyer_snapshot(customer, order.po_reference) == {
        "kind": "business", "company": "Laverie du Port SARL", "siren": SIREN, "siret": SIRET, "vat_number": VAT,
        "billing": {"street": "3 quai des Comptes", "postcode": "13002", "city": "Marseille"}, "po_reference": "BC-2026-117"}
    private = db.session.get(Customer, intake(serial_number="X-1", last_name="Durand").customer_id)
    assert customers.buyer_snapshot(private, None) == {"kind": "private", "company": None, "siren": None, "siret": None,
                                                        "vat_number": None, "billing": None, "po_reference": None}
    assert customers.buyer_kind({"last_name": "Ancien"}) == "private"  # an invoice issued before the key


def test_the_demo_shop_has_one_business_customer(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert runner.invoke(args=["demo", "load"]).exit_code == 0  # once only
    with app.test_request_context():
        shop_id = db.session.execute(db.select(Customer.shop_id)).scalar_one()
        with as_shop(shop_id):
            found = repairs.search_customers("732 829 320")
            assert [(c.kind, c.display_name) for c in found] == [("business", "Laverie du Port SARL (ROUX Karim)")]
