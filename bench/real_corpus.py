"""Rebuild the real-invoice development corpus described in tests/ocr/real/manifest.json.

    python bench/real_corpus.py            # rebuild tests/ocr/real/build/ (originals + rasterised copies)
    python bench/real_corpus.py --check    # also compare the embedded/standalone XML with the manifest
    python bench/real_corpus.py --only ID [--only ID ...]
    python bench/real_corpus.py --list     # the documents, their split and which snapshot each needs

The documents themselves are not in the repository (see tests/ocr/real/README.md): they come from
public repositories whose snapshots are brought under a mirror folder (default `.mirror` beside the checkout, or
$QR_REAL_MIRROR, or --mirror DIR) as bare git directories `<owner>+<name>/repo`.  A folder of
files already named `<id>.<ext>` (for instance a copy kept in shared/) can stand in with --from DIR.
A snapshot that is missing is named in the output with the `fetch` to run (github:<owner>/<name>).

Output, all under tests/ocr/real/build/ (ignored by git):
    docs/<id>.pdf|.xml           the original file, checked against the sha256 of the manifest
    scan150/<id>.pdf             image-only PDF at 150 dpi (no text layer, no XML attachment)
    scan150/<id>-p<N>.png        the same pages as PNG
    phone/<id>.pdf               image-only PDF of a "phone photo" of each page
    phone/<id>-p<N>.jpg          the same pages as JPEG
    index.json                   what was built, per document, with the paths above

The phone-like copy is deterministic: its random draws (rotation, perspective, light, blur, noise,
JPEG quality) are seeded by the document id and the page number.
"""
from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "ocr" / "real"
MANIFEST = REAL / "manifest.json"
BUILD = REAL / "build"
DEFAULT_MIRROR = str(ROOT.parent / ".mirror")  # the snapshots folder beside the checkout
MAX_PAGES = 4
SCAN_DPI = 150
PHONE_DPI = 130

CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
UBL_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


# ----------------------------------------------------------------------------- sources

def load_manifest() -> list[dict]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))["documents"]


def mirror_dir(mirror: Path, repo: str) -> Path:
    return mirror / repo.replace("/", "+") / "repo"


def git_blob(gitdir: Path, commit: str, path: str) -> bytes | None:
    """The file at commit (or, when the snapshot lacks that commit, at HEAD)."""
    for rev in (commit, "HEAD"):
        if not rev:
            continue
        r = subprocess.run(["git", f"--git-dir={gitdir}", "show", f"{rev}:{path}"],
                           capture_output=True)
        if r.returncode == 0 and r.stdout:
            return r.stdout
    return None


def fetch_original(doc: dict, mirror: Path, from_dir: Path | None) -> tuple[bytes | None, str]:
    ext = Path(doc["source_path"]).suffix.lower()
    if from_dir is not None:
        f = from_dir / f"{doc['id']}{ext}"
        if f.exists():
            return f.read_bytes(), f"file {f}"
    gd = mirror_dir(mirror, doc["source_repo"])
    if not gd.exists():
        return None, f"no snapshot of {doc['source_repo']} under {mirror}: run fetch github:{doc['source_repo']}"
    data = git_blob(gd, doc.get("source_commit", ""), doc["source_path"])
    if data is None:
        return None, f"{doc['source_path']} not found in the snapshot of {doc['source_repo']}"
    return data, f"git {doc['source_repo']}@{doc.get('source_commit', 'HEAD')[:10]}"


# ----------------------------------------------------------------------------- XML truth

