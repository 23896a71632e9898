"""The chart of accounts of the FEC: a role for each kind of line the shop's entries need, with a
French PCG default the owner may change (number and name), saved per shop.

Choices, for the accountant who reads the file:
- Revenue by nature and VAT rate: 706 «Prestations de services» for the diagnosis, the labour and
  the travel; 707 «Ventes de marchandises» for the parts. One sub-account per rate, so that the
  VAT return's bases read off the balance; 44571 «TVA collectée» likewise per rate.
- The bonus réparation is part of the customer's price, paid by the eco-organism in the customer's
  stead (the repairer deducts it on the invoice and claims it back): a trade receivable born of the
  sale, so a class 41 account «Clients et comptes rattachés», in its own sub-account (411100) with
  one auxiliary account per organism, so that the bonus still due from each organism is read off
  the balance and its transfers letter against it. Not 4687 «Produits à recevoir», which is for
  revenue not yet invoiced (here the invoice is issued), nor 467 «Autres débiteurs», which is for
  debts outside the sales; an accountant who prefers either may type it here.
- Counter payments: cash 530 «Caisse» (journal CA), card and transfer 512 «Banque», cheques 5112
  «Chèques à encaisser» until the deposit slip (journal BQ); the organisms' transfers 512.
- Deposits (acomptes) taken before the invoice: 4191 «Clients – avances et acomptes reçus».
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import note
from ..core.refusal import Refusal
from ..extensions import db
from ..shops.models import Shop
from ..tenancy import current_shop_id
from .models import FecAccount

RATES = ("20.00", "10.00", "5.50", "0.00")  # billing.quotes.VAT_RATES, as the invoices store them
RATE_LABELS = {"20.00": "20 %", "10.00": "10 %", "5.50": "5,5 %", "0.00": "0 %"}


@dataclass(frozen=True)
class Account:
    key: str
    number: str
    label: str


@dataclass(frozen=True)
class Role:
    key: str
    title: object  # what the form shows (lazy string)
    number: str  # the PCG default
    label: str  # the default CompteLib
    classes: str  # the PCG classes the number may start with


def _roles() -> list[Role]:
    roles = [
        Role("customers", _l("Clients (un compte auxiliaire par client)"), "411000", "Clients", "4"),
        Role("organisms", _l("Bonus à recevoir des éco-organismes (un compte auxiliaire par organisme)"), "411100",
             "Clients - éco-organismes (bonus réparation)", "4"),
    ]
    codes = {"20.00": "200", "10.00": "100", "5.50": "055", "0.00": "000"}  # 706200: services at 20 %
    vat_codes = {"20.00": "20", "10.00": "10", "5.50": "55"}  # 445720: VAT collected at 20 %
    for rate in RATES:
        roles.append(Role(f"services:{rate}", _l("Prestations de services, TVA %(r)s", r=RATE_LABELS[rate]),
                          f"706{codes[rate]}", f"Prestations de services TVA {RATE_LABELS[rate]}", "7"))
    for rate in RATES:
        roles.append(Role(f"goods:{rate}", _l("Ventes de pièces, TVA %(r)s", r=RATE_LABELS[rate]),
                          f"707{codes[rate]}", f"Ventes de marchandises TVA {RATE_LABELS[rate]}", "7"))
    for rate in RATES[:-1]:
        roles.append(Role(f"vat:{rate}", _l("TVA collectée %(r)s", r=RATE_LABELS[rate]), f"4457{vat_codes[rate]}",
                          f"TVA collectée {RATE_LABELS[rate]}", "4"))
    roles += [
        Role("cash", _l("Espèces"), "530000", "Caisse", "5"),
        Role("card", _l("Carte bancaire"), "512000", "Banque", "5"),
        Role("cheque", _l("Chèques"), "511200", "Chèques à encaisser", "5"),
        Role("transfer", _l("Virements des clients"), "512000", "Banque", "5"),
        Role("bank", _l("Banque (virements des éco-organismes)"), "512000", "Banque", "5"),
        Role("deposits", _l("Acomptes reçus des clients"), "419100", "Clients - avances et acomptes reçus", "4"),
    ]
    return roles


ROLES = _roles()
BY_KEY = {role.key: role for role in ROLES}
DEFAULTS = {role.key: Account(role.key, role.number, role.label) for role in ROLES}


class ChartError(Refusal):
    """A number or a name of the chart refused; the message says which and why, in French;
    `part` is the one refused ("number" or "label")."""

    def __init__(self, message: str, part: str = "number", key: str | None = None):
        super().__init__(message)
        self.part, self.key = part, key


def chart(shop_id: int | None = None) -> dict[str, Account]:
    """Every role's account for the shop: what the owner saved, else the default."""
    shop_id = shop_id or current_shop_id()
    saved = db.session.execute(db.select(FecAccount).where(FecAccount.shop_id == shop_id)).scalars().all()
    accounts = dict(DEFAULTS)
    for row in saved:
        if row.key in accounts:
            accounts[row.key] = Account(row.key, row.number, row.label)
    return accounts


