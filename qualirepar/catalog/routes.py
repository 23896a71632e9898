
from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core.clock import paris_today
from ..eco.models import ORGANISMS
from ..extensions import db
from ..permissions import ANY_ROLE, allow
from ..rendering import redirect_to, render
from . import bp, eligibility, pickers, services
from .forms import BonusFilterForm, EligibilityForm
from .models import Brand, CatalogSync, ProductType


@bp.get("/bonus")
@allow(*ANY_ROLE)
def bonus():
    """The bonus table as of a date, filtered by family, organism and text."""
    form = BonusFilterForm(request.args)
    form.family.choices = [("", _("Toutes"))] + [(f, f) for f in services.families()]
    day = form.date.data if form.validate() and form.date.data else paris_today()
    rows = services.bonus_table(day, form.family.data or None, form.organism.data or None, form.q.data)
    return render("catalog/bonus.html", "catalog/_bonus_rows.html", form=form, rows=rows, day=day)


@bp.get("/marques")
@allow(*ANY_ROLE)
def brands():
    """Brand search: results as you type from the second letter, with who covers each brand."""
    q = request.args.get("q", "")
    return render("catalog/brands.html", "catalog/_brand_results.html", q=q, results=services.search_brands(q),
                  organisms=ORGANISMS)


@bp.get("/marques/options")
@allow(*ANY_ROLE)
def brand_options():
    """<option>s for a brand input's datalist."""
    return render("catalog/_brand_options.html", results=services.search_brands(request.args.get("brand", "")))


def _eligibility_form() -> EligibilityForm:
    form = EligibilityForm()
    form.product_type.choices = services.grouped_product_choices(_("Autres"))
    form.repair_date.data = form.repair_date.data or paris_today()
    return form


@bp.route("/eligibilite", methods=["GET", "POST"])
@allow(*ANY_ROLE)
def check_eligibility():
    """Eligible or not, who pays and how much, with each reason in plain French."""
    form = _eligibility_form()
    verdict = brand = None
    if form.validate_on_submit():
        brand = services.brand_by_name(form.brand.data)
        verdict = eligibility.check(form.product_type.data, brand.id if brand else None, form.repair_date.data,
                                    form.total_incl_vat.data, form.reused_part.data, shop_id=current_user.shop_id,
                                    business_customer=form.business_customer.data)
        if brand is None:
            suggestions = services.search_brands(form.brand.data, limit=5)
            if suggestions:
                verdict.notes.append(_("Marques proches : %(names)s.", names=", ".join(b.name for b in suggestions)))
    status = 422 if request.method == "POST" and form.errors else 200
    return render("catalog/eligibility.html", "catalog/_eligibility_result.html", form=form, verdict=verdict,
                  brand=brand, product=db.session.get(ProductType, form.product_type.data) if form.product_type.data else None,
                  organisms=ORGANISMS, status=status)


@bp.get("/codes")
@allow(*ANY_ROLE)
def codes():
    """Code picker: symptom, repair and condition codes by code or label, for a product or all."""
    kind = request.args.get("kind") or None
    product = request.args.get("product", type=int)
    results = services.search_codes(request.args.get("q", ""), kind, product, request.args.get("organism") or None)
    return render("catalog/codes.html", "catalog/_code_results.html", results=results, q=request.args.get("q", ""),
                  kind=kind, target=request.args.get("target"), products=services.product_choices(), product=product)


@bp.app_template_global()
def repair_code_picker(product_type_id, brand_id, selected: str | None, text: str = "", business: bool = False) -> dict:
    """What the quote's repair-code picker shows: the paying organism's codes for the product."""
    brand = db.session.get(Brand, brand_id) if brand_id else None
    organism = brand.organism if brand else None
    everything = pickers.repair_code_choices(product_type_id, organism)
    choices = [c for c in everything if pickers.matches(text, c.code, c.label)]
    selected = selected or ""
    current = next((c for c in everything if c.code == selected), None)
    if current and current not in choices:
        choices.insert(0, current)
    verdict = pickers.intake_verdict(product_type_id, brand.name if brand else None, current_user.shop_id, business_customer=business)
    return {"choices": choices, "selected": selected, "selected_label": current.label if current else None, "text": text,
            "required": verdict.eligible, "organism": verdict.organism, "codes_missing": pickers.codes_missing("repair"),
            "empty_list": not everything}


@bp.get("/codes/reparation")
@allow("owner", "technician")
def repair_code_options():
    """The quote's repair-code tiles narrowed to the text typed."""
    rp = repair_code_picker(request.args.get("product", type=int), request.args.get("brand", type=int),
                            request.args.get("selected", ""), request.args.get("q", ""))
    return render("catalog/_repair_code_options.html", rp=rp, quote_id=request.args.get("quote", type=int) or abort(404))


@bp.get("/synchro")
@allow("owner")
def syncs():
    """The shop's synchronisations with the organisms, newest first, and the buttons to start one."""
    rows = db.session.execute(db.select(CatalogSync).order_by(CatalogSync.id.desc()).limit(30)).scalars().all()
    return render("catalog/syncs.html", rows=rows, organisms=ORGANISMS)


@bp.post("/synchro/<organism>")
@allow("owner")
def start_sync(organism: str):
    """Start a sync now; the page that follows shows its progress."""
    if organism not in ORGANISMS:
        abort(404)
    sync = services.start_sync(organism)
    return redirect_to("catalog.sync_detail", sync_id=sync.id)


@bp.get("/synchro/<int:sync_id>")
@allow("owner")
def sync_detail(sync_id: int):
    """Progress while it runs (the fragment polls itself), then the report of what changed."""
    sync = db.get_or_404(CatalogSync, sync_id)
    return render("catalog/sync.html", "catalog/_sync_progress.html", sync=sync, organisms=ORGANISMS)
