"""The audit pack: for a period, one zip with what a QualiRépar auditor asks to see.

`build()` writes the zip into a file object, one part after the other (a zip entry is written
whole before the next one starts). Rows are read in batches (`yield_per`) and written as they come,
so that a year of a busy shop stays in bounded memory; the look-ups a row needs (signatures,
answers, claims) are fetched once per batch, never once per row.

What is in the period:
- intake register, bons, controls: the orders whose intake date (date de prise en charge) is in it;
- returns within 3 months: the returns whose own intake date is in it (the repair they return may
  be older);
- complaints: received in it; claims: of the invoices issued in it (cancelled claims left out, as
  on the reimbursement control page); payments: received (paid on) in it.

The CSV files follow the app's export (`claims.payments.export_csv`): `;` separator, UTF-8 with a
BOM (Excel opens them as such), money with a decimal comma; dates are written JJ/MM/AAAA and times
in Europe/Paris, as the pages show them.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import aliased

from ..core.refusal import Refusal
from ..catalog.models import ProductType
from ..checklists import defaults
from ..checklists.models import PHASES, ChecklistTemplate, ControlAnswer, ControlPoint
from ..claims import payments
from ..claims.models import Claim, ClaimPayment
from ..complaints.models import CHANNELS, Complaint
from ..billing.models import Invoice
from ..billing.services import paris_today
from ..extensions import db
from ..core.money import french_amount, french_number
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..repairs import states
from ..repairs.models import Appliance, Customer, RepairOrder, Signature
from ..repairs.returns import warranty_ends
from ..shops.models import FICHES_METIER, RepairSite, Shop, User
from ..tenancy import current_shop_id

PARIS = ZoneInfo("Europe/Paris")
BATCH = 500  # rows read at a time
MAX_DAYS = 366  # a period of one year at most (a leap year included)
BONS_BY_DEFAULT_DAYS = 31  # the bons are offered by default for a period of a month at most
# Rendering one bon takes about 0.1 s (WeasyPrint, one page, two signatures; measured on the
# development machine): 150 renders keep the download under ~15-30 s, within a web worker's timeout.
MAX_RENDERED_BONS = 150
DATE = "%d/%m/%Y"
DATETIME = "%d/%m/%Y %H:%M"
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
GENERIC = "GENERIC"  # products without a fiche métier: checklists.services.template_for's code


class PeriodError(Refusal, ValueError):
    """The period cannot be used; the message is for the user, in French."""


@dataclass
class Part:
    name: str
    rows: int
    what: str


@dataclass
class Summary:
    """What went into the zip: each file with its row count, and how the bons were obtained."""

    parts: list[Part] = field(default_factory=list)
    bons_included: bool = True
    bons_rendered: int = 0
    bons_copied: int = 0
    render_seconds: float = 0.0
    seconds: float = 0.0


# --- the period ---------------------------------------------------------------------------------


def previous_quarter(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The calendar quarter before the one `today` is in: the default period."""
    today = today or paris_today()
    first_month = 3 * ((today.month - 1) // 3) + 1
    end = dt.date(today.year, first_month, 1) - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end


def check_period(period_from: dt.date | None, period_to: dt.date | None) -> None:
    if period_from is None or period_to is None:
        raise PeriodError(_("Indiquez les deux dates de la période (du … au …)."))
    if period_from > period_to:
        raise PeriodError(_("La date de début (%(a)s) est après la date de fin (%(b)s).",
                            a=period_from.strftime(DATE), b=period_to.strftime(DATE)))
    if days(period_from, period_to) > MAX_DAYS:
        raise PeriodError(_("La période dépasse %(n)s jours : choisissez une année au plus.", n=MAX_DAYS))


def days(period_from: dt.date, period_to: dt.date) -> int:
    """Days in the period, both ends included."""
    return (period_to - period_from).days + 1


def bons_by_default(period_from: dt.date, period_to: dt.date) -> bool:
    return days(period_from, period_to) <= BONS_BY_DEFAULT_DAYS


# --- formatting (the app's CSV conventions) -------------------------------------------------------


def _date(value: dt.date | None) -> str:
    return value.strftime(DATE) if value else ""


def _paris(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives naive UTC back
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(PARIS)


def _datetime(moment: dt.datetime | None) -> str:
    moment = _paris(moment)
    return moment.strftime(DATETIME) if moment else ""


def _paris_date(moment: dt.datetime | None) -> dt.date | None:
    moment = _paris(moment)
    return moment.date() if moment else None


_money = french_amount
_number = french_number


def _yes(value: bool) -> str:
    return _("oui") if value else _("non")


def _norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def slug(text: str) -> str:
    return _norm(text).replace(" ", "-")[:60] or "boutique"


# --- writing into the zip -------------------------------------------------------------------------


class _Zip:
    """The zip being written: every entry dated when the pack was made, readable by all once unpacked."""

    def __init__(self, zf: zipfile.ZipFile, made_at: dt.datetime):
        self.zf = zf
        self.date_time = made_at.timetuple()[:6]

    def info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def csv(self, name: str, header: list[str]) -> "_Csv":
        return _Csv(self.zf.open(self.info(name), "w"), name, header)

    def writestr(self, name: str, data: bytes | str) -> None:
        self.zf.writestr(self.info(name), data)


class _Csv:
    """A CSV entry of the zip, written row by row; counts its rows (the header not included)."""

    def __init__(self, raw: IO[bytes], name: str, header: list[str]):
        self.name = name
        self._raw = raw
        self._text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._text, delimiter=";")
        self._writer.writerow(header)
        self.rows = 0

    def row(self, values: Iterable) -> None:
        self._writer.writerow(["" if v is None else v for v in values])
        self.rows += 1

    def close(self) -> None:
        self._text.flush()
        self._text.detach()
        self._raw.close()

    def __enter__(self) -> "_Csv":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _batches(query, size: int = BATCH, scalars: bool = False) -> Iterator[list]:
    """The rows of `query` (its first entity with `scalars`) a batch at a time, streamed from the database."""
    result = db.session.execute(query.execution_options(yield_per=size))
    if scalars:
        result = result.scalars()
    for partition in result.partitions():
        yield partition


class _Names:
    """The small tables a row refers to (users, sites, product types), read once."""

    def __init__(self) -> None:
        self.users = {u.id: u.display_name for u in db.session.execute(db.select(User)).scalars()}
        self.sites = {s.id: s.name for s in db.session.execute(db.select(RepairSite)).scalars()}
        self.products = {p.id: (p.name, p.fiche_code) for p in db.session.execute(db.select(ProductType)).scalars()}

    def user(self, user_id: int | None) -> str:
        return self.users.get(user_id, "") if user_id else ""

    def product(self, product_type_id: int | None) -> str:
        return self.products.get(product_type_id, ("", None))[0] if product_type_id else ""


def _in_period(column, period_from: dt.date, period_to: dt.date):
    return column.between(period_from, period_to)


def _orders(period_from: dt.date, period_to: dt.date):
    """The orders taken in during the period, with the customer and appliance records."""
    return (db.select(RepairOrder, Customer, Appliance)
            .join(Customer, RepairOrder.customer_id == Customer.id)
            .join(Appliance, RepairOrder.appliance_id == Appliance.id)
            .where(_in_period(RepairOrder.intake_on, period_from, period_to))
            .order_by(RepairOrder.intake_on, RepairOrder.id))


def _as_of_intake(order: RepairOrder, customer: Customer, appliance: Appliance) -> tuple[dict, dict]:
    """The customer and appliance as the bon states them (the intake snapshot), else the records."""
    snap = order.intake_snapshot or {}
    c = snap.get("customer") or {k: getattr(customer, k) for k in ("last_name", "first_name", "postcode", "city")}
    a = snap.get("appliance") or {k: getattr(appliance, k) for k in ("product_type_id", "brand_name", "commercial_reference",
                                                                    "serial_number")}
    return c, a


# --- the parts ------------------------------------------------------------------------------------


def _intake_register(zf, names: _Names, period_from, period_to) -> Part:
    name = "prises_en_charge.csv"
    header = [_("N° dossier"), _("Date de prise en charge"), _("Client"), _("Code postal"), _("Ville"), _("Type d'appareil"),
              _("Marque"), _("Référence commerciale"), _("N° de série / IMEI"), _("Panne décrite par le client"),
              _("Prestation demandée"), _("Lieu de réparation"), _("Technicien"), _("Signé par le client"), _("Signé le"),
              _("Signataire"), _("Statut"), _("Restitué le"), _("Retour sous garantie de")]
    with zf.csv(name, header) as out:
        for batch in _batches(_orders(period_from, period_to)):
            ids = [order.id for order, _c, _a in batch]
            signed = {s.order_id: s for s in db.session.execute(db.select(Signature).where(
                Signature.order_id.in_(ids), Signature.role == "customer")).scalars()}
            origins = {o.id: o.number for o in db.session.execute(db.select(RepairOrder.id, RepairOrder.number).where(
                RepairOrder.id.in_([order.warranty_of_id for order, _c, _a in batch if order.warranty_of_id])))}
            for order, customer, appliance in batch:
                c, a = _as_of_intake(order, customer, appliance)
                s = signed.get(order.id)
                out.row([order.number, _date(order.intake_on), f"{(c.get('last_name') or '').upper()} {c.get('first_name') or ''}".strip(),
                         c.get("postcode"), c.get("city"), names.product(a.get("product_type_id")), a.get("brand_name"),
                         a.get("commercial_reference"), a.get("serial_number"), order.fault_description, order.service_requested,
                         names.sites.get(order.site_id, ""), names.user(order.technician_id), _yes(s is not None),
                         _datetime(s.signed_at) if s else "", s.signer_name if s else "", order.status_label,
                         _date(_paris_date(order.handed_back_at)), origins.get(order.warranty_of_id, "")])
    return Part(name, out.rows, _("registre des prises en charge (dossiers pris en charge dans la période)"))


def _stored_bons(order_ids: list[int]) -> dict[int, StoredFile]:
    """The bon each order's claim sent to the organism (the signed bon, possibly replaced by a scan
    on the rejection workbench), when there is one: copied as it was sent rather than rendered again."""
    by_order: dict[int, int] = {}
    for order_id, attachments in db.session.execute(db.select(Claim.order_id, Claim.attachments).where(
            Claim.order_id.in_(order_ids)).order_by(Claim.id)):
        file_id = (attachments or {}).get("consumer_validation")
        if file_id:
            by_order[order_id] = int(file_id)  # the latest claim wins
    if not by_order:
        return {}
    files = {f.id: f for f in db.session.execute(db.select(StoredFile).where(StoredFile.id.in_(by_order.values()))).scalars()}
    return {order_id: files[file_id] for order_id, file_id in by_order.items() if file_id in files}


def count_bons_to_render(period_from: dt.date, period_to: dt.date) -> int:
    """How many bons of the period would be rendered (the others are copied from the claims)."""
    total = db.session.execute(db.select(func.count(RepairOrder.id)).where(
        _in_period(RepairOrder.intake_on, period_from, period_to))).scalar_one()
    with_claim = db.session.execute(db.select(Claim.order_id, Claim.attachments).join(
        RepairOrder, Claim.order_id == RepairOrder.id).where(_in_period(RepairOrder.intake_on, period_from, period_to))).all()
    copied = {order_id for order_id, attachments in with_claim if (attachments or {}).get("consumer_validation")}
    return total - len(copied)


def _bons(zf, summary: Summary, period_from, period_to, progress: Callable[[int, int], None] | None = None) -> None:
    from ..intake import bon

    storage = get_storage()
    query = (db.select(RepairOrder).where(_in_period(RepairOrder.intake_on, period_from, period_to))
             .order_by(RepairOrder.intake_on, RepairOrder.id))
    total = db.session.execute(db.select(func.count(RepairOrder.id)).where(_in_period(RepairOrder.intake_on, period_from, period_to))).scalar_one()
    done = 0
    for batch in _batches(query, 100, scalars=True):
        stored = _stored_bons([order.id for order in batch])
        for order in batch:
            file = stored.get(order.id)
            if file is not None:
                data = storage.read(file.storage_key)
                ext = EXTENSIONS.get(file.content_type, "pdf")
                summary.bons_copied += 1
            else:
                started = time.perf_counter()
                data, ext = bon.render_pdf(order), "pdf"
                summary.render_seconds += time.perf_counter() - started
                summary.bons_rendered += 1
            zf.writestr(f"bons/{bon.filename(order).rsplit('.', 1)[0]}.{ext}", data)
            done += 1
            if progress is not None and (done % 10 == 0 or done == total):
                progress(done, total)


# controls ---------------------------------------------------------------------------------------

@dataclass
class _Point:
    """A control point as the report shows it: a row of the shop's template, or a default one
    (the shop never opened that checklist, so no template was created)."""

    id: int | None
    position: int
    label: str
    kind: str
    mandatory: bool
    unit: str | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    active: bool = True


def _point(p: ControlPoint) -> _Point:
    return _Point(p.id, p.position, p.label, p.kind, bool(p.mandatory), p.unit, p.min_value, p.max_value, bool(p.active))


KIND_LABELS = {"yes_no": _l("oui / non"), "measure": _l("mesure"), "text": _l("texte"), "choice": _l("choix"), "photo": _l("photo")}


def fiche_label(code: str) -> str:
    return _("Autres produits (sans fiche métier)") if code == GENERIC else FICHES_METIER.get(code, code)


def _templates(fiche: str) -> dict[str, list[_Point]]:
    """Per phase, the active points of the fiche's template (the defaults if the shop has none yet)."""
    out = {}
    for phase in PHASES:
        template = db.session.execute(db.select(ChecklistTemplate).where(
            ChecklistTemplate.fiche_code == fiche, ChecklistTemplate.phase == phase)).scalar_one_or_none()
        if template is None:
            out[phase] = [_Point(None, i, spec["label"], spec["kind"], bool(spec.get("mandatory")), spec.get("unit"),
                                 spec.get("min_value"), spec.get("max_value")) for i, spec in enumerate(defaults.points(fiche, phase))]
        else:
            out[phase] = [_point(p) for p in db.session.execute(db.select(ControlPoint).where(
                ControlPoint.template_id == template.id, ControlPoint.active.is_(True))).scalars()]
    return out


def _fiche_expr():
    return func.coalesce(ProductType.fiche_code, GENERIC)


def _fiches(period_from, period_to) -> list[str]:
    codes = set(db.session.execute(db.select(_fiche_expr()).select_from(RepairOrder)
                                   .join(Appliance, RepairOrder.appliance_id == Appliance.id)
                                   .outerjoin(ProductType, Appliance.product_type_id == ProductType.id)
                                   .where(_in_period(RepairOrder.intake_on, period_from, period_to)).distinct()).scalars())
    return sorted(codes, key=lambda c: (c == GENERIC, c))


def _phase_due(phase: str, order: RepairOrder, answered: bool) -> bool:
    """Whether the order had to have this phase done by now: check-in before any intervention
    (the order left intake), check-out before it was declared repaired."""
    if phase == "checkin":
        return order.status not in (states.INTAKE, states.ABANDONED) or answered
    return order.repaired_at is not None


def _answer_text(point: _Point, answer: ControlAnswer) -> str:
    if point.kind == "measure":
        return ""  # in the measured value column
    if point.kind == "photo":
        return _("photo jointe (%(name)s)", name=answer.value) if answer.value else _("photo jointe")
    return answer.value or ""


def _limits(point: _Point) -> str:
    if point.min_value is None and point.max_value is None:
        return ""
    low = _number(point.min_value) if point.min_value is not None else "…"
    high = _number(point.max_value) if point.max_value is not None else "…"
    return f"{low} – {high}"


def _controls(zf, names: _Names, period_from, period_to) -> list[Part]:
    header = [_("N° dossier"), _("Date de prise en charge"), _("Statut du dossier"), _("Phase"), _("N° du point"), _("Point de contrôle"),
              _("Type"), _("Obligatoire"), _("Réponse"), _("Valeur mesurée"), _("Unité"), _("Limites"), _("Non conforme"),
              _("Répondu par"), _("Répondu le"), _("État")]
    parts, synthesis = [], []
    for fiche in _fiches(period_from, period_to):
        templates = _templates(fiche)
        stats = {phase: {"orders": 0, "due": 0, "complete": 0, "incomplete": 0, "missing": 0} for phase in PHASES}
        name = f"controles/{re.sub(r'[^A-Za-z0-9_-]', '_', fiche)}.csv"
        query = (db.select(RepairOrder).join(Appliance, RepairOrder.appliance_id == Appliance.id)
                 .outerjoin(ProductType, Appliance.product_type_id == ProductType.id)
                 .where(_in_period(RepairOrder.intake_on, period_from, period_to), _fiche_expr() == fiche)
                 .order_by(RepairOrder.intake_on, RepairOrder.id))
        with zf.csv(name, header) as out:
            for batch in _batches(query, scalars=True):
                answers: dict[tuple[int, str], list[tuple[ControlPoint, ControlAnswer]]] = {}
                for answer, point, phase in db.session.execute(
                        db.select(ControlAnswer, ControlPoint, ChecklistTemplate.phase)
                        .join(ControlPoint, ControlAnswer.point_id == ControlPoint.id)
                        .join(ChecklistTemplate, ControlPoint.template_id == ChecklistTemplate.id)
                        .where(ControlAnswer.order_id.in_([o.id for o in batch]))):
                    answers.setdefault((answer.order_id, phase), []).append((point, answer))
                for order in batch:
                    for phase, phase_label in PHASES.items():
                        given = {point.id: (_point(point), answer) for point, answer in answers.get((order.id, phase), [])}
                        shown = {p.id: (p, None) for p in templates[phase] if p.id is not None}
                        shown.update(given)
                        points = list(shown.values()) + [(p, None) for p in templates[phase] if p.id is None]
                        points.sort(key=lambda pa: (pa[0].position, not pa[0].active, pa[0].id or 0))
                        due = _phase_due(phase, order, bool(given))
                        missing = 0
                        for point, answer in points:
                            if answer is not None:
                                state = _("répondu") if point.active else _("répondu (point retiré depuis)")
                            elif point.mandatory and due:
                                state, missing = _("manquant"), missing + 1
                            elif point.mandatory:
                                state = _("pas encore exigé")
                            else:
                                state = _("non renseigné (facultatif)")
                            out.row([order.number, _date(order.intake_on), order.status_label, str(phase_label), point.position + 1,
                                     point.label, str(KIND_LABELS.get(point.kind, point.kind)), _yes(point.mandatory),
                                     _answer_text(point, answer) if answer else "",
                                     _number(answer.number) if answer else "", point.unit or "", _limits(point),
                                     _yes(answer.out_of_limits) if answer else "", names.user(answer.answered_by_id) if answer else "",
                                     _datetime(answer.answered_at) if answer else "", state])
                        s = stats[phase]
                        s["orders"] += 1
                        if due:
                            s["due"] += 1
                            s["missing"] += missing
                            s["complete" if missing == 0 else "incomplete"] += 1
        parts.append(Part(name, out.rows, _("contrôles à l'entrée et à la sortie, fiche « %(f)s » : un point par ligne",
                                            f=fiche_label(fiche))))
        for phase, phase_label in PHASES.items():
            s = stats[phase]
            synthesis.append([fiche, fiche_label(fiche), str(phase_label), s["orders"], s["due"], s["complete"], s["incomplete"],
                              s["missing"]])
    name = "controles/synthese.csv"
    with zf.csv(name, [_("Fiche métier"), _("Libellé"), _("Phase"), _("Dossiers"), _("Dossiers où la phase est exigée"),
                         _("Dossiers complets"), _("Dossiers incomplets"), _("Points obligatoires manquants")]) as out:
        for row in synthesis:
            out.row(row)
    parts.append(Part(name, out.rows, _("synthèse par fiche métier et phase : dossiers, points obligatoires manquants")))
    return parts


# returns ----------------------------------------------------------------------------------------

def same_fault(origin: RepairOrder, back: RepairOrder) -> str:
    """oui / non when the symptom codes say it (or the customer's words are the same), else "à vérifier"."""
    if origin.symptom_code and back.symptom_code:
        return _yes(origin.symptom_code.strip().upper() == back.symptom_code.strip().upper())
    if _norm(origin.fault_description) and _norm(origin.fault_description) == _norm(back.fault_description):
        return _("oui")
    return _("à vérifier")


def _pairs(link, period_from, period_to, *where) -> Iterator[tuple[RepairOrder, RepairOrder, Appliance, dt.date | None, bool]]:
    """(the later order, the repair it is linked to by `link`, its appliance, the day that repair was
    handed back, whether a bonus is claimed on the later order), for later orders taken in during the
    period, in intake order."""
    origin = aliased(RepairOrder)
    query = (db.select(RepairOrder, origin, Appliance)
             .join(origin, link == origin.id)
             .join(Appliance, RepairOrder.appliance_id == Appliance.id)
             .where(_in_period(RepairOrder.intake_on, period_from, period_to), *where)
             .order_by(RepairOrder.intake_on, RepairOrder.id))
    for batch in _batches(query):
        claimed = set(db.session.execute(db.select(Claim.order_id).where(
            Claim.order_id.in_([back.id for back, _o, _a in batch]), Claim.status != "cancelled")).scalars())
        for back, first, appliance in batch:
            yield back, first, appliance, _paris_date(first.handed_back_at), back.id in claimed


def _returns(zf, names: _Names, period_from, period_to) -> Part:
    name = "retours_3_mois.csv"
    header = [_("Dossier d'origine"), _("Pris en charge le"), _("Restitué le"), _("Fin de la garantie de 3 mois"), _("Dossier du retour"),
              _("Retour pris en charge le"), _("Jours écoulés"), _("Type d'appareil"), _("Marque"), _("N° de série / IMEI"),
              _("Panne d'origine"), _("Panne au retour"), _("Même panne"), _("Issue du retour"), _("Retour restitué le"),
              _("Bonus demandé sur le retour")]
    with zf.csv(name, header) as out:
        for back, first, appliance, handed_back, claimed in _pairs(RepairOrder.warranty_of_id, period_from, period_to):
            out.row([first.number, _date(first.intake_on), _date(handed_back), _date(warranty_ends(handed_back)) if handed_back else "",
                     back.number, _date(back.intake_on), (back.intake_on - handed_back).days if handed_back else "",
                     names.product(appliance.product_type_id), appliance.brand_name, appliance.serial_number,
                     first.fault_description, back.fault_description, same_fault(first, back), back.status_label,
                     _date(_paris_date(back.handed_back_at)), _yes(claimed)])
    return Part(name, out.rows, _("retours sous garantie (3 mois, référentiel §6.1.5) pris en charge dans la période, "
                                  "avec la réparation d'origine"))


def _set_aside_returns(zf, names: _Names, period_from, period_to) -> Part:
    """Repairs first linked as returns that a person set aside, with the reason they gave: the auditor
    sees why they are not in retours_3_mois.csv (and why a bonus could be claimed for them)."""
    name = "retours_ecartes.csv"
    header = [_("Dossier d'origine"), _("Restitué le"), _("Dossier écarté"), _("Pris en charge le"), _("Jours écoulés"),
              _("Type d'appareil"), _("Marque"), _("N° de série / IMEI"), _("Panne d'origine"), _("Panne de ce dossier"),
              _("Motif de l'écart"), _("Bonus demandé")]
    with zf.csv(name, header) as out:
        for back, first, appliance, handed_back, claimed in _pairs(RepairOrder.warranty_unlinked_from_id, period_from, period_to,
                                                                   RepairOrder.warranty_of_id.is_(None)):
            out.row([first.number, _date(handed_back), back.number, _date(back.intake_on),
                     (back.intake_on - handed_back).days if handed_back else "",
                     names.product(appliance.product_type_id), appliance.brand_name, appliance.serial_number,
                     first.fault_description, back.fault_description, back.warranty_unlinked_reason or "", _yes(claimed)])
    return Part(name, out.rows, _("dossiers d'abord liés à une réparation de moins de 3 mois puis écartés comme retours "
                                  "par l'atelier, avec le motif donné"))


# complaints -------------------------------------------------------------------------------------

def complaint_state(complaint: Complaint, today: dt.date) -> tuple[bool, str]:
    """(late, state in words)."""
    if complaint.answered_on is None:
        return (True, _("en retard, sans réponse")) if complaint.overdue(today) else (False, _("à répondre"))
    return (True, _("répondu hors délai")) if complaint.late_answer() else (False, _("répondu dans le délai"))


def _complaints(zf, period_from, period_to, today: dt.date) -> Part:
    name = "reclamations.csv"
    query = (db.select(Complaint, RepairOrder.number).outerjoin(RepairOrder, Complaint.order_id == RepairOrder.id)
             .where(_in_period(Complaint.received_on, period_from, period_to)).order_by(Complaint.received_on, Complaint.id))
    header = [_("Reçue le"), _("Reçue par"), _("Client"), _("Dossier concerné"), _("Réclamation"), _("Réponse attendue le"),
              _("Réponse"), _("Répondu le"), _("En retard"), _("État")]
    with zf.csv(name, header) as out:
        for batch in _batches(query):
            for complaint, order_number in batch:
                late, state = complaint_state(complaint, today)
                out.row([_date(complaint.received_on), str(CHANNELS.get(complaint.channel, complaint.channel)), complaint.customer_name,
                         order_number or "", complaint.text, _date(complaint.due_on), complaint.answer or "",
                         _date(complaint.answered_on), _yes(late), state])
    return Part(name, out.rows, _("réclamations écrites reçues dans la période, réponses et délai de 8 jours ouvrés"))


# claims and payments ----------------------------------------------------------------------------

def _category(claim: Claim, today: dt.date, late_after: int) -> tuple[str, int | None]:
    """Where the claim's money stands: the rules of `claims.payments.control`, one claim at a time."""
    if claim.amount_paid is not None:
        return ("short" if claim.amount_paid < claim.bonus_amount else "paid"), None
    if claim.status == "rejected":
        return "rejected", None
    if claim.submitted_at is None:
        return "waiting", None
    age = (today - claim.submitted_at.date()).days
    return ("late" if age > late_after else "unpaid"), age


def _add_totals(into: dict, rows: list[payments.ControlRow]) -> None:
    for t in payments.totals(rows):
        key = (t["organism"], t["month"])
        if key not in into:
            into[key] = t
        else:
            for k in ("count", "asked", "accepted", "paid", "due", "rejected"):
                into[key][k] += t[k]


def _claims(zf, shop: Shop, period_from, period_to, today: dt.date) -> tuple[Part, dict]:
    name = "demandes_bonus.csv"
    late_after = shop.payment_late_days or 60
    query = (db.select(Claim, Invoice.number, Invoice.issued_on, RepairOrder.number)
             .join(Invoice, Claim.invoice_id == Invoice.id).join(RepairOrder, Claim.order_id == RepairOrder.id)
             .where(_in_period(Invoice.issued_on, period_from, period_to), Claim.status != "cancelled")
             .order_by(Invoice.issued_on, Claim.id))
    header = [_("Organisme"), _("N° facture"), _("Date de la facture"), _("N° dossier"), _("Id. de la demande"), _("Statut"),
              _("Contrôle"), _("Bonus demandé"), _("Montant accepté"), _("Montant payé"), _("Payé le"), _("Écart"),
              _("Motif / message de l'organisme")]
    totals: dict = {}
    with zf.csv(name, header) as out:
        for batch in _batches(query):
            rows = []
            for claim, invoice_number, issued_on, order_number in batch:
                category, age = _category(claim, today, late_after)
                rows.append(payments.ControlRow(claim, invoice_number, issued_on, category, age, None))
                gap = (claim.bonus_amount - claim.amount_paid) if claim.amount_paid is not None else None
                out.row([claim.organism, invoice_number, _date(issued_on), order_number, claim.external_id or "", claim.status_label,
                         str(payments.CATEGORY_LABELS[category]), _money(claim.bonus_amount), _money(claim.amount_accepted),
                         _money(claim.amount_paid), _date(claim.paid_on), _money(gap), claim.status_text or ""])
            _add_totals(totals, rows)
    return Part(name, out.rows, _("demandes de bonus des factures émises dans la période (hors demandes annulées)")), totals


def _payments(zf, period_from, period_to) -> Part:
    name = "paiements.csv"
    query = (db.select(ClaimPayment, Invoice.number, RepairOrder.number)
             .outerjoin(Claim, ClaimPayment.claim_id == Claim.id)
             .outerjoin(Invoice, Claim.invoice_id == Invoice.id)
             .outerjoin(RepairOrder, Claim.order_id == RepairOrder.id)
             .where(_in_period(ClaimPayment.paid_on, period_from, period_to))
             .order_by(ClaimPayment.paid_on, ClaimPayment.id))
    header = [_("Organisme"), _("Référence du paiement"), _("Payé le"), _("Id. de la demande"), _("N° facture (relevé)"),
              _("Montant"), _("Demande rapprochée : facture"), _("Demande rapprochée : dossier"), _("Source"), _("Importé le")]
    with zf.csv(name, header) as out:
        for batch in _batches(query):
            for p, invoice_number, order_number in batch:
                out.row([p.organism, p.reference, _date(p.paid_on), p.external_id or "", p.invoice_number or "", _money(p.amount),
                         invoice_number or _("non rapprochée"), order_number or "", p.source, _datetime(p.imported_at)])
    return Part(name, out.rows, _("paiements des organismes reçus dans la période (relevés importés)"))


def _financial_summary(zf, totals: dict) -> Part:
    name = "synthese_financiere.csv"
    header = [_("Organisme"), _("Mois de facture"), _("Demandes"), _("Bonus demandé"), _("Accepté"), _("Payé"), _("Reste dû"),
              _("Refusé")]
    with zf.csv(name, header) as out:
        for key in sorted(totals, key=lambda k: (k[1], k[0])):
            t = totals[key]
            year, month = t["month"].split("-")
            out.row([t["organism"], f"{month}/{year}", t["count"], _money(t["asked"]), _money(t["accepted"]), _money(t["paid"]),
                     _money(t["due"]), _money(t["rejected"])])
    return Part(name, out.rows, _("totaux par organisme et mois de facture des demandes ci-dessus"))


# the readme -------------------------------------------------------------------------------------

def _readme(shop: Shop, period_from, period_to, generated_at: dt.datetime, generated_by: str, summary: Summary) -> str:
    lines = [_("Dossier d'audit QualiRépar"), "=" * 26, "",
             _("Boutique : %(v)s", v=shop.name),
             _("SIRET : %(v)s", v=shop.siret),
             _("N° de label QualiRépar : %(v)s", v=shop.label_number or _("non renseigné"))]
    if shop.label_valid_until:
        lines.append(_("Label valide jusqu'au : %(v)s", v=_date(shop.label_valid_until)))
    if shop.address_lines:
        lines.append(_("Adresse : %(v)s", v=", ".join(shop.address_lines)))
    lines += [_("Période : du %(a)s au %(b)s inclus (%(n)s jours)", a=_date(period_from), b=_date(period_to),
                n=days(period_from, period_to)),
              _("Généré le : %(v)s (heure de Paris)", v=generated_at.strftime(DATETIME)),
              _("Par : %(v)s", v=generated_by), "", _("Contenu"), "-------"]
    for part in summary.parts:
        lines.append(_("- %(name)s : %(n)s ligne(s) ; %(what)s", name=part.name, n=part.rows, what=part.what))
    if summary.bons_included:
        lines.append(_("- bons/ : %(n)s bon(s) de prise en charge, un par dossier pris en charge dans la période : "
                       "%(c)s copié(s) tel(s) que transmis à l'organisme avec la demande de bonus, %(r)s produit(s) pour ce "
                       "dossier à partir des données enregistrées (signatures comprises)",
                       n=summary.bons_copied + summary.bons_rendered, c=summary.bons_copied, r=summary.bons_rendered))
    else:
        lines.append(_("- bons/ : non inclus (option « inclure les bons en PDF » décochée). Chaque bon s'ouvre depuis "
                       "la fiche du dossier."))
    lines += ["", _("Conventions"), "-----------",
              _("Fichiers CSV : séparateur point-virgule, encodage UTF-8 (avec BOM), montants en euros avec une virgule "
                "décimale, dates au format JJ/MM/AAAA, heures de Paris."),
              _("Période : prises en charge, bons et contrôles = dossiers dont la date de prise en charge est dans la période ; "
                "retours = retours pris en charge dans la période ; réclamations = reçues dans la période ; demandes de bonus = "
                "factures émises dans la période ; paiements = reçus dans la période."),
              _("Contrôles : un point obligatoire est « manquant » quand la phase était exigée (contrôles à l'entrée dès que le "
                "dossier a quitté la prise en charge, contrôles à la sortie dès que la réparation est déclarée terminée) "
                "sans réponse."),
              _("Retours : une réparation est un retour quand le même appareil revient moins de 3 mois calendaires après "
                "sa restitution ; aucun second bonus n'est demandé pour un retour."),
              _("Réclamations : réponse écrite attendue sous 8 jours ouvrés (jours fériés exclus)."), ""]
    return "\r\n".join(lines)


# the pack ---------------------------------------------------------------------------------------

def build(period_from: dt.date, period_to: dt.date, out: IO[bytes], *, include_bons: bool = True, generated_by: str = "",
          now: dt.datetime | None = None, progress: Callable[[int, int], None] | None = None) -> Summary:
    """Write the audit pack of the current shop for the period (both ends included) into `out`."""
    shop_id = current_shop_id()
    if shop_id is None:
        raise RuntimeError("the audit pack is built as one shop (tenancy.as_shop or a logged-in request)")
    check_period(period_from, period_to)
    started = time.perf_counter()
    shop = db.session.get(Shop, shop_id)
    generated_at = _paris(now or dt.datetime.now(dt.timezone.utc))
    today = generated_at.date()
    names = _Names()
    summary = Summary(bons_included=include_bons)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        zf = _Zip(archive, generated_at)
        summary.parts.append(_intake_register(zf, names, period_from, period_to))
        summary.parts.extend(_controls(zf, names, period_from, period_to))
        summary.parts.append(_returns(zf, names, period_from, period_to))
        summary.parts.append(_set_aside_returns(zf, names, period_from, period_to))
        summary.parts.append(_complaints(zf, period_from, period_to, today))
        claims_part, totals = _claims(zf, shop, period_from, period_to, today)
        summary.parts.append(claims_part)
        summary.parts.append(_payments(zf, period_from, period_to))
        summary.parts.append(_financial_summary(zf, totals))
        if include_bons:
            _bons(zf, summary, period_from, period_to, progress)
        zf.writestr("LISEZMOI.txt", "\ufeff" + _readme(shop, period_from, period_to, generated_at, generated_by, summary))
    summary.seconds = time.perf_counter() - started
    return summary


def audit_changes(summary: Summary, period_from: dt.date, period_to: dt.date) -> dict:
    """What the audit log keeps of a pack, downloaded or built by a worker."""
    return {
        "period": (None, f"{period_from.isoformat()} / {period_to.isoformat()}"),
        "files": (None, {part.name: part.rows for part in summary.parts}),
        "bons": (None, summary.bons_copied + summary.bons_rendered if summary.bons_included else None),
    }


def filename(shop: Shop, period_from: dt.date, period_to: dt.date) -> str:
    return f"dossier-audit-{slug(shop.name)}-{period_from.isoformat()}-{period_to.isoformat()}.zip"
