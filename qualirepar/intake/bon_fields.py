"""Which fields the bon de prise en charge carries, and what a shop may change about each.

Three groups:
- the label's fields (référentiel QualiRépar §6.2.1) are always on the bon. The core ones are always
  required; the others (e-mail, model, purchase date...) are shown by default and a shop may make
  them required, never hide them;
- optional fields the product knows (access to the home, second phone...): hidden by default, a
  shop may show them or make them required;
- the shop's custom fields (text, number, date, choice, yes-no): `IntakeCustomField` rows.

Values of the last two groups are kept in `RepairOrder.extra` as `{key: {"label", "kind", "value"}}`,
so the bon printed later shows the field as it was named on the day.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

SHOWN, REQUIRED, HIDDEN = "shown", "required", "hidden"
STATES = {SHOWN: _l("affiché"), REQUIRED: _l("obligatoire"), HIDDEN: _l("masqué")}
KINDS = {"text": _l("Texte"), "number": _l("Nombre"), "date": _l("Date"), "choice": _l("Choix dans une liste"),
         "yes_no": _l("Oui / non")}

# The label's fields that no shop can make optional (the form's own validators require them).
CORE = ("last_name", "first_name", "street", "postcode", "city", "phone", "product_type", "brand", "serial_number",
        "fault_description", "service_requested")


@dataclass(frozen=True)
class LabelField:
    key: str  # the IntakeForm field
    label: object


# On the bon always; shown by default; a shop may require them.
LABEL_OPTIONAL = (
    LabelField("email", _l("E-mail")),
    LabelField("commercial_reference", _l("Référence commerciale (modèle)")),
    LabelField("purchase_date", _l("Date d'achat")),
    LabelField("symptom_code", _l("Code symptôme")),
    LabelField("parts_info", _l("Informations pour commander les pièces")),
    LabelField("accessories", _l("Accessoires laissés")),
    LabelField("visible_condition", _l("État apparent")),
)


@dataclass(frozen=True)
class ExtraField:
    key: str
    label: object
    kind: str
    choices: tuple = ()
    help: object = None


# Known optional fields: hidden until the shop shows them.
EXTRA = (
    ExtraField("x_phone2", _l("Second téléphone"), "phone"),
    ExtraField("x_access", _l("Accès au domicile (étage, code, interphone)"), "text"),
    ExtraField("x_contact", _l("Moyen de contact préféré"), "choice", (_l("Téléphone"), _l("SMS"), _l("E-mail"))),
    ExtraField("x_ceiling", _l("Montant maximal accepté sans devis (€)"), "number",
               help=_l("Au-delà, un devis est soumis au client avant réparation.")),
    ExtraField("x_out_of_warranty", _l("Appareil hors garantie (vérifié avec le client)"), "yes_no",
               help=_l("Le bonus réparation ne s'applique qu'aux appareils hors garantie.")),
    ExtraField("x_backup", _l("Données sauvegardées par le client"), "yes_no"),
    ExtraField("x_referral", _l("Comment nous avez-vous connu ?"), "text"),
)
EXTRA_BY_KEY = {f.key: f for f in EXTRA}


def label_state(states: dict, key: str) -> str:
    """A label field is shown or required, whatever the stored settings say."""
    return REQUIRED if states.get(key) == REQUIRED else SHOWN


def extra_state(states: dict, key: str) -> str:
    value = states.get(key, HIDDEN)
    return value if value in STATES else HIDDEN
