"""What the explorer can query: four datasets, each a base SELECT with its columns and the filters
that make sense for it. Everything is one SQL statement per page (plus its count): columns are SQL
expressions, never Python attributes read row by row, so a page costs the same for 50 rows of a
small shop and of a shop with 100,000 orders.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, inspect, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.util import find_tables

from ..billing.models import Invoice
from ..catalog.models import ProductType
from ..claims.models import STATUS_LABELS as CLAIM_STATUS_LABELS
from ..claims.models import Claim, ClaimPayment
from ..claims.states import AT_ORGANISM, TO_FIX
from ..repairs import states
from ..repairs.models import BUSINESS, Appliance, Customer, RepairOrder
from ..shops.models import RepairSite, User

# Claims sent and not yet paid, refused or cancelled: what the organism still owes.
UNPAID = AT_ORGANISM


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # lazy string
    expr: Any  # SQL expression selected (labelled with the key)
    kind: str = "text"  # text, date, datetime, money, int, days, bool, status, organism
    default: bool = True  # shown when the user has not chosen the columns
    sort: Any = None  # expression to sort by, when not expr itself
    sort_reverse: bool = False  # "days since X" sorts by X the other way round
    link: str | None = None  # "order" or "claim": the cell links to that page (needs an *_id column)


@dataclass(frozen=True)
class Join:
    target: Any
    on: Any
    outer: bool = True
    always: bool = False  # an inner join that filters (a return has an original): never left out


@dataclass(frozen=True)
class Dataset:
    key: str
    label: Any
    base: Any  # the entity of one row
    joins: tuple[Join, ...]  # in an order where each ON refers to the base or to earlier joins
    columns: tuple[Column, ...]
    date: Any  # what the period filters on
    date_label: Any
    ident: Any  # a unique, stable tie-breaker for sorting and the links' ids
    ids: dict = field(default_factory=dict)  # link kind -> expression of the id
    filters: frozenset = frozenset()
    statuses: dict = field(default_factory=dict)  # value -> label, including special groups
    status: Any = None  # the status column, for the status filter
    amount: Any = None  # the amount the range filter applies to
    amount_label: Any = None
    default_sort: tuple[str, str] = ("", "desc")

    def column(self, key: str) -> Column | None:
        by_key = self.__dict__.get("_by_key")
        if by_key is None:
            by_key = {c.key: c for c in self.columns}
            object.__setattr__(self, "_by_key", by_key)
        return by_key.get(key)

    def joins_for(self, *used) -> list[Join]:
        """The joins a statement using these expressions needs, in join order."""
        needed = set()
        for expr in used:
            needed.update(_tables(expr))
        kept = []
        for join in reversed(self.joins):
            if join.always or _selectable(join.target) in needed:
                kept.append(join)
                needed.update(_tables(join.on))
        return kept[::-1]

    def select(self, columns: list, *used) -> Select:
        """SELECT columns FROM the base and only the joins the statement uses (columns, WHERE, ORDER
        BY in `used`): a page showing three columns of claims reads two tables, not eight. Every
        join left out is to-one on a non-null key or outer, so it changes no count."""
        stmt = select(*columns).select_from(self.base)
        for join in self.joins_for(*columns, *used):
            stmt = stmt.outerjoin(join.target, join.on) if join.outer else stmt.join(join.target, join.on)
        return stmt

    @property
    def default_columns(self) -> list[str]:
        return [c.key for c in self.columns if c.default]


def _selectable(target):
    return inspect(target).selectable


def _tables(expr) -> set:
    clause = expr.__clause_element__() if hasattr(expr, "__clause_element__") else expr
    return set(find_tables(clause, check_columns=True, include_aliases=True))


def _name(user) -> Any:
    return func.trim(func.coalesce(user.first_name, "") + literal(" ") + func.coalesce(user.last_name, ""))


def _customer(customer) -> Any:
    """A business by its company first, its contact in brackets (Customer.display_name)."""
    person = func.upper(customer.last_name) + literal(" ") + customer.first_name
    return case((and_(customer.kind == BUSINESS, customer.company.is_not(None)),
                 customer.company + literal(" (") + person + literal(")")), else_=person)


# Orders -------------------------------------------------------------------------------------------------
_tech = aliased(User, name="technician")
_original = aliased(RepairOrder, name="original")
_oi = aliased(Invoice, name="order_invoice")
_oc = aliased(Claim, name="order_claim")


def _last_invoice():
    """The order's invoice still standing (the highest generation, not a credit note)."""
    return select(Invoice.id).where(Invoice.order_id == RepairOrder.id, Invoice.kind == "invoice") \
        .order_by(Invoice.generation.desc()).limit(1).correlate(RepairOrder).scalar_subquery()


