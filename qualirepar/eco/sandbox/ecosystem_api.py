"""ecosystem's API réparateurs as the sandbox serves it (contract §2, §6 items 1-11)."""
from __future__ import annotations

import datetime as dt
import secrets
import time

from flask import Blueprint, current_app, g, jsonify, request, url_for

from ...core.clock import paris_today
from . import claims as lifecycle
from . import rules
from .store import Brand, Claim, File, Product, Repairer, Token, now

bp = Blueprint("sandbox_ecosystem", __name__)
s3 = Blueprint("sandbox_s3", __name__)

FILE_TYPES = ["device_picture", "serial_tag", "claim_request", "invoice"]
EXTENSIONS = {"pdf", "jpg", "jpeg", "png"}
MAGIC = {b"%PDF-": "pdf", b"\x89PNG": "png", b"\xff\xd8\xff": "jpg"}
HOME_REPAIR_PLACE = "2000000"

SCHEMA = {
    "": ({"RepairDate", "PurchaseOrderByCustomer", "RepairerId", "RepairPlaceID", "Product", "SpareParts", "Customer", "Bill"},
         {"RepairDate", "RepairerId", "RepairPlaceID", "Product", "Customer", "Bill"}),
    "Product": ({"ProductID", "BrandID", "PartnerProduct", "ProductIdentificationNumber", "RepairTypeCode", "IrisCode",
                 "CommercialReference"}, {"ProductID", "BrandID", "ProductIdentificationNumber"}),
    "Customer": ({"Title", "LastName", "FirstName", "Email", "PhoneNumber", "StreetLine1", "StreetLine2", "PostalCode",
                  "City", "Country"}, {"LastName", "FirstName", "Email", "StreetLine1", "PostalCode", "City", "Country"}),
    "Bill": ({"TotalAmountInclVAT", "AmountCovered", "SparePartsCost", "AmountBeforeTax", "LaborCost", "TravelExpenses"},
             {"TotalAmountInclVAT", "AmountCovered"}),
    "SpareParts": ({"NewSparePartsAmount", "SecondHandSparePartsAmount", "CircularEconomyPartsAmount"}, set()),
}
MONEY_KEYS = {"amount", "currency"}


class ApiError(Exception):
    def __init__(self, http: int, status: str, message: str):
        super().__init__(message)
        self.http, self.status, self.message = http, status, message


@bp.errorhandler(ApiError)
@s3.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return jsonify(error={"code": exc.http, "status": exc.status, "message": exc.message}), exc.http


def _fault_response():
    faults = current_app.extensions["faults"]
    kind = faults.pick(request.path)
    if kind == "error":
        return jsonify(error={"code": 503, "status": "SERVICE_INDISPONIBLE", "message": "Service indisponible"}), 503
    if kind == "rate_limit":
        return jsonify(error={"code": 429, "status": "TROP_DE_REQUETES", "message": "Trop de requêtes"}), 429, {"Retry-After": "1"}
    if kind == "timeout":
        time.sleep(faults.timeout_seconds)
        return jsonify(error={"code": 504, "status": "TIMEOUT", "message": "Délai dépassé"}), 504
    if kind == "malformed":
        return jsonify(unexpected=True), 200
    if kind == "lost":
        g.lose_answer = True  # done below, answered with a 502
    return None


@bp.after_request
@s3.after_request
def _lose_answer(response):
    if g.get("lose_answer"):
        lost = jsonify(error={"code": 502, "status": "BAD_GATEWAY", "message": "Passerelle en erreur"})
        lost.status_code = 502
        return lost
    return response


@bp.before_request
def _before():
    fault = _fault_response()
    if fault is not None:
        return fault
    lifecycle.advance_due()
    if request.endpoint == "sandbox_ecosystem.login":
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.startswith("Bearer ") else None
    row = lifecycle.db().get(Token, token) if token else None
    if row is None or row.expires_at < now():
        raise ApiError(401, "NON_AUTORISE", "Jeton absent, inconnu ou expiré")
    g.repairer = lifecycle.db().get(Repairer, row.repairer_pk)
    return None


@s3.before_request
def _before_s3():
    return _fault_response()


@bp.post("/login")
def login():
    data = request.get_json(silent=True) or {}
    rep = lifecycle.db().query(Repairer).filter_by(username=str(data.get("username") or "")).first()
    if rep is None or rep.password != data.get("password"):
        raise ApiError(401, "IDENTIFIANTS_INVALIDES", "Identifiant ou mot de passe incorrect")
    ttl = current_app.config["TOKEN_TTL"]
    token = secrets.token_urlsafe(32)
    lifecycle.db().add(Token(token=token, repairer_pk=rep.id, expires_at=now() + dt.timedelta(seconds=ttl)))
    lifecycle.db().commit()
    return jsonify(IdToken=token, AccessToken=token, ExpiresIn=ttl, AllowedRepairer=[rep.repairer_id], isIntermediary=False)