def check(key: str, number: str, label: str) -> tuple[str, str]:
    """The number and name cleaned, or a ChartError: digits only (A47 A-1: CompteNum, whose first
    three characters are digits of the PCG), 3 to 20 of them, in the role's class; a name."""
    role = BY_KEY[key]
    number, label = (number or "").strip(), " ".join((label or "").split())
    if not number.isdigit() or not number.isascii():
        raise ChartError(_("« %(n)s » (%(r)s) : un numéro de compte ne contient que des chiffres.", n=number, r=role.title))
    if not 3 <= len(number) <= 20:
        raise ChartError(_("« %(n)s » (%(r)s) : un numéro de compte a de 3 à 20 chiffres.", n=number, r=role.title))
    if number[0] not in role.classes:
        raise ChartError(_("« %(n)s » (%(r)s) : ce compte est de la classe %(c)s du plan comptable.", n=number,
                           r=role.title, c=" ou ".join(role.classes)))
    if not label or len(label) > 100:
        raise ChartError(_("Donnez un intitulé (100 caractères au plus) au compte %(n)s.", n=number), "label")
    if "|" in label:
        raise ChartError(_("L'intitulé du compte %(n)s ne peut pas contenir « | », le séparateur du fichier.", n=number), "label")
    return number, label


def one_name_per_number(cleaned: dict[str, tuple[str, str]]) -> None:
    """An account has one CompteLib in the file: two roles on one number carry the same name."""
    names: dict[str, tuple[str, str]] = {}
    for key, (number, label) in cleaned.items():
        first = names.setdefault(number, (key, label))
        if first[1] != label:
            raise ChartError(_("Le compte %(n)s a deux intitulés, « %(a)s » et « %(b)s » : donnez-lui le même partout.",
                               n=number, a=first[1], b=label), "label", key)


def save(values: dict[str, tuple[str, str]]) -> int:
    """Save the chart (key -> (number, name)) in one transaction: every value checked first, so a
    refusal saves nothing. Returns how many accounts changed."""
    cleaned = {key: check(key, *values[key]) for key in BY_KEY if key in values}
    one_name_per_number({**{k: (a.number, a.label) for k, a in chart().items()}, **cleaned})
    rows = {row.key: row for row in db.session.execute(db.select(FecAccount)).scalars().all()}
    changed = {}
    for key, (number, label) in cleaned.items():
        row = rows.get(key)
        current = (row.number, row.label) if row else (DEFAULTS[key].number, DEFAULTS[key].label)
        if (number, label) == current:
            continue
        changed[key] = (list(current), [number, label])
        if row is None:
            db.session.add(FecAccount(key=key, number=number, label=label))
        else:
            row.number, row.label = number, label
    if changed:
        note(db.session.get(Shop, current_shop_id()), "fec_chart_changed", {"accounts": (None, changed)})
    db.session.commit()
    return len(changed)