_ORDER_JOINS = (
    Join(Customer, Customer.id == RepairOrder.customer_id, outer=False),
    Join(Appliance, Appliance.id == RepairOrder.appliance_id, outer=False),
    Join(ProductType, ProductType.id == Appliance.product_type_id),
    Join(RepairSite, RepairSite.id == RepairOrder.site_id),
    Join(_tech, _tech.id == RepairOrder.technician_id),
)

ORDERS = Dataset(
    key="orders", label=_l("Dossiers de réparation"), base=RepairOrder,
    joins=_ORDER_JOINS + (Join(_original, _original.id == RepairOrder.warranty_of_id), Join(_oi, _oi.id == _last_invoice()),
                          Join(_oc, _oc.invoice_id == _oi.id)),
    columns=(
        Column("number", _l("Dossier"), RepairOrder.number, link="order"),
        Column("intake_on", _l("Pris en charge le"), RepairOrder.intake_on, "date"),
        Column("status", _l("État"), RepairOrder.status, "order_status"),
        Column("customer", _l("Client"), _customer(Customer)),
        Column("city", _l("Ville"), Customer.city, default=False),
        Column("product", _l("Produit"), ProductType.name),
        Column("family", _l("Famille"), ProductType.family, default=False),
        Column("brand", _l("Marque"), Appliance.brand_name),
        Column("reference", _l("Référence"), Appliance.commercial_reference, default=False),
        Column("serial", _l("N° de série"), Appliance.serial_number, default=False),
        Column("site", _l("Lieu"), RepairSite.name, default=False),
        Column("technician", _l("Technicien"), _name(_tech)),
        Column("return_of", _l("Retour du dossier"), _original.number, default=False),
        Column("handed_back_at", _l("Restitué le"), RepairOrder.handed_back_at, "datetime", default=False),
        Column("invoice", _l("Facture"), _oi.number, default=False),
        Column("total_ttc", _l("Total TTC"), _oi.total_ttc, "money"),
        Column("bonus", _l("Bonus"), _oi.bonus_amount, "money"),
        Column("organism", _l("Organisme"), _oc.organism, "organism", default=False),
        Column("claim_status", _l("Demande"), _oc.status, "claim_status", default=False),
    ),
    date=RepairOrder.intake_on, date_label=_l("Prise en charge"), ident=RepairOrder.id, ids={"order": RepairOrder.id},
    filters=frozenset({"period", "site", "technician", "organism", "status", "family", "brand", "returns_only", "amount"}),
    statuses={"open": _l("en cours (non restitués)"), **states.LABELS}, status=RepairOrder.status,
    amount=_oi.total_ttc, amount_label=_l("Total TTC"), default_sort=("intake_on", "desc"),
)