def _flag(name: str) -> bool:
    return request.args.get(name, "false").lower() == "true"


@bp.get("/catalog")
def catalog():
    session = lifecycle.db()
    products = session.query(Product).order_by(Product.eco_id).all()
    limit = request.args.get("limit", type=int)
    if limit:
        products = products[:limit]

    brands = session.query(Brand).order_by(Brand.name).all()
    if not _flag("ecologic"):
        brands = [b for b in brands if b.organism == "ecosystem"]
    results = []
    for p in products:
        row = {"ProductID": p.eco_id, "ProductName": p.name, "ProductEligibleFrom": p.eligible_from.isoformat(),
               "ProductEligibleUntil": (p.eligible_until or dt.date(2099, 12, 31)).isoformat()}
        if _flag("brands"):
            row["Brands"] = [{"BrandID": b.eco_id, "BrandName": b.name, "isEcosystemBrand": b.organism == "ecosystem"} for b in brands]
        if _flag("repair-codes"):
            row["RepairCode"] = [{"Code": c.code, "Description": c.label} for c in p.codes if c.organism == "ecosystem"]
        if _flag("reimbursement-amounts"):
            row["Amounts"] = [{"AmountValidFrom": t.valid_from.isoformat(),
                               "AmountValidUntil": (t.valid_until or dt.date(2099, 12, 31)).isoformat(),
                               "Amount": f"{t.amount:.1f}", "Currency": "EUR"} for t in p.tariffs]
        if _flag("product-sheets"):
            row["ProductSheet"] = {"Type": p.sheet_type, "ExpectedIdType": "IMEI" if p.is_phone else "SERIAL",
                                   "DefectIdType": "REPAIR_CODE", "ValidFrom": p.eligible_from.isoformat(), "ValidTo": "2099-12-31"}
        if _flag("threshold"):
            row["Threshold"] = [{"AmountValidFrom": t.valid_from.isoformat(),
                                 "AmountValidTo": (t.valid_until or dt.date(2099, 12, 31)).isoformat(),
                                 "MinimumAmount": f"{t.threshold:.0f}", "Currency": "EUR"} for t in p.tariffs if t.threshold]
        results.append(row)
    return jsonify(total=len(results), results=results)


def _address(rep_or_site, **extra) -> dict:
    return {"CorporateName": rep_or_site.name, "AlternativeName": rep_or_site.name, "HouseNumber": "", "StreetLine1": "",
            "StreetLine2": "", "PostalCode": getattr(rep_or_site, "zip", ""), "City": getattr(rep_or_site, "city", ""),
            "Country": "FR", **extra}


@bp.get("/partners")
def partners():
    rep = g.repairer
    item = {"RepairerID": rep.repairer_id, **_address(rep)}
    if _flag("repair-places"):
        item["RepairPlaces"] = [{"RepairPlaceID": s.eco_place_id, **_address(s), "StreetSuffix": "", "Siret": ""} for s in rep.sites]
    if _flag("business-sheets"):
        item["BusinessSheets"] = [{"Type": s.type, "NumberId": s.number, "Description": s.description, "Institution": "Bureau Veritas",
                                   "ValidFrom": s.valid_from.isoformat(), "ValidTo": s.valid_to.isoformat()} for s in rep.sheets]
    return jsonify(Items=[item] if not _flag("subcontractor") else [])


def _check_schema(body, path: str = "") -> None:
    if not isinstance(body, dict):
        raise ApiError(400, "ERREUR_DE_PAYLOAD", f"{path or 'body'} must be an object")
    allowed, required = SCHEMA[path]
    for key in body:
        if key not in allowed:
            raise ApiError(400, "ERREUR_DE_PAYLOAD", f"Additional properties are not allowed ('{key}' was unexpected)")
    for key in sorted(required):
        if body.get(key) in (None, ""):
            raise ApiError(400, "ERREUR_DE_PAYLOAD", f"'{key}' is a required property")
    for key, value in body.items():
        if key in SCHEMA:
            _check_schema(value, key)
        if path == "Bill":
            if not isinstance(value, dict) or set(value) != MONEY_KEYS or rules.money(value.get("amount")) is None:
                raise ApiError(400, "ERREUR_DE_PAYLOAD", f"'{key}' must be {{'amount': number, 'currency': 'EUR'}}")


