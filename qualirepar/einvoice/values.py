"""Reading values out of an XML tree: text, amounts, dates, in the forms the standards allow."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from lxml import etree

# No DTD, no entity, no network: an uploaded XML cannot read files or reach a server (XXE).
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def text(node, path: str, ns: dict) -> str | None:
    found = node.xpath(path, namespaces=ns)
    if not found:
        return None
    value = found[0] if isinstance(found[0], str) else found[0].text
    value = " ".join((value or "").split())
    return value or None


def amount(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value.replace(" ", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def day(value: str | None) -> dt.date | None:
    """CII format 102 (yyyymmdd) or ISO 8601 (UBL, and some CII writers)."""
    if not value:
        return None
    value = value.strip()
    try:
        if len(value) == 8 and value.isdigit():
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def in_currency(nodes, currency: str | None) -> Decimal | None:
    """The amount among `nodes` stated in the invoice currency (BT-110, the VAT total: a second one in
    the accounting currency is BT-111), else the first."""
    for node in nodes:
        if node.get("currencyID") in (None, currency):
            return amount(node.text)
    return amount(nodes[0].text) if nodes else None


def company_ids(legal_id: str | None, scheme: str | None) -> tuple[str | None, str | None]:
    """(SIRET, SIREN) from BT-30: scheme 0002 is SIRENE (SIREN or SIRET), 0009 SIRET (ISO 6523 ICD);
    without a scheme, a 9 or 14 digit number is taken for what it looks like."""
    digits = "".join((legal_id or "").split())
    if not digits.isdigit() or (scheme and scheme not in ("0002", "0009")):
        return None, None
    if len(digits) == 14:
        return digits, digits[:9]
    if len(digits) == 9 and scheme != "0009":
        return None, digits
    return None, None
