"""From the explorer's query string to SQL and back: parse and check every parameter (a clear French
message for each bad one), build the statement, fetch a page, or stream every row for an export."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterator

from flask_babel import gettext as _
from sqlalchemy import Select, func

from ..catalog.models import ProductType
from ..eco.models import ORGANISMS as ORGANISM_LABELS
from ..extensions import db
from ..core.money import AmountError, parse_amount
from ..repairs.models import Appliance, RepairOrder
from .datasets import DATASETS, Column, Dataset, organism_condition, returns_condition, scope_conditions, status_condition

PER_PAGE = (25, 50, 100)
ORGANISMS = tuple(ORGANISM_LABELS)
MAX_AMOUNT = Decimal("1000000")
LATE_JOIN_ROWS = 500  # over this many rows, a page picks its ids before joining the columns (see page())
EXPORT_BATCH = 1000  # rows fetched at a time by an export: memory stays flat whatever the count
FILTER_KEYS = ("from", "to", "site", "technician", "organism", "status", "family", "brand", "returns_only", "set_aside", "amount_min", "amount_max")


class UnknownDataset(LookupError):
    pass


@dataclass
class Spec:
    dataset: Dataset
    columns: list[str]
    sort: str
    direction: str
    page: int = 1
    per_page: int = 50
    filters: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def chosen(self) -> list[Column]:
        cached = self.__dict__.get("_chosen")
        if cached is None or cached[0] != self.columns:
            cached = (list(self.columns), [self.dataset.column(key) for key in self.columns])
            self.__dict__["_chosen"] = cached
        return cached[1]

    def params(self, **changes) -> dict:
        """The canonical query string of this view (what is saved, what links carry)."""
        out: dict[str, Any] = {"dataset": self.dataset.key}
        for key in FILTER_KEYS:
            value = self.filters.get(key)
            if value in (None, "", False):
                continue
            out[key] = value.isoformat() if isinstance(value, dt.date) else "1" if value is True else str(value)
        if self.columns != self.dataset.default_columns:
            out["cols"] = list(self.columns)
        if (self.sort, self.direction) != self.dataset.default_sort:
            out["sort"], out["dir"] = self.sort, self.direction
        if self.per_page != 50:
            out["per_page"] = str(self.per_page)
        if self.page > 1:
            out["page"] = str(self.page)
        out.update(changes)
        return {k: v for k, v in out.items() if v not in (None, "")}


def _day(raw: str, label: str, errors: list[str]) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            day = dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if 2000 <= day.year <= 2100:
            return day
    errors.append(_("%(label)s : « %(value)s » n'est pas une date (JJ/MM/AAAA).", label=label, value=raw[:30]))
    return None


def _euros(raw: str, label: str, errors: list[str]) -> Decimal | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return parse_amount(raw, limit=MAX_AMOUNT)
    except AmountError:
        errors.append(_("%(label)s : « %(value)s » n'est pas un montant en euros.", label=label, value=raw[:30]))
        return None


def _int(raw: str, label: str, errors: list[str]) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        errors.append(_("%(label)s : choix inconnu.", label=label))
        return None
    return int(raw)


def parse(args) -> Spec:
    """A Spec from a query string (a MultiDict or a saved view's dict). Raises UnknownDataset."""
    get = (lambda k: args.get(k, "")) if hasattr(args, "get") else (lambda k: "")
    getlist = args.getlist if hasattr(args, "getlist") else (lambda k: list(args.get(k) or []) if isinstance(args.get(k), list) else [args.get(k)] if args.get(k) else [])
    key = get("dataset") or "orders"
    dataset = DATASETS.get(key)
    if dataset is None:
        raise UnknownDataset(key)
    errors: list[str] = []
    notices: list[str] = []

    chosen = [c for c in getlist("cols") if c]
    unknown = [c for c in chosen if dataset.column(c) is None]
    if unknown:
        notices.append(_("Colonnes inconnues ignorées : %(cols)s.", cols=", ".join(u[:30] for u in unknown[:5])))
    columns = list(dict.fromkeys(c for c in chosen if dataset.column(c) is not None)) or dataset.default_columns

    sort, direction = get("sort") or dataset.default_sort[0], get("dir") or dataset.default_sort[1]
    if dataset.column(sort) is None:
        notices.append(_("Tri inconnu « %(sort)s » : tri par défaut.", sort=sort[:30]))
        sort = dataset.default_sort[0]
    if direction not in ("asc", "desc"):
        direction = dataset.default_sort[1]

    page = get("page")
    page = int(page) if str(page).isdigit() and 0 < int(page) < 1_000_000 else 1
    per_page = get("per_page")
    per_page = int(per_page) if str(per_page).isdigit() and int(per_page) in PER_PAGE else 50

    f: dict[str, Any] = {}
    f["from"] = _day(get("from"), _("Du"), errors)
    f["to"] = _day(get("to"), _("Au"), errors)
    if f["from"] and f["to"] and f["from"] > f["to"]:
        errors.append(_("La période commence le %(a)s, après sa fin le %(b)s.", a=f["from"].strftime("%d/%m/%Y"), b=f["to"].strftime("%d/%m/%Y")))
    f["site"] = _int(get("site"), _("Lieu"), errors)
    f["technician"] = _int(get("technician"), _("Technicien"), errors)
    organism = get("organism").strip()
    if organism and organism not in ORGANISMS:
        errors.append(_("Organisme inconnu : « %(value)s ».", value=organism[:30]))
        organism = ""
    f["organism"] = organism
    status = get("status").strip()
    if status and status not in dataset.statuses:
        errors.append(_("Statut inconnu pour ce tableau : « %(value)s ».", value=status[:30]))
        status = ""
    f["status"] = status
    f["family"] = get("family").strip()[:150]
    f["brand"] = get("brand").strip()[:150]
    f["returns_only"] = get("returns_only") in ("1", "on", "true", True)
    f["set_aside"] = get("set_aside") in ("1", "on", "true", True)
    f["amount_min"] = _euros(get("amount_min"), _("Montant minimum"), errors)
    f["amount_max"] = _euros(get("amount_max"), _("Montant maximum"), errors)
    if f["amount_min"] is not None and f["amount_max"] is not None and f["amount_min"] > f["amount_max"]:
        errors.append(_("Le montant minimum est plus grand que le maximum."))
    # A filter this dataset does not have is dropped, so a saved view never filters on what it cannot show.
    allowed = {"from": "period", "to": "period", "amount_min": "amount", "amount_max": "amount"}
    for name in FILTER_KEYS:
        if f.get(name) not in (None, "", False) and allowed.get(name, name) not in dataset.filters:
            f[name] = None
    return Spec(dataset, columns, sort, direction, page, per_page, f, errors, notices)


def _conditions(spec: Spec) -> list:
    d, f = spec.dataset, spec.filters
    where = scope_conditions(d, f)
    if f.get("from"):
        where.append(d.date >= f["from"])
    if f.get("to"):
        where.append(d.date <= f["to"])
    if f.get("site"):
        where.append(RepairOrder.site_id == f["site"])
    if f.get("technician"):
        where.append(RepairOrder.technician_id == f["technician"])
    if f.get("organism"):
        where.append(organism_condition(d, f["organism"]))
    if f.get("status"):
        where.append(status_condition(d, f["status"]))
    if f.get("family"):
        where.append(ProductType.family == f["family"])
    if f.get("brand"):
        where.append(func.lower(Appliance.brand_name).contains(f["brand"].lower(), autoescape=True))
    if f.get("returns_only"):
        where.append(returns_condition(d))
    if f.get("amount_min") is not None:
        where.append(d.amount >= f["amount_min"])
    if f.get("amount_max") is not None:
        where.append(d.amount <= f["amount_max"])
    return where


def _order(spec: Spec) -> list:
    d = spec.dataset
    column = d.column(spec.sort)
    expr = column.sort if column.sort is not None else column.expr
    descending = (spec.direction == "desc") != column.sort_reverse
    return [expr.desc().nulls_last() if descending else expr.asc().nulls_last(),
            d.ident.desc() if spec.direction == "desc" else d.ident.asc()]


def statement(spec: Spec) -> Select:
    """The rows of the view, sorted, every page: the chosen columns and the ids the links need."""
    d = spec.dataset
    columns = [c.expr.label(c.key) for c in spec.chosen]
    columns += [expr.label(f"_id_{kind}") for kind, expr in d.ids.items()]
    order, where = _order(spec), _conditions(spec)
    return d.select(columns, *where, *order).where(*where).order_by(*order)


def count(spec: Spec) -> int:
    where = _conditions(spec)
    return db.session.execute(spec.dataset.select([func.count()], *where).where(*where)).scalar_one()


def page(spec: Spec) -> tuple[list, int]:
    """One page of rows and the total count. A page past the end shows the last one.

    When the view has many rows and shows columns from joins its filters and sort do not need, the
    page's ids come first (base table and the joins that choose the rows), then the columns of those
    rows alone. Asked for everything at once, PostgreSQL joined each of a shop's 2,000 orders to its
    invoice, claim, customer and technician before keeping 50 (bench/pages.py)."""
    total = count(spec)
    spec.page = min(spec.page, max(1, -(-total // spec.per_page)))
    d, order, where = spec.dataset, _order(spec), _conditions(spec)
    offset = (spec.page - 1) * spec.per_page
    rows = statement(spec)
    if total <= LATE_JOIN_ROWS or len(d.joins_for(*where, *order)) == len(d.joins_for(*rows.selected_columns, *where, *order)):
        return db.session.execute(rows.limit(spec.per_page).offset(offset)).all(), total
    ids = db.session.execute(d.select([d.ident], *where, *order).where(*where).order_by(*order)
                             .limit(spec.per_page).offset(offset)).scalars().all()
    return (db.session.execute(rows.where(d.ident.in_(ids))).all() if ids else []), total


def stream(spec: Spec) -> Iterator:
    """Every row of the view, fetched EXPORT_BATCH at a time (server-side cursor on PostgreSQL)."""
    result = db.session.execute(statement(spec).execution_options(yield_per=EXPORT_BATCH, stream_results=True))
    try:
        yield from result
    finally:
        result.close()


def raw_value(column: Column, row, today: dt.date) -> Any:
    """The cell as a value (date, Decimal, int, str, bool, None): exports and the page format it."""
    m = row._mapping
    value = m[column.key]
    if column.kind == "days":
        return (today - value).days if value is not None else None
    if column.kind == "days_between":
        handed_back = m.get("_id_handed_back")
        if value is None or handed_back is None:
            return None
        return (value - (handed_back.date() if isinstance(handed_back, dt.datetime) else handed_back)).days
    if column.kind == "datetime" and isinstance(value, dt.datetime):
        return value
    if column.kind == "money" and value is not None:
        return Decimal(value).quantize(Decimal("0.01"))
    return value