# Claims -------------------------------------------------------------------------------------------------
CLAIMS = Dataset(
    key="claims", label=_l("Demandes de bonus"), base=Claim,
    joins=(Join(Invoice, Invoice.id == Claim.invoice_id, outer=False), Join(RepairOrder, RepairOrder.id == Claim.order_id, outer=False))
    + _ORDER_JOINS,
    columns=(
        Column("invoice", _l("Facture"), Invoice.number, link="claim"),
        Column("invoice_date", _l("Facturée le"), Invoice.issued_on, "date"),
        Column("order", _l("Dossier"), RepairOrder.number, link="order", default=False),
        Column("organism", _l("Organisme"), Claim.organism, "organism"),
        Column("status", _l("Statut"), Claim.status, "claim_status"),
        Column("bonus", _l("Bonus demandé"), Claim.bonus_amount, "money"),
        Column("accepted", _l("Accepté"), Claim.amount_accepted, "money", default=False),
        Column("paid", _l("Payé"), Claim.amount_paid, "money"),
        Column("paid_on", _l("Payé le"), Claim.paid_on, "date", default=False),
        Column("age", _l("Jours depuis la facture"), Invoice.issued_on, "days", sort_reverse=True),
        Column("external_id", _l("N° chez l'organisme"), Claim.external_id, default=False),
        Column("reason", _l("Motif / erreur"), func.coalesce(Claim.last_error, Claim.status_text), default=False),
        Column("customer", _l("Client"), _customer(Customer), default=False),
        Column("product", _l("Produit"), ProductType.name, default=False),
        Column("family", _l("Famille"), ProductType.family, default=False),
        Column("brand", _l("Marque"), Appliance.brand_name, default=False),
        Column("site", _l("Lieu"), RepairSite.name, default=False),
        Column("technician", _l("Technicien"), _name(_tech), default=False),
    ),
    date=Invoice.issued_on, date_label=_l("Facture"), ident=Claim.id, ids={"claim": Claim.id, "order": Claim.order_id},
    filters=frozenset({"period", "site", "technician", "organism", "status", "family", "brand", "amount"}),
    statuses={"to_fix": _l("à traiter (refusées, incomplètes, à corriger)"), "unpaid": _l("envoyées, non payées"),
              **CLAIM_STATUS_LABELS},
    status=Claim.status, amount=Claim.bonus_amount, amount_label=_l("Bonus"), default_sort=("invoice_date", "desc"),
)


# Returns within 3 months ----------------------------------------------------------------------------------
_orig_tech = aliased(User, name="original_technician")


RETURNS = Dataset(
    key="returns", label=_l("Retours sous 3 mois"), base=RepairOrder,
    # A return set aside by a person keeps the repair it had been linked to: the "set aside" view lists it.
    joins=(Join(_original, _original.id == func.coalesce(RepairOrder.warranty_of_id, RepairOrder.warranty_unlinked_from_id),
                outer=False, always=True),) + _ORDER_JOINS
    + (Join(_orig_tech, _orig_tech.id == _original.technician_id),),
    columns=(
        Column("original", _l("Intervention"), _original.number, link="original"),
        Column("original_service", _l("Prestation"), _original.service_requested, default=False),
        Column("handed_back_at", _l("Restituée le"), _original.handed_back_at, "datetime"),
        Column("original_technician", _l("Technicien"), _name(_orig_tech)),
        Column("number", _l("Retour"), RepairOrder.number, link="order"),
        Column("intake_on", _l("Revenue le"), RepairOrder.intake_on, "date"),
        Column("days", _l("Jours après restitution"), RepairOrder.intake_on, "days_between"),
        Column("fault", _l("Panne au retour"), RepairOrder.fault_description, default=False),
        Column("status", _l("État du retour"), RepairOrder.status, "order_status"),
        Column("technician", _l("Technicien du retour"), _name(_tech), default=False),
        Column("customer", _l("Client"), _customer(Customer)),
        Column("product", _l("Produit"), ProductType.name),
        Column("family", _l("Famille"), ProductType.family, default=False),
        Column("brand", _l("Marque"), Appliance.brand_name),
        Column("serial", _l("N° de série"), Appliance.serial_number, default=False),
        Column("site", _l("Lieu"), RepairSite.name, default=False),
        Column("set_aside_reason", _l("Motif de l'écart"), RepairOrder.warranty_unlinked_reason, default=False),
    ),
    date=RepairOrder.intake_on, date_label=_l("Retour"), ident=RepairOrder.id,
    ids={"order": RepairOrder.id, "original": _original.id, "handed_back": _original.handed_back_at},
    filters=frozenset({"period", "site", "technician", "status", "family", "brand", "set_aside"}),
    statuses={"open": _l("en cours (non restitués)"), **states.LABELS}, status=RepairOrder.status,
    default_sort=("intake_on", "desc"),
)


