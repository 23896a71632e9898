"""The shop's bon de prise en charge: its settings, the form built from them, the values of the
extra fields, and the drafts saved while a bon is being filled in."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from wtforms import DateField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..audit import utcnow
from ..core import forms as v
from ..core.forms import FrenchDecimalField
from ..core.refusal import Refusal
from ..extensions import db
from ..repairs.forms import REQUIRED, IntakeForm
from . import bon_fields as F
from .models import IntakeCustomField, IntakeDraft, IntakeSettings

DRAFT_KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_DRAFT_VALUE = 4000  # characters kept per field of a draft (the longest field of the bon)
YES_NO = [("oui", _l("Oui")), ("non", _l("Non"))]


def settings() -> IntakeSettings:
    """The current shop's settings (defaults until the owner saves them)."""
    row = db.session.execute(db.select(IntakeSettings)).scalar_one_or_none()
    return row if row is not None else IntakeSettings(field_states={}, terms="")


def custom_fields(include_hidden: bool = True) -> list[IntakeCustomField]:
    query = db.select(IntakeCustomField).order_by(IntakeCustomField.position, IntakeCustomField.id)
    if not include_hidden:
        query = query.where(IntakeCustomField.state != F.HIDDEN)
    return list(db.session.execute(query).scalars())


@dataclass
class ExtraSpec:
    """One extra field on today's bon (a known optional one, or one of the shop's own)."""

    key: str
    label: str
    kind: str  # text, phone, number, date, choice, yes_no
    required: bool
    choices: tuple = ()
    help: str | None = None


def extra_specs(states: dict | None = None, customs: list[IntakeCustomField] | None = None) -> list[ExtraSpec]:
    """The extra fields the bon shows, in order: the known ones first, then the shop's own."""
    states = settings().field_states if states is None else states
    customs = custom_fields(include_hidden=False) if customs is None else customs
    specs = []
    for f in F.EXTRA:
        state = F.extra_state(states, f.key)
        if state != F.HIDDEN:
            specs.append(ExtraSpec(f.key, str(f.label), f.kind, state == F.REQUIRED, tuple(str(c) for c in f.choices),
                                   str(f.help) if f.help else None))
    for c in customs:
        if c.state != F.HIDDEN:
            specs.append(ExtraSpec(c.key, c.label, c.kind, c.state == F.REQUIRED, tuple(c.choices or ()), c.help))
    return specs


def _required_copy(unbound):
    """The same form field with its Optional validator replaced by a required one."""
    validators = [REQUIRED] + [x for x in unbound.kwargs.get("validators", []) if not isinstance(x, Optional)]
    return unbound.field_class(*unbound.args, **{**unbound.kwargs, "validators": validators})


def _extra_field(spec: ExtraSpec):
    first = InputRequired(_l("Ce champ est obligatoire.")) if spec.required else Optional()
    kw = {"description": spec.help or ""}
    if spec.kind == "text":
        return StringField(spec.label, validators=[first, Length(max=500)], **kw)
    if spec.kind == "phone":
        return StringField(spec.label, validators=[first, v.phone], **kw)
    if spec.kind == "number":
        return FrenchDecimalField(spec.label, validators=[first, NumberRange(
            min=-1_000_000_000, max=1_000_000_000, message=_l("Nombre hors limites."))], **kw)
    if spec.kind == "date":
        return DateField(spec.label, validators=[first], **kw)
    if spec.kind == "choice":
        return SelectField(spec.label, choices=[("", "—")] + [(c, c) for c in spec.choices], validators=[first], **kw)
    if spec.kind == "yes_no":
        return RadioField(spec.label, choices=YES_NO, validators=[first], **kw)
    raise ValueError(spec.kind)


def form_class(states: dict | None = None, specs: list[ExtraSpec] | None = None) -> type[IntakeForm]:
    """The intake form of this shop: the label's fields (some made required) and the extra ones."""
    states = settings().field_states if states is None else states
    specs = extra_specs(states) if specs is None else specs

    class ShopIntakeForm(IntakeForm):
        pass

    for lf in F.LABEL_OPTIONAL:
        if F.label_state(states, lf.key) == F.REQUIRED:
            setattr(ShopIntakeForm, lf.key, _required_copy(getattr(IntakeForm, lf.key)))
    for spec in specs:
        setattr(ShopIntakeForm, spec.key, _extra_field(spec))
    ShopIntakeForm.extra_specs = specs
    return ShopIntakeForm


