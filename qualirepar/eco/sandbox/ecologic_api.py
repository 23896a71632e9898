"""Ecologic's API GesCo v1 (functional 1.4) as the sandbox serves it (contract §3, §6 items 12-20).

Paths, query-parameter names and DocumentType values are case-insensitive, as on the real server.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import time

from flask import Blueprint, current_app, g, jsonify, request

from ...core.clock import paris_today
from . import claims as lifecycle
from . import rules
from .store import Brand, Claim, File, Product, Repairer, now

bp = Blueprint("sandbox_ecologic", __name__)

DOCUMENT_TYPES = {"invoice", "nameplate", "consumervalidation", "productpicture"}
EXTENSIONS = {"pdf", "jpg", "jpeg", "png"}
MAGIC = {b"%PDF-": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpg"}
EDITABLE = {"draft", "incomplete", "rejected", "notconform"}


def envelope(data, status: int = 200, valid: bool = True, message: str = "", error: str = ""):
    return jsonify(ResponseData=data, ResponseStatus="S" if valid else "E", IsValid=valid,
                   ResponseMessage=message, ResponseErrorMessage=error), status


def bad_request(message: str, errors: list | None = None, status: int = 400):
    return envelope({"ValidationErrors": errors or []} if errors else None, status, False, "", message)


def args() -> dict:
    return {k.lower(): v for k, v in request.args.items()}


@bp.before_request
def _before():
    faults = current_app.extensions["faults"]
    kind = faults.pick(request.path)
    if kind == "error":
        return envelope(None, 500, False, "", "Erreur interne du serveur")
    if kind == "rate_limit":
        return envelope(None, 429, False, "", "Trop de requêtes"), {"Retry-After": "1"}
    if kind == "timeout":
        time.sleep(faults.timeout_seconds)
        return envelope(None, 504, False, "", "Délai dépassé")
    if kind == "malformed":
        return "<html><body>Service Unavailable</body></html>", 200, {"Content-Type": "text/html"}
    if kind == "lost":
        g.lose_answer = True  # done, then answered with a 502
    lifecycle.advance_due()
    key = request.headers.get("api_key", "")
    g.repairer = lifecycle.db().query(Repairer).filter_by(api_key=key).first() if key else None
    if g.repairer is None:
        return envelope(None, 401, False, "", "Clé d'API absente ou invalide")
    return None


@bp.after_request
def _lose_answer(response):
    if g.get("lose_answer"):
        lost, _status = envelope(None, 502, False, "", "Passerelle en erreur")
        lost.status_code = 502
        return lost
    return response


def _site_json(s):
    return {"SiteId": s.ecl_site_id, "Name": s.name, "CommercialName": s.name, "Zip": s.zip, "City": s.city}


def _codes(p: Product, kind: str, labelled: bool):
    rows = [c for c in p.codes if c.organism == "ecologic" and c.kind == kind]
    return [{"Code": c.code, "Label": c.label} for c in rows] if labelled else [c.code for c in rows]


def _product_json(p: Product, labelled: bool):
    return {"ProductId": p.ecl_id, "ProductName": p.name,
            "EligibilityStartDate": f"{p.eligible_from.isoformat()}T00:00:00",
            "EligibilityEndDate": f"{(p.eligible_until or dt.date(9999, 12, 31)).isoformat()}T00:00:00",
            "RepairCodes": _codes(p, "repair", labelled), "IRISSymtoms": _codes(p, "symptom", labelled)}


@bp.route("/<path:method>", methods=["GET", "POST"])
def dispatch(method: str):
    handler = HANDLERS.get((request.method, method.lower()))
    if handler is None:
        return jsonify(Message=f"No HTTP resource was found that matches the request URI '{request.url}'."), 404
    return handler()


def printbrandlist():
    brands = lifecycle.db().query(Brand).order_by(Brand.name).all()
    return envelope([{"BrandName": b.name, "BrandId": b.ecl_id} for b in brands])


def printproducttypelist(labelled: bool = False):
    products = lifecycle.db().query(Product).order_by(Product.ecl_id).all()
    return envelope([_product_json(p, labelled) for p in products])


def getrepairsitesbyats():
    return envelope([_site_json(s) for s in g.repairer.sites])


def getdepositsitesbyats():
    return envelope([_site_json(s) for s in g.repairer.sites if s.is_deposit])


def calculateecosupport():
    a = args()
    product = lifecycle.db().query(Product).filter_by(ecl_id=a.get("productid")).first()
    brand = lifecycle.brand_by("ecologic", a.get("brandid"))
    ttc = rules.money(a.get("totalamountinclvat"))
    day = rules.parse_date(a.get("repairdate")) or paris_today()
    errors = []
    if product is None:
        errors.append(_err("ProductId", "Type de produit inconnu"))
    if brand is None:
        errors.append(_err("BrandId", "Marque inconnue"))
    if ttc is None:
        errors.append(_err("TotalAmountInclVAT", "Montant TTC invalide"))
    if errors:
        return bad_request("Demande non éligible", errors)
    expected = rules.expected_bonus(product, day)
    tariff = rules.tariff_on(product, day)
    if not rules.eligible_on(product, day) or expected is None:
        problems = [f"Produit « {product.name} » non éligible au {day.isoformat()}"]
    else:
        problems = [m for code, m in rules.amount_problems(product, day, ttc, min(expected, ttc)) if code != "06"]
        if ttc < expected and (tariff.threshold is None or ttc >= tariff.threshold):
            problems.append(f"Montant TTC ({ttc} €) inférieur au bonus ({expected} €) : pas de bonus")
    if problems:
        return bad_request("Demande non éligible", [_err("SupportAmount", m) for m in problems])
    organism = "44" if brand.organism == "ecologic" else "45"
    return envelope([{"EcoOrganizationId": organism, "SupportAmount": {"Amount": float(expected), "Currency": "EUR"}}])


def _err(field: str, message: str, kind: str = "E") -> dict:
    return {"Field": field, "ErrorMessage": message, "MessageType": kind}


def claim_errors(claim: Claim) -> list[dict]:
    """Everything that keeps the claim from being submitted, as Ecologic lists it."""
    body, a = claim.body, claim.params
    consumer, product, quote = body.get("Consumer") or {}, body.get("Product") or {}, body.get("Quote") or {}
    errors = []
    for field in ("LastName", "FirstName", "Zip", "City", "Email"):
        if not consumer.get(field):
            errors.append(_err(f"Consumer.{field}", f"Le champ {field} du consommateur est obligatoire"))
    if not product.get("SerialNumber"):
        errors.append(_err("Product.SerialNumber", "Numéro de série ou IMEI obligatoire"))
    prod = lifecycle.db().query(Product).filter_by(ecl_id=product.get("ProductId")).first()
    brand = lifecycle.brand_by("ecologic", product.get("BrandId"))
    day = rules.parse_date(a.get("repairenddate"))
    if prod is None:
        errors.append(_err("Product.ProductId", "Type de produit inconnu"))
    if brand is None:
        errors.append(_err("Product.BrandId", "Marque inconnue"))
    elif brand.organism != "ecologic":
        errors.append(_err("Product.BrandId", f"Marque {brand.name} couverte par ecosystem : déposez la demande chez ecosystem"))
    if prod is not None:
        repair_codes = {c["Code"] for c in _codes(prod, "repair", True)}
        symptoms = {c["Code"] for c in _codes(prod, "symptom", True)}
        if product.get("IRISSection") not in repair_codes:
            errors.append(_err("Product.IRISSection", "Panne ou code IRIS : code panne non valide pour ce produit"))
        if product.get("IRISSymptom") and product["IRISSymptom"] not in symptoms:
            errors.append(_err("Product.IRISSymptom", "Code symptôme IRIS non valide pour ce produit"))
        ttc = rules.money((quote.get("TotalAmountInclVAT") or {}).get("Amount"))
        bonus = rules.money((quote.get("SupportAmount") or {}).get("Amount"))
        if day is None:
            errors.append(_err("RepairEndDate", "Date de fin de réparation invalide"))
        elif ttc is None or bonus is None:
            errors.append(_err("Quote", "Montants TotalAmountInclVAT et SupportAmount obligatoires"))
        else:
            errors += [_err("Quote.SupportAmount", m) for _c, m in rules.amount_problems(prod, day, ttc, bonus)]
    others = lifecycle.db().query(Claim).filter(Claim.organism == "ecologic", Claim.id != claim.id,
                                                Claim.status != lifecycle.ECOLOGIC["rejected"])
    if claim.reference and others.filter(Claim.reference == claim.reference, Claim.repairer_pk == claim.repairer_pk).first():
        errors.append(_err("ConsumerInvoiceNumber", "Numéro de facture déjà utilisé"))
    if claim.serial and others.filter(Claim.serial == claim.serial).filter(Claim.submitted_at.isnot(None)).first():
        errors.append(_err("Product.SerialNumber", "IMEI / numéro de série déjà saisi : appareil déjà aidé"))
    have = {f.file_type for f in claim.files}
    needed = {"INVOICE": "facture", "NAMEPLATE": "plaque signalétique"}
    if not consumer.get("AutoValidation"):
        needed["CONSUMERVALIDATION"] = "validation du consommateur"
    missing = [label for kind, label in needed.items() if kind not in have]
    if missing:
        errors.append(_err("Files", "Des pièces jointes sont requises : " + ", ".join(missing)))
    return errors


def _claim_data(claim: Claim, errors: list[dict]) -> dict:
    return {"EcoOrganizationId": "44", "ClaimId": claim.id, "IsValid": not any(e["MessageType"] == "E" for e in errors),
            "LastStatus": claim.status, "Comment": claim.reject_reason or "",
            "CreateDate": claim.created_at.isoformat(timespec="seconds"), "ValidationErrors": errors}


def _claim_params():
    a = args()
    missing = [p for p in ("repairenddate", "repairsiteid", "consumerinvoicenumber") if not a.get(p)]
    if missing:
        return None, bad_request("Paramètres obligatoires manquants : " + ", ".join(missing))
    if a["repairsiteid"] not in {s.ecl_site_id for s in g.repairer.sites}:
        return None, bad_request(f"Site de réparation {a['repairsiteid']} inconnu pour ce compte")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("Consumer"), dict) or not isinstance(body.get("Product"), dict):
        return None, bad_request("Le corps doit contenir Consumer, Product et Quote")
    return (a, body), None


def _answer(claim: Claim):
    errors = claim_errors(claim)
    data = _claim_data(claim, errors)
    return envelope(data, 200 if data["IsValid"] else 206)


def createclaim():
    parsed, error = _claim_params()
    if error:
        return error
    a, body = parsed
    session = lifecycle.db()
    quote = body.get("Quote") or {}
    claim = Claim(organism="ecologic", external_id="", repairer_pk=g.repairer.id, reference=a["consumerinvoicenumber"],
                  serial=(body["Product"].get("SerialNumber") or None), body=body,
                  params={k: a.get(k) for k in ("repairenddate", "repairsiteid", "consumerinvoicenumber", "quotenumber")},
                  status=lifecycle.ECOLOGIC["draft"],
                  amount=rules.money((quote.get("SupportAmount") or {}).get("Amount")) or 0)
    session.add(claim)
    session.flush()
    claim.external_id = str(claim.id)
    session.commit()
    return _answer(claim)


def _own(claim_id) -> Claim | None:
    claim = lifecycle.db().get(Claim, int(claim_id)) if str(claim_id or "").isdigit() else None
    return claim if claim is not None and claim.organism == "ecologic" and claim.repairer_pk == g.repairer.id else None


def updateclaim():
    claim = _own(args().get("claimid"))
    if claim is None:
        return bad_request("Invalid claim", status=500)
    if lifecycle.state_of(claim) not in EDITABLE:
        return bad_request(f"La demande n'est plus modifiable (statut « {claim.status} »)")
    parsed, error = _claim_params()
    if error:
        return error
    a, body = parsed
    claim.body, claim.serial = body, body["Product"].get("SerialNumber") or None
    claim.params = {k: a.get(k) for k in ("repairenddate", "repairsiteid", "consumerinvoicenumber", "quotenumber")}
    claim.reference = a["consumerinvoicenumber"]
    claim.amount = rules.money(((body.get("Quote") or {}).get("SupportAmount") or {}).get("Amount")) or 0
    lifecycle.set_state(claim, "draft")
    lifecycle.db().commit()
    if a.get("submit", "").lower() == "true":
        return _submit(claim)
    return _answer(claim)


def attachfile():
    a = args()
    claim = _own(a.get("claimid"))
    if claim is None:
        return bad_request("Invalid claim", status=500)
    if lifecycle.state_of(claim) not in EDITABLE:
        return bad_request(f"La demande n'est plus modifiable (statut « {claim.status} »)")
    doc_type, ext = (a.get("documenttype") or "").lower(), (a.get("fileextension") or "").lower().lstrip(".")
    if doc_type not in DOCUMENT_TYPES:
        return bad_request(f"DocumentType « {a.get('documenttype')} » inconnu")
    if ext not in EXTENSIONS:
        return bad_request(f"Extension « {ext} » refusée : pdf, jpg, jpeg ou png")
    try:
        data = base64.b64decode(((request.get_json(silent=True) or {}).get("FileContent") or ""), validate=True)
    except (binascii.Error, ValueError):
        return bad_request("FileContent n'est pas du base64 valide")
    kind = next((k for magic, k in MAGIC.items() if data.startswith(magic)), None)
    if kind is None or (kind == "pdf") != (ext == "pdf"):
        return bad_request("Le contenu du fichier ne correspond pas à un PDF, JPEG ou PNG")
    if len(data) > current_app.config["MAX_FILE_MB"] * 1048576:
        return bad_request(f"Fichier trop volumineux : {current_app.config['MAX_FILE_MB']:g} Mo au plus")
    claim.files.append(File(file_type=doc_type.upper(), file_name=f"{a.get('filename') or 'fichier'}.{ext}", size=len(data), uploaded=True))
    claim.updated_at = now()
    lifecycle.db().commit()
    return envelope({"ClaimId": claim.id}, message="Code 200 : fichier ajouté")


def _submit(claim: Claim):
    errors = claim_errors(claim)
    if any(e["MessageType"] == "E" for e in errors):
        lifecycle.set_state(claim, "incomplete")
        lifecycle.db().commit()
        return envelope({"ClaimId": claim.id, "IsValid": False, "LastStatus": claim.status})
    lifecycle.set_state(claim, "submitted")
    claim.submitted_at = now()
    lifecycle.db().commit()
    return envelope({"ClaimId": claim.id, "IsValid": True, "LastStatus": claim.status})


def submitclaim():
    claim = _own(args().get("claimid"))
    if claim is None:
        return bad_request("Invalid claim", status=500)
    if lifecycle.state_of(claim) not in EDITABLE:
        return bad_request(f"La demande a déjà été transmise (statut « {claim.status} »)")
    return _submit(claim)


def getclaimstatus():
    claim = _own(args().get("claimid"))
    if claim is None:
        return bad_request("Invalid claim", status=500)
    errors = claim_errors(claim) if lifecycle.state_of(claim) in EDITABLE else []
    return envelope(_claim_data(claim, errors))


HANDLERS = {
    ("GET", "printbrandlist"): printbrandlist,
    ("GET", "printproducttypelist"): printproducttypelist,
    ("GET", "printproducttypewithlabellist"): lambda: printproducttypelist(labelled=True),
    ("GET", "getrepairsitesbyats"): getrepairsitesbyats,
    ("GET", "getdepositsitesbyats"): getdepositsitesbyats,
    ("GET", "calculateecosupport"): calculateecosupport,
    ("GET", "getclaimstatus"): getclaimstatus,
    ("POST", "createclaim"): createclaim,
    ("POST", "updateclaim"): updateclaim,
    ("POST", "attachfile"): attachfile,
    ("POST", "submitclaim"): submitclaim,
}