def _validate_claim(body: dict, rep: Repairer) -> Product:
    _check_schema(body)
    product = body["Product"]
    if not product.get("RepairTypeCode") and not product.get("IrisCode"):
        raise ApiError(400, "ERREUR_DE_PAYLOAD",
                       "anyOf : 'RepairTypeCode' is a required property, 'IrisCode' is a required property")
    if body["RepairerId"] != rep.repairer_id:
        raise ApiError(400, "DONNEES_INVALIDES", f"'RepairerId' {body['RepairerId']} non autorisé pour ce compte")
    places = {s.eco_place_id for s in rep.sites} | {rep.repairer_id, HOME_REPAIR_PLACE}
    if body["RepairPlaceID"] not in places:
        raise ApiError(400, "DONNEES_INVALIDES", f"'RepairPlaceID' {body['RepairPlaceID']} n'est pas un lieu de ce réparateur")
    day = rules.parse_date(body["RepairDate"])
    if day is None or day > paris_today():
        raise ApiError(400, "DATE_REPARATION_INVALIDE", "'RepairDate' invalide ou dans le futur")
    prod = lifecycle.db().query(Product).filter_by(eco_id=str(product["ProductID"])).first()
    if prod is None:
        raise ApiError(400, "DONNEES_INVALIDES", f"'ProductID' {product['ProductID']} inconnu")
    if not rules.eligible_on(prod, day):
        raise ApiError(400, "DATE_REPARATION_INVALIDE", f"'ProductID' {prod.name} non éligible au {day.isoformat()}")
    if product["BrandID"] == "0000":
        if not product.get("PartnerProduct"):
            raise ApiError(400, "ERREUR_DE_PAYLOAD", "'PartnerProduct' is a required property when 'BrandID' is '0000'")
    else:
        brand = lifecycle.brand_by("ecosystem", product["BrandID"])
        if brand is None:
            raise ApiError(400, "MARQUE_INCONNUE_INVALIDE", f"'BrandID' {product['BrandID']} inconnue")
        if brand.organism != "ecosystem":
            raise ApiError(400, "MARQUE_INCONNUE_INVALIDE", f"'BrandID' {brand.name} n'est pas couverte par ecosystem (Ecologic)")
    code = product.get("RepairTypeCode")
    if code and code not in {c.code for c in prod.codes if c.organism == "ecosystem"}:
        raise ApiError(400, "DONNEES_INVALIDES", f"'RepairTypeCode' {code} non valide pour ce produit")
    if not any(s.type == prod.sheet_type and s.valid_from <= day <= s.valid_to for s in rep.sheets):
        raise ApiError(400, "DONNEES_INVALIDES", f"Réparateur non labellisé pour la fiche métier {prod.sheet_type} au {day.isoformat()}")
    return prod


def _claim_json(c: Claim, detail: bool = False) -> dict:
    data = {"ReimbursementClaimID": c.external_id, "RequestStatus": c.status, "RepairDate": c.body.get("RepairDate"),
            "PurchaseOrderByCustomer": c.reference, "SapServiceOrder": c.service_order,
            "CreationDate": c.created_at.replace(tzinfo=dt.timezone.utc).isoformat(timespec="seconds"),
            "AttachedFiles": [{"FileName": f.file_name, "FileType": f.file_type, "FileSizeInMB": round(f.size / 1048576, 1)}
                              for f in c.files if f.uploaded],
            "Repairer": {"RepairerID": c.repairer.repairer_id, "CorporateName": c.repairer.name}}
    if detail:
        p = c.body.get("Product") or {}
        data.update(RejectReason=c.reject_reason or "", Bill=c.body.get("Bill"), SpareParts=c.body.get("SpareParts") or {},
                    Customer=c.body.get("Customer"), RepairPlace={"RepairPlaceID": c.body.get("RepairPlaceID")},
                    Product={"ProductId": p.get("ProductID"), "BrandId": p.get("BrandID"), "RepairTypeCode": p.get("RepairTypeCode"),
                             "IrisCode": p.get("IrisCode"), "PartnerProduct": p.get("PartnerProduct"),
                             "CommercialReference": p.get("CommercialReference"),
                             "ProductIdentificationNumber": p.get("ProductIdentificationNumber")})
    return data


def _own_claim(claim_id: str) -> Claim:
    c = lifecycle.db().query(Claim).filter(Claim.organism == "ecosystem",
                                           (Claim.external_id == claim_id) | (Claim.service_order == claim_id)).first()
    if c is None or c.repairer_pk != g.repairer.id:
        raise ApiError(404, "DEMANDE_INTROUVABLE", f"Demande {claim_id} introuvable")
    return c


