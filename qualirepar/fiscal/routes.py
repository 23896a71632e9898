"""The owner's compliance page (Paramètres → Conformité caisse): the last verification of the
signed chain, a button that runs one (inline: a shop's chain checks in seconds), the public key."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..permissions import allow
from ..rendering import redirect_to, render
from ..tenancy import current_shop_id
from . import bp, kinds
from .keys import public_key_pem
from .models import FiscalChain, FiscalEntry
from .verify import last_check, run_check


@bp.route("/parametres/conformite-caisse")
@allow("owner")
def compliance():
    shop_id = current_shop_id()
    public_pem = public_key_pem(shop_id)  # created on first use
    db.session.commit()
    chain = db.session.execute(db.select(FiscalChain).where(FiscalChain.shop_id == shop_id)).scalar_one()
    recent = db.session.execute(db.select(FiscalEntry).order_by(FiscalEntry.seq.desc()).limit(10)).scalars().all()
    return render("fiscal/compliance.html", check=last_check(shop_id), chain=chain, public_pem=public_pem,
                  recent=recent, labels=kinds.LABELS, CHECK_OK=kinds.CHECK_OK)


@bp.route("/parametres/conformite-caisse/verifier", methods=["POST"])
@allow("owner")
def run_verification():
    report, _check = run_check(current_shop_id(), current_user.id)
    if report.ok:
        flash(_("Chaîne intègre : %(n)d écritures et %(r)d enregistrements vérifiés.", n=report.entries, r=report.rows), "success")
    else:
        flash(_("Chaîne rompue : %(m)s", m=report.first.message), "danger")
    return redirect_to("fiscal.compliance")
