"""The shop's e-invoicing settings (one row per shop): the option for VAT on debits, the VAT regime
that sets the e-reporting periods, and the plateforme agréée (PA) the invoices go through.

`settings_for(shop_id)` answers the defaults when the shop has saved nothing yet: no option for the
debits, réel normal mensuel (the strictest period), the outbox provider (files kept, nothing sent).
"""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped, as_shop

# The VAT regimes, as far as they set the e-reporting periods (CGI art. 290 A; décret 2022-1299,
# art. 242 nonies K of annexe II as amended): see einvoice.ereporting for the periods themselves.
REEL_MENSUEL = "reel_mensuel"  # réel normal, CA3 each month
REEL_TRIMESTRIEL = "reel_trimestriel"  # réel normal, CA3 each quarter (VAT due under 4 000 € a year)
REEL_SIMPLIFIE = "reel_simplifie"  # régime simplifié d'imposition (CA12)
FRANCHISE = "franchise"  # franchise en base (CGI art. 293 B): no VAT charged
VAT_REGIMES = {
    REEL_MENSUEL: _l("Réel normal, déclaration mensuelle"),
    REEL_TRIMESTRIEL: _l("Réel normal, déclaration trimestrielle"),
    REEL_SIMPLIFIE: _l("Réel simplifié"),
    FRANCHISE: _l("Franchise en base de TVA"),
}

OUTBOX, SANDBOX = "outbox", "sandbox"  # einvoice.pa.registry holds the implementations
PA_PROVIDERS = {
    OUTBOX: _l("Dossier d'envoi de la boutique (rien n'est transmis)"),
    SANDBOX: _l("Plateforme de démonstration (bac à sable)"),
}

DEFAULTS = {"option_debits": False, "vat_regime": REEL_MENSUEL, "pa_provider": OUTBOX}


class EinvoiceSettings(TenantScoped, Audited, db.Model):
    """One row per shop."""

    __tablename__ = "einvoice_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # «Option pour le paiement de la taxe d'après les débits» (CGI art. 269, 2, c; printed on invoices, CGI art. 242 nonies A)
    option_debits: Mapped[bool] = mapped_column(Boolean, default=False)
    vat_regime: Mapped[str] = mapped_column(String(20), default=REEL_MENSUEL)  # a key of VAT_REGIMES
    pa_provider: Mapped[str] = mapped_column(String(20), default=OUTBOX)  # a key of PA_PROVIDERS
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("shop_id"),)

    @property
    def vat_regime_label(self) -> str:
        return str(VAT_REGIMES.get(self.vat_regime, self.vat_regime))

    @property
    def pa_provider_label(self) -> str:
        return str(PA_PROVIDERS.get(self.pa_provider, self.pa_provider))


def settings_for(shop_id: int) -> EinvoiceSettings:
    """The shop's row, or an unsaved one with the defaults (never added to the session)."""
    with as_shop(shop_id):
        row = db.session.execute(db.select(EinvoiceSettings).where(EinvoiceSettings.shop_id == shop_id)).scalar_one_or_none()
    if row is None:
        row = EinvoiceSettings(shop_id=shop_id, **DEFAULTS)
    return row


def save(shop_id: int, *, option_debits: bool, vat_regime: str, pa_provider: str) -> EinvoiceSettings:
    """Create or update the shop's row (the caller commits). Unknown choices are the form's to refuse."""
    if vat_regime not in VAT_REGIMES or pa_provider not in PA_PROVIDERS:
        raise ValueError(f"unknown choice: {vat_regime!r} / {pa_provider!r}")
    with as_shop(shop_id):
        row = db.session.execute(db.select(EinvoiceSettings).where(EinvoiceSettings.shop_id == shop_id)).scalar_one_or_none()
        if row is None:
            row = EinvoiceSettings(shop_id=shop_id)
            db.session.add(row)
        row.option_debits, row.vat_regime, row.pa_provider = bool(option_debits), vat_regime, pa_provider
        db.session.flush()
    return row
