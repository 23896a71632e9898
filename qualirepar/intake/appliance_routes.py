"""The appliance and symptom part of the bon: the symptom picked from the list of the product type
(filtered as one types, tapped with a finger), and the bonus said as soon as product type and brand
are known."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from ..catalog import pickers
from ..permissions import ANY_ROLE, allow
from ..repairs.models import BUSINESS
from ..rendering import render
from . import bp


def _product_id(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@bp.app_template_global()
def symptom_picker(product_type_id, brand_name: str | None, selected: str | None, text: str = "", customer_kind: str | None = None) -> dict:
    """What the symptom picker shows: the product's list (the chosen one kept even when the search
    hides it), whether it is required now and why, whether the catalog has no codes at all."""
    product_id = _product_id(product_type_id)
    selected = (selected or "").strip()
    choices = pickers.symptom_choices(product_id, text) if product_id else []
    if selected and selected not in {c.code for c in choices}:
        chosen = [c for c in pickers.symptom_choices(product_id) if c.code == selected] if product_id else []
        choices = chosen + choices
    verdict = pickers.intake_verdict(product_id, brand_name, current_user.shop_id, business_customer=customer_kind == BUSINESS)
    return {"product_id": product_id, "choices": choices, "selected": selected, "text": text,
            "required": verdict.eligible, "codes_missing": pickers.codes_missing("symptom"),
            "empty_list": bool(product_id) and not text and not choices}


@bp.app_template_global()
def intake_bonus(product_type_id, brand_name: str | None, customer_kind: str | None = None) -> pickers.IntakeVerdict:
    return pickers.intake_verdict(_product_id(product_type_id), brand_name, current_user.shop_id,
                                  business_customer=customer_kind == BUSINESS)


@bp.get("/dossiers/nouveau/symptomes")
@allow(*ANY_ROLE)
def symptoms():
    """The symptom picker for the product type chosen (all of it, or only its options while searching)."""
    args = request.values
    picker = symptom_picker(args.get("product_type"), args.get("brand"), args.get("symptom_code"), args.get("symptom_q", ""),
                            args.get("customer_kind"))
    template = "intake/_symptom_options.html" if args.get("part") == "options" else "intake/_symptom_body.html"
    return render(template, picker=picker, key=args.get("draft_key", ""), errors=[])


@bp.get("/dossiers/nouveau/bonus")
@allow(*ANY_ROLE)
def bonus():
    """«Bonus réparation : 50 € (Ecologic), si la facture atteint …» or why not."""
    args = request.values
    return render("intake/_bonus_body.html", verdict=intake_bonus(args.get("product_type"), args.get("brand"), args.get("customer_kind")))


def symptom_refused(form) -> bool:
    """The symptom rule of the bon, added to the form's errors when it fails (routes.new calls it)."""
    message = pickers.symptom_refusal(form.product_type.data, form.brand.data, form.symptom_code.data, current_user.shop_id,
                                      business_customer=form.customer_kind.data == BUSINESS)
    if message:
        form.symptom_code.errors = list(form.symptom_code.errors or []) + [message]
    return bool(message)
