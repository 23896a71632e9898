"""Reference knowledge shared by the catalog and the sandbox: name normalisation, which fiche
métier a product falls under, French labels of the IRIS codes, and the shipped CSVs.
Pure Python: no app, no database."""
from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"


def norm(text: str | None) -> str:
    """Lower-case ASCII letters and digits only: 'Réfrigérateur / congélateur' -> 'refrigerateurcongelateur'."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in text if ch.isalnum())


def fiche_for(family: str, name: str) -> str:
    """The fiche métier (see shops.models.FICHES_METIER) a product of the grid falls under."""
    n = norm(name)
    if any(k in n for k in ("refrigerateur", "congelateur", "caveavin")):
        return "FROID"
    if family == "Gros électroménager" or any(k in n for k in ("fourencastrable", "hotte", "plaquedecuisson", "cuisiniere")):
        return "GEM"
    if "televiseur" in n or "moniteur" in n or "videoprojecteur" in n:
        return "ECRANS"
    if "appareilphoto" in n:
        return "PHOTO"
    if family.startswith(("Informatique", "Téléphonie")):
        return "INFO_TEL"
    if family.startswith("Image"):
        return "EGP"
    if family in ("Bricolage", "Entretien du jardin"):
        return "PETIT_OUTILLAGE"
    if family in ("Appareil de sport", "Mobilité électrique", "Objets connectés / loisirs", "Instrument de musique"):
        return "LOISIRS"
    return "PEM"


# piec_majoration.csv names equipment types; these are the grid products they cover.
PIEC_PRODUCTS = {
    "Lave-linge et lave-linge séchant": ("lavelinge",),
    "Lave-vaisselle": ("lavevaisselle",),
    "Réfrigérateur": ("refrigerateur",),
    "Téléviseur et moniteur": ("televiseur", "moniteur"),
    "Ordinateur portable": ("ordinateurportable",),
    "Téléphone mobile multifonction": ("telephoneportable",),
}

CONDITIONS_FR = {"1": "En permanence", "2": "Par intermittence", "3": "Au bout d'un moment", "4": "À chaud (après chauffe)",
                 "5": "À froid / dans un environnement froid", "X1J": "À l'avant gauche", "X1A": "À l'arrière",
                 "X22": "Pendant le prélavage", "X36": "Pendant la cuisson"}

IRIS_FR = {
    "110": "Problème d'alimentation / ne fonctionne pas", "111": "Pas d'alimentation", "112": "Pas d'alimentation sur adaptateur secteur",
    "113": "Pas d'alimentation sur piles", "114": "Pas d'alimentation sur batterie", "120": "Défauts de charge / de niveau",
    "121": "La batterie ne charge pas", "122": "La batterie charge incomplètement", "123": "La charge est trop longue",
    "124": "Chauffe insuffisante", "125": "Chauffe excessive", "130": "Problèmes d'affichage", "131": "Affichage éteint ou endommagé",
    "132": "Voyant / LED défectueux", "133": "Indicateur de niveau défectueux", "134": "Affichage à l'écran absent ou erroné",
    "135": "Indication de réglage erronée", "140": "Bruit anormal", "141": "Bruit de décharge du tube", "142": "Bruit de décharge haute tension",
    "143": "Bruit du boîtier / du tiroir", "150": "Défauts de télécommande", "151": "La télécommande ne fonctionne pas",
    "152": "La télécommande fonctionne mal", "153": "Une fonction de la télécommande est défectueuse", "160": "Dommage mécanique",
    "161": "Boîtier, façade ou vitre cassé ou déformé", "170": "Problèmes de fonctionnement général", "171": "Horloge défectueuse",
    "172": "Fonction veille défectueuse", "173": "Programmation de la minuterie défectueuse", "174": "Enregistrement programmé défectueux",
    "175": "Problème de programmation / réglages", "180": "Demandes particulières", "181": "Contrôle et vérification",
    "182": "Révision", "183": "Conversion système / fréquence", "184": "Préréglage / installation", "185": "Modification",
    # the project's provisional domestic-appliance symptoms (iris_codes.csv says why)
    "QR11": "Ne se remplit pas d'eau", "QR12": "Ne vidange pas", "QR13": "Fuite d'eau",
    "QR14": "Le tambour ne tourne pas / n'essore pas", "QR15": "Porte ou hublot bloqué, ou ne se verrouille pas",
    "QR16": "Vibre fortement / se déplace à l'essorage", "QR17": "Ne sèche pas", "QR21": "Lave mal",
    "QR31": "Ne refroidit pas ou pas assez", "QR32": "Refroidit trop / gèle", "QR33": "Givre ou glace en excès",
    "QR34": "La porte ou le joint ne ferme pas bien", "QR41": "Fait disjoncter", "QR42": "Fumée ou odeur de brûlé",
    "QR51": "Le moteur ne tourne pas", "QR52": "N'aspire pas ou aspire mal", "QR53": "Pas de vapeur ou pas d'écoulement (eau, café)",
    "QR61": "L'assistance électrique ne fonctionne pas",
}

# Appliance groups of iris_codes.csv's `groups` column: which symptoms can occur on which appliance.
APPLIANCE_GROUPS = ("laundry", "dishwasher", "cold", "cooking", "small_kitchen", "home_care", "air", "beauty", "av", "it",
                    "photo", "tools", "mobility", "sport", "leisure")
_GROUP_KEYS = [  # (group, name fragments), first match wins; the family decides when no fragment matches
    ("dishwasher", ("lavevaisselle",)), ("laundry", ("lavelinge", "sechelinge")),
    ("cold", ("refrigerateur", "congelateur", "caveavin")),
    ("cooking", ("four", "hotte", "plaquedecuisson", "cuisiniere", "friteuse")),
    ("air", ("climatiseur", "humidificateur", "deshumidificateur", "purificateur", "ventilateur")),
    ("home_care", ("aspirateur", "ferarepasser", "defroisseur", "centralevapeur", "nettoyeurvapeur")),
    ("small_kitchen", ("bouilloire", "cafe", "grillepain", "centrifugeuse", "pressegrumes", "presseagrumes", "robot")),
    ("beauty", ("epilateur", "lisseur", "sechecheveux", "rasoir")),
    ("photo", ("appareilphoto",)), ("av", ("televiseur", "moniteur", "videoprojecteur", "enceinte")),
    ("mobility", ("veloassistance", "trottinette", "gyroroue", "hoverboard")),
    ("sport", ("velodappartement", "rameur", "tapisdecourse", "plateformevibrante")),
    ("tools", ("perceuse", "visseuse", "taillehaie", "tondeuse")), ("leisure", ("drone", "instrument")),
]
_FAMILY_GROUPS = [("Image", "av"), ("Informatique", "it"), ("Téléphonie", "it"), ("Bricolage", "tools"), ("Entretien du jardin", "tools"),
                  ("Mobilité", "mobility"), ("Appareil de sport", "sport"), ("Beauté", "beauty"), ("Cuisine - cuisson", "cooking"),
                  ("Cuisine", "small_kitchen"), ("Maison", "home_care"), ("Gros électroménager", "laundry"),
                  ("Objets connectés", "leisure"), ("Instrument", "leisure")]


def appliance_group(name: str, family: str | None) -> str | None:
    """The group of iris_codes.csv a product type belongs to: 'Lave-linge' -> 'laundry', 'Téléviseur' -> 'av'."""
    n = norm(name)
    for group, keys in _GROUP_KEYS:
        if any(k in n for k in keys):
            return group
    return next((group for prefix, group in _FAMILY_GROUPS if (family or "").startswith(prefix)), None)


def iris_symptom_groups() -> dict[str, frozenset[str] | None]:
    """Symptom code -> the appliance groups it belongs to (None: every appliance)."""
    out = {}
    for r in rows("iris_codes.csv"):
        if r["kind"] == "symptom":
            groups = frozenset(g for g in (r.get("groups") or "all").split("|") if g)
            out[r["code"]] = None if "all" in groups else groups
    return out


def symptom_fits(code: str, group: str | None, groups: dict | None = None) -> bool:
    """Whether an IRIS symptom belongs to an appliance of `group` (an unknown group gets the general codes only)."""
    groups = iris_symptom_groups() if groups is None else groups
    if code not in groups:
        return False
    scope = groups[code]
    return scope is None or (group is not None and group in scope)


def iris_symptoms_for(name: str, family: str | None) -> list[tuple[str, str]]:
    """(code, French label) of the IRIS symptoms that belong to this product type."""
    group, groups = appliance_group(name, family), iris_symptom_groups()
    return [(code, label) for kind, code, label in iris_codes() if kind == "symptom" and symptom_fits(code, group, groups)]


def rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def iris_codes() -> list[tuple[str, str, str]]:
    """(kind, code, French label) of the IRIS condition, extended-condition and symptom codes."""
    out = []
    for r in rows("iris_codes.csv"):
        if r["kind"] in ("condition", "extended_condition"):
            out.append((r["kind"], r["code"], CONDITIONS_FR.get(r["code"], r["label"])))
        elif r["kind"] == "symptom":
            out.append(("symptom", r["code"], IRIS_FR.get(r["code"], r["label"])))
    return out