def extra_values(form: IntakeForm) -> dict:
    """What the extra fields hold, as stored on the order: label and kind kept with the value."""
    out = {}
    for spec in form.extra_specs:
        data = form[spec.key].data
        if data in (None, ""):
            continue
        if isinstance(data, dt.date):
            data = data.isoformat()
        elif isinstance(data, Decimal):
            data = format(data, "f")
        out[spec.key] = {"label": spec.label, "kind": spec.kind, "value": str(data)}
    return out


def display_value(item: dict) -> str:
    """An extra value as printed on the bon and the order page."""

    kind, value = item.get("kind"), item.get("value", "")
    try:
        if kind == "date":
            return format_date(dt.date.fromisoformat(value), "short")
        if kind == "number":
            return format_decimal(Decimal(value))
    except (ValueError, ArithmeticError):
        return value
    if kind == "yes_no":
        return _("Oui") if value == "oui" else _("Non")
    return value


# --- settings -------------------------------------------------------------------------------


def save_states(states: dict, terms: str) -> IntakeSettings:
    """Keep the owner's choices; a label field can only be shown or required, never hidden."""
    clean = {}
    for lf in F.LABEL_OPTIONAL:
        if states.get(lf.key) == F.REQUIRED:
            clean[lf.key] = F.REQUIRED
    for f in F.EXTRA:
        state = states.get(f.key, F.HIDDEN)
        if state in (F.SHOWN, F.REQUIRED):
            clean[f.key] = state
    row = db.session.execute(db.select(IntakeSettings)).scalar_one_or_none()
    if row is None:
        row = IntakeSettings()
        db.session.add(row)
    row.field_states, row.terms = clean, (terms or "").strip()
    db.session.commit()
    return row


def slug_key(label: str) -> str:
    """c_<ascii words of the label>, unique in the shop."""
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    base = "c_" + (re.sub(r"[^a-z0-9]+", "_", ascii_).strip("_")[:30] or "champ")
    taken = set(db.session.execute(db.select(IntakeCustomField.key)).scalars())
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def parse_choices(text: str) -> list[str]:
    seen, out = set(), []
    for line in (text or "").splitlines():
        line = line.strip()
        if line and line.lower() not in seen:
            seen.add(line.lower())
            out.append(line[:100])
    return out


def move_custom(field: IntakeCustomField, step: int) -> None:
    rows = custom_fields()
    i = rows.index(field)
    j = i + step
    if 0 <= j < len(rows):
        rows[i], rows[j] = rows[j], rows[i]
    for pos, row in enumerate(rows):
        row.position = pos
    db.session.commit()


# --- drafts ---------------------------------------------------------------------------------


class DraftRefused(Refusal, ValueError):
    pass


def draft(key: str, user_id: int, create: bool = False) -> IntakeDraft | None:
    if not DRAFT_KEY.match(key or ""):
        raise DraftRefused(_("Brouillon inconnu."))
    row = db.session.execute(db.select(IntakeDraft).where(IntakeDraft.key == key)).scalar_one_or_none()
    if row is not None and row.user_id != user_id:
        raise DraftRefused(_("Ce brouillon appartient à un autre utilisateur."))
    if row is None and create:
        row = IntakeDraft(key=key, user_id=user_id, data={})
        db.session.add(row)
    return row


def save_draft(key: str, user_id: int, values: dict) -> IntakeDraft:
    """Merge the values sent (all fields of the form, or only those typed offline) into the draft."""

    row = draft(key, user_id, create=True)
    if row.id is None:
        try:
            with db.session.begin_nested():
                db.session.flush()
        except IntegrityError:  # the same new draft's first two saves crossed: merge into the one stored
            row = draft(key, user_id)
    data = dict(row.data or {})
    for name, value in values.items():
        if name in ("csrf_token", "_field") or name.startswith("_"):
            continue
        data[name[:60]] = str(value)[:MAX_DRAFT_VALUE]
    row.data, row.updated_at = data, utcnow()
    db.session.commit()
    return row


def drafts_of(user_id: int) -> list[IntakeDraft]:
    return list(db.session.execute(db.select(IntakeDraft).where(IntakeDraft.user_id == user_id)
                                   .order_by(IntakeDraft.updated_at.desc())).scalars())


def discard_draft(key: str, user_id: int) -> None:
    row = draft(key, user_id)
    if row is not None:
        db.session.delete(row)
        db.session.commit()


DRAFT_KEEP_DAYS = 30


def purge_old_drafts(days: int = DRAFT_KEEP_DAYS) -> int:
    """Bons abandoned half-typed for more than `days` days leave the server (the nightly schedule)."""

    limit = utcnow() - dt.timedelta(days=days)
    result = db.session.execute(delete(IntakeDraft).where(IntakeDraft.updated_at < limit), execution_options={"all_shops": True})
    db.session.commit()
    return result.rowcount or 0