# Payments received ----------------------------------------------------------------------------------------
_pc = aliased(Claim, name="paid_claim")
_pi = aliased(Invoice, name="paid_invoice")


PAYMENTS = Dataset(
    key="payments", label=_l("Paiements des organismes"), base=ClaimPayment,
    joins=(Join(_pc, _pc.id == ClaimPayment.claim_id), Join(_pi, _pi.id == _pc.invoice_id), Join(RepairOrder, RepairOrder.id == _pc.order_id),
           Join(RepairSite, RepairSite.id == RepairOrder.site_id), Join(_tech, _tech.id == RepairOrder.technician_id),
           Join(Appliance, Appliance.id == RepairOrder.appliance_id), Join(ProductType, ProductType.id == Appliance.product_type_id)),
    columns=(
        Column("paid_on", _l("Payé le"), ClaimPayment.paid_on, "date"),
        Column("organism", _l("Organisme"), ClaimPayment.organism, "organism"),
        Column("reference", _l("Référence du virement"), ClaimPayment.reference),
        Column("amount", _l("Montant"), ClaimPayment.amount, "money"),
        Column("invoice", _l("Facture"), func.coalesce(_pi.number, ClaimPayment.invoice_number), link="claim"),
        Column("matched", _l("Rapproché"), ClaimPayment.claim_id.is_not(None), "bool"),
        Column("bonus", _l("Bonus demandé"), _pc.bonus_amount, "money"),
        Column("gap", _l("Écart"), _pc.bonus_amount - ClaimPayment.amount, "money", default=False),
        Column("external_id", _l("N° chez l'organisme"), ClaimPayment.external_id, default=False),
        Column("source", _l("Relevé"), ClaimPayment.source, default=False),
        Column("site", _l("Lieu"), RepairSite.name, default=False),
    ),
    date=ClaimPayment.paid_on, date_label=_l("Paiement"), ident=ClaimPayment.id, ids={"claim": ClaimPayment.claim_id},
    filters=frozenset({"period", "site", "technician", "organism", "status", "family", "brand", "amount"}),
    statuses={"matched": _l("rapprochés"), "unmatched": _l("non rapprochés")}, status=ClaimPayment.claim_id,
    amount=ClaimPayment.amount, amount_label=_l("Montant"), default_sort=("paid_on", "desc"),
)

DATASETS = {d.key: d for d in (ORDERS, CLAIMS, RETURNS, PAYMENTS)}


def status_condition(dataset: Dataset, value: str):
    """The WHERE for a status value, special groups included."""
    if dataset is PAYMENTS:
        return ClaimPayment.claim_id.is_not(None) if value == "matched" else ClaimPayment.claim_id.is_(None)
    if value == "open":
        return dataset.status.not_in(tuple(states.FINAL) + (states.REFUSED,))
    if value == "to_fix":
        return Claim.status.in_(TO_FIX)
    if value == "unpaid":
        return Claim.status.in_(UNPAID)
    return dataset.status == value


def organism_condition(dataset: Dataset, value: str):
    if dataset is CLAIMS:
        return Claim.organism == value
    if dataset is PAYMENTS:
        return ClaimPayment.organism == value
    return _oc.organism == value


def returns_condition(dataset: Dataset):
    return RepairOrder.warranty_of_id.is_not(None)


def scope_conditions(dataset: Dataset, filters: dict) -> list:
    """What a dataset always filters on: the returns view lists the returns still linked, or with
    "set aside" only those a person unlinked (with the reason they gave)."""
    if dataset is RETURNS:
        if filters.get("set_aside"):  # the second condition is implied by the join; it lets the index answer
            return [RepairOrder.warranty_of_id.is_(None), RepairOrder.warranty_unlinked_from_id.is_not(None)]
        return [RepairOrder.warranty_of_id.is_not(None)]
    return []


def days_between(start: dt.datetime | dt.date | None, end: dt.date | None) -> int | None:
    if start is None or end is None:
        return None
    start_day = start.date() if isinstance(start, dt.datetime) else start
    return (end - start_day).days