def pdf_xml_attachment(data: bytes) -> tuple[str | None, bytes | None]:
    """Name and bytes of the invoice XML attached to a PDF (Factur-X / ZUGFeRD / XRechnung)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        found = []
        for i in range(pdf.count_attachments()):
            att = pdf.get_attachment(i)
            name = att.get_name()
            if name.lower().endswith(".xml"):
                found.append((name, bytes(att.get_data())))
        preferred = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "zugferd_invoice.xml")
        for name, blob in found:
            if name.lower() in preferred:
                return name, blob
        return found[0] if found else (None, None)
    finally:
        pdf.close()


def _first(tree, path, ns):
    r = tree.xpath(path, namespaces=ns)
    if not r:
        return None
    v = r[0]
    v = v if isinstance(v, str) else v.text
    return " ".join(v.split()) if v else None


def _iso(d: str | None) -> str | None:
    if not d:
        return None
    d = d.strip()
    if len(d) == 8 and d.isdigit():
        return f"{d[:4]}-{d[4:6]}-{d[6:]}"
    return d[:10]


def _amount(v: str | None) -> str | None:
    if v is None:
        return None
    try:
        return f"{Decimal(v):.2f}"
    except Exception:
        return v


def xml_truth(xml: bytes) -> dict:
    """The fields of the manifest read from CII (Factur-X / ZUGFeRD 2) or UBL 2.1."""
    from lxml import etree

    tree = etree.fromstring(xml)
    root = etree.QName(tree).localname
    if root == "CrossIndustryInvoice":
        ns = CII_NS
        s = "//ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
        seller = "//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty/"
        legal = _first(tree, seller + "ram:SpecifiedLegalOrganization/ram:ID", ns)
        return {
            "syntax": "CII",
            "number": _first(tree, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID", ns),
            "type_code": _first(tree, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode", ns),
            "issue_date": _iso(_first(tree, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", ns)),
            "currency": _first(tree, "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceCurrencyCode", ns),
            "total_ht": _amount(_first(tree, s + "ram:TaxBasisTotalAmount", ns)),
            "total_vat": _amount(_first(tree, s + "ram:TaxTotalAmount", ns)),
            "total_ttc": _amount(_first(tree, s + "ram:GrandTotalAmount", ns)),
            "prepaid": _amount(_first(tree, s + "ram:TotalPrepaidAmount", ns)),
            "amount_due": _amount(_first(tree, s + "ram:DuePayableAmount", ns)),
            "seller_name": _first(tree, seller + "ram:Name", ns),
            "seller_siret": legal if legal and len(legal) == 14 and legal.isdigit() else None,
            "seller_siren": (legal[:9] if legal and legal.isdigit() and len(legal) in (9, 14) else None),
            "seller_legal_id": legal,
            "seller_vat": _first(tree, seller + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", ns),
            "buyer_name": _first(tree, "//ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty/ram:Name", ns),
        }
    if root in ("Invoice", "CreditNote"):
        ns = UBL_NS
        t = "//cac:LegalMonetaryTotal/"
        sp = "//cac:AccountingSupplierParty/cac:Party/"
        legal = _first(tree, sp + "cac:PartyLegalEntity/cbc:CompanyID", ns)
        vat_amounts = tree.xpath("/*/cac:TaxTotal/cbc:TaxAmount", namespaces=ns)
        currency = _first(tree, "/*/cbc:DocumentCurrencyCode", ns)
        vat = None
        for a in vat_amounts:
            if a.get("currencyID") in (None, currency):
                vat = a.text
                break
        return {
            "syntax": "UBL",
            "number": _first(tree, "/*/cbc:ID", ns),
            "type_code": _first(tree, "/*/cbc:InvoiceTypeCode | /*/cbc:CreditNoteTypeCode", ns),
            "issue_date": _iso(_first(tree, "/*/cbc:IssueDate", ns)),
            "currency": currency,
            "total_ht": _amount(_first(tree, t + "cbc:TaxExclusiveAmount", ns)),
            "total_vat": _amount(vat),
            "total_ttc": _amount(_first(tree, t + "cbc:TaxInclusiveAmount", ns)),
            "prepaid": _amount(_first(tree, t + "cbc:PrepaidAmount", ns)),
            "amount_due": _amount(_first(tree, t + "cbc:PayableAmount", ns)),
            "seller_name": _first(tree, sp + "cac:PartyLegalEntity/cbc:RegistrationName", ns)
            or _first(tree, sp + "cac:PartyName/cbc:Name", ns),
            "seller_siret": legal if legal and len(legal) == 14 and legal.isdigit() else None,
            "seller_siren": (legal[:9] if legal and legal.isdigit() and len(legal) in (9, 14) else None),
            "seller_legal_id": legal,
            "seller_vat": _first(tree, sp + "cac:PartyTaxScheme/cbc:CompanyID", ns),
            "buyer_name": _first(tree, "//cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", ns)
            or _first(tree, "//cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name", ns),
        }
    return {"syntax": root}


def xml_of(doc: dict, data: bytes) -> bytes | None:
    if doc["kind"] in ("ubl", "cii"):
        return data
    if doc["kind"] == "xml-pdf":
        return pdf_xml_attachment(data)[1]
    return None


# ----------------------------------------------------------------------------- rasterising

def render_pages(data: bytes, dpi: int) -> list:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages = []
        for i in range(min(len(pdf), MAX_PAGES)):
            page = pdf[i]
            img = page.render(scale=dpi / 72, draw_annots=True).to_pil().convert("RGB")
            page.close()
            pages.append(img)
        return pages
    finally:
        pdf.close()


def _perspective_coeffs(src, dst):
    """Coefficients for Image.transform(PERSPECTIVE) mapping output points dst to input points src."""
    import numpy as np

    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist()


def phone_like(img, seed: str):
    """A deterministic 'photo taken with a phone' of a rendered page."""
    import numpy as np
    from PIL import Image, ImageFilter

    rnd = random.Random(hashlib.sha256(seed.encode()).hexdigest())
    w, h = img.size
    # paper on a darker table: pad, then perspective + rotation
    pad = int(0.06 * max(w, h))
    table = tuple(rnd.randint(70, 120) for _ in range(3))
    canvas = Image.new("RGB", (w + 2 * pad, h + 2 * pad), table)
    canvas.paste(img, (pad, pad))
    W, H = canvas.size
    j = lambda s: rnd.uniform(-s, s)
    k = 0.025
    src = [(0, 0), (W, 0), (W, H), (0, H)]
    dst = [(j(k) * W, j(k) * H), (W + j(k) * W, j(k) * H), (W + j(k) * W, H + j(k) * H), (j(k) * W, H + j(k) * H)]
    canvas = canvas.transform((W, H), Image.PERSPECTIVE, _perspective_coeffs(src, dst),
                              resample=Image.BICUBIC, fillcolor=table)
    angle = rnd.choice([-1, 1]) * rnd.uniform(0.6, 3.0)
    canvas = canvas.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=table)
    # uneven light: a soft linear gradient and a vignette
    a = np.asarray(canvas).astype(np.float32) / 255.0
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    theta = rnd.uniform(0, 2 * math.pi)
    grad = (xx / W - 0.5) * math.cos(theta) + (yy / H - 0.5) * math.sin(theta)
    light = 1.0 - rnd.uniform(0.12, 0.28) * (grad + 0.5)
    cx, cy = rnd.uniform(0.35, 0.65) * W, rnd.uniform(0.35, 0.65) * H
    r2 = ((xx - cx) / W) ** 2 + ((yy - cy) / H) ** 2
    light *= 1.0 - rnd.uniform(0.10, 0.22) * r2 / 0.5
    warm = np.array([1.0, rnd.uniform(0.96, 1.0), rnd.uniform(0.88, 0.97)], np.float32)
    a = a * light[..., None] * warm
    a += np.random.default_rng(rnd.randrange(2**32)).normal(0, rnd.uniform(0.01, 0.03), a.shape).astype(np.float32)
    canvas = Image.fromarray((np.clip(a, 0, 1) * 255).astype(np.uint8))
    canvas = canvas.filter(ImageFilter.GaussianBlur(rnd.uniform(0.5, 1.1)))
    buf = io.BytesIO()
    canvas.save(buf, "JPEG", quality=rnd.randint(45, 70))
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), buf.getvalue()


def image_pdf(images, dpi: int) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buf.getvalue()


# ----------------------------------------------------------------------------- commands

def build(docs, mirror: Path, from_dir: Path | None, check: bool) -> int:
    for sub in ("docs", "scan150", "phone"):
        (BUILD / sub).mkdir(parents=True, exist_ok=True)
    gi = BUILD / ".gitignore"
    if not gi.exists():
        gi.write_text("*\n!.gitignore\n")
    index, missing, problems = {}, [], []
    old = BUILD / "index.json"
    if old.exists():  # a partial rebuild (--only) keeps the other documents' entries
        index = json.loads(old.read_text(encoding="utf-8"))
    built = 0
    for doc in docs:
        data, origin = fetch_original(doc, mirror, from_dir)
        if data is None:
            missing.append(f"{doc['id']}: {origin}")
            continue
        digest = hashlib.sha256(data).hexdigest()
        if doc.get("sha256") and digest != doc["sha256"]:
            problems.append(f"{doc['id']}: sha256 {digest[:12]} differs from the manifest's {doc['sha256'][:12]} ({origin})")
        ext = Path(doc["source_path"]).suffix.lower()
        out = BUILD / "docs" / f"{doc['id']}{ext}"
        out.write_bytes(data)
        entry = {"original": str(out.relative_to(REAL)), "from": origin, "sha256": digest}
        if check:
            problems += check_xml(doc, data)
        if ext == ".pdf":
            scans = render_pages(data, SCAN_DPI)
            entry["scan150"], entry["phone"] = [], []
            for n, img in enumerate(scans, 1):
                p = BUILD / "scan150" / f"{doc['id']}-p{n}.png"
                img.save(p, "PNG", optimize=True)
                entry["scan150"].append(str(p.relative_to(REAL)))
            (BUILD / "scan150" / f"{doc['id']}.pdf").write_bytes(image_pdf(scans, SCAN_DPI))
            entry["scan150_pdf"] = f"build/scan150/{doc['id']}.pdf"
            phones = []
            for n, img in enumerate(render_pages(data, PHONE_DPI), 1):
                ph, jpg = phone_like(img, f"{doc['id']}/p{n}")
                p = BUILD / "phone" / f"{doc['id']}-p{n}.jpg"
                p.write_bytes(jpg)
                entry["phone"].append(str(p.relative_to(REAL)))
                phones.append(ph)
            (BUILD / "phone" / f"{doc['id']}.pdf").write_bytes(image_pdf(phones, PHONE_DPI))
            entry["phone_pdf"] = f"build/phone/{doc['id']}.pdf"
        index[doc["id"]] = entry
        built += 1
        print(f"built {doc['id']:28} {origin}")
    (BUILD / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\n{built} documents built under {BUILD.relative_to(ROOT)}, {len(missing)} missing")
    for m in missing:
        print("  missing:", m)
    for p in problems:
        print("  PROBLEM:", p)
    return 1 if (missing or problems) else 0


def check_xml(doc: dict, data: bytes) -> list[str]:
    """The XML fields recorded in the manifest (xml_truth, else truth) against the file's XML."""
    try:
        xml = xml_of(doc, data)
    except Exception as e:  # noqa: BLE001 - a broken attachment is a finding, not a crash
        return [f"{doc['id']}: cannot read the XML ({e!r})"]
    if xml is None:
        return [] if not doc.get("has_xml") else [f"{doc['id']}: no XML attachment found"]
    try:
        got = xml_truth(xml)
    except Exception as e:  # noqa: BLE001
        return [] if doc.get("xml_malformed") else [f"{doc['id']}: XML does not parse ({e!r})"]
    want = dict(doc["truth"])
    want.update(doc.get("xml_truth") or {})
    out = []
    for field in ("number", "issue_date", "total_ht", "total_vat", "total_ttc", "amount_due",
                  "seller_siret", "seller_siren", "seller_vat", "buyer_name"):
        if field in want and want[field] is not None and got.get(field) != want[field]:
            out.append(f"{doc['id']}: {field} manifest={want[field]!r} xml={got.get(field)!r}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mirror", default=os.environ.get("QR_REAL_MIRROR", DEFAULT_MIRROR))
    ap.add_argument("--from", dest="from_dir", default=None, help="folder of files named <id>.<ext>")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--check", action="store_true", help="compare the XML with the manifest too")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--xml", metavar="FILE", help="print the manifest fields read from one PDF/XML file")
    args = ap.parse_args(argv)
    if args.xml:
        data = Path(args.xml).read_bytes()
        xml = data if not data.startswith(b"%PDF") else pdf_xml_attachment(data)[1]
        print(json.dumps(xml_truth(xml) if xml else None, indent=1, ensure_ascii=False))
        return 0
    docs = load_manifest()
    if args.only:
        docs = [d for d in docs if d["id"] in set(args.only)]
    if args.list:
        for d in docs:
            print(f"{d['id']:28} {d['split']:8} {d['kind']:9} {d['language']}  fetch github:{d['source_repo']}")
        return 0
    from_dir = Path(args.from_dir) if args.from_dir else None
    return build(docs, Path(args.mirror), from_dir, args.check)


if __name__ == "__main__":
    sys.exit(main())