@bp.post("/reimbursement-claims/new_claim")
def new_claim():
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "ERREUR_DE_PAYLOAD", "Le corps de la requête doit être du JSON")
    _validate_claim(body, g.repairer)
    session = lifecycle.db()
    claim = Claim(organism="ecosystem", external_id=f"RC-{secrets.token_hex(6).upper()}", repairer_pk=g.repairer.id,
                  reference=str(body.get("PurchaseOrderByCustomer") or ""), serial=body["Product"]["ProductIdentificationNumber"],
                  body=body, params={}, status=lifecycle.ECOSYSTEM["draft"],
                  amount=rules.money(body["Bill"]["AmountCovered"]["amount"]))
    session.add(claim)
    session.commit()
    return jsonify(_claim_json(claim))


@bp.post("/reimbursement-claims/<claim_id>/upload-file")
def upload_file(claim_id: str):
    claim = _own_claim(claim_id)
    if lifecycle.state_of(claim) != "draft":
        raise ApiError(400, "DEMANDE_NON_MODIFIABLE", "La demande n'est plus en cours de création")
    meta = request.get_json(silent=True) or {}
    file_type, name = meta.get("FileType"), str(meta.get("FileName") or "")
    if file_type not in FILE_TYPES:
        raise ApiError(400, "ERREUR_DE_PAYLOAD", f"'{file_type}' is not one of {FILE_TYPES}")
    if name.rsplit(".", 1)[-1].lower() not in EXTENSIONS:
        raise ApiError(400, "ERREUR_DE_PAYLOAD", f"'FileName' {name} : extension refusée (PDF, JPG, JPEG, PNG)")
    size = meta.get("FileSizeInMB")
    if not isinstance(size, (int, float)) or size <= 0:
        raise ApiError(400, "ERREUR_DE_PAYLOAD", "'FileSizeInMB' is a required property")
    if size > current_app.config["MAX_FILE_MB"]:
        raise ApiError(400, "FICHIER_TROP_VOLUMINEUX", f"Fichier de {size} Mo : {current_app.config['MAX_FILE_MB']:g} Mo au plus")
    if file_type != "device_picture" and any(f.file_type == file_type and f.uploaded for f in claim.files):
        raise ApiError(400, "TYPE_DE_FICHIER_EXISTANT", f"Un fichier de type '{file_type}' est déjà attaché")
    token = secrets.token_urlsafe(24)
    claim.files.append(File(file_type=file_type, file_name=name, upload_token=token))
    lifecycle.db().commit()
    return jsonify(url=url_for("sandbox_s3.put_object", token=token, _external=True))


@s3.put("/<token>")
def put_object(token: str):
    session = lifecycle.db()
    f = session.query(File).filter_by(upload_token=token).first()
    if f is None:
        return "<Error><Code>NoSuchUpload</Code></Error>", 404, {"Content-Type": "application/xml"}
    data = request.get_data()
    kind = next((ext for magic, ext in MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        return "<Error><Code>InvalidContent</Code><Message>PDF, JPEG ou PNG attendu</Message></Error>", 400, {"Content-Type": "application/xml"}
    if len(data) > current_app.config["MAX_FILE_MB"] * 1048576:
        return "<Error><Code>EntityTooLarge</Code></Error>", 400, {"Content-Type": "application/xml"}
    f.size, f.uploaded = len(data), True
    session.commit()
    return "", 200


@bp.post("/reimbursement-claims/<claim_id>/confirm-claim")
def confirm_claim(claim_id: str):
    claim = _own_claim(claim_id)
    if lifecycle.state_of(claim) != "draft":
        raise ApiError(400, "DEMANDE_DEJA_CONFIRMEE", "La demande a déjà été confirmée")
    if not any(f.file_type == "invoice" and f.uploaded for f in claim.files):
        raise ApiError(400, "PIECE_JOINTE_MANQUANTE", "Pièce jointe manquante : 'invoice'")
    lifecycle.set_state(claim, "submitted")
    claim.submitted_at = now()
    claim.service_order = f"{4000000000 + claim.id}"
    lifecycle.db().commit()
    return jsonify(RequestStatus=claim.status, SapServiceOrder=claim.service_order)


@bp.get("/reimbursement-claims")
def list_claims():
    rows = lifecycle.db().query(Claim).filter_by(organism="ecosystem", repairer_pk=g.repairer.id).order_by(Claim.id).all()
    return jsonify(Items=[_claim_json(c) for c in rows], Count=len(rows))


@bp.get("/reimbursement-claims/<claim_id>")
def claim_detail(claim_id: str):
    return jsonify(Items=[_claim_json(_own_claim(claim_id), detail=True)], Count=1)


@bp.delete("/reimbursement-claims/<claim_id>")
def delete_claim(claim_id: str):
    claim = _own_claim(claim_id)
    if lifecycle.state_of(claim) != "draft":
        raise ApiError(400, "SUPPRESSION_IMPOSSIBLE", "Seule une demande en cours de création peut être supprimée")
    session = lifecycle.db()
    for f in claim.files:
        session.delete(f)
    session.delete(claim)
    session.commit()
    return "", 204
