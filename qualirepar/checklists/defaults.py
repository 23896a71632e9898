"""Default control points, seeded for a shop the first time a fiche métier's checklist is used.

The fiches métiers' own texts were not available (DOMAIN.md §5.2); these are the checks a repair
shop does anyway. Limits follow the usual periodic-test values for household appliances
(EN 50678 / EN 50699): protective-conductor resistance ≤ 0.3 Ω, insulation resistance ≥ 1 MΩ,
protective-conductor (leakage) current ≤ 3.5 mA. The owner adapts them.

These three electrical measures are **safety points** (`safety=True`): out of their limits, the
appliance cannot be declared repaired (`checklists.safety`). Sources for the limits: EN 50678:2020
(tests after repair) and EN 50699:2021 (periodic tests), which replaced VDE 0701-0702: PE
resistance 0.3 Ω for a cord up to 5 m and 1.5 mm² (Gossen Metrawatt support, «Warum wurde der
Grenzwert für den Schutzleiterwiderstand … geändert»), protective-conductor current 3.5 mA for a
class I appliance (GMW TG euro 1 manual § 9.4.1), insulation 1 MΩ for class I.
"""
from __future__ import annotations

from decimal import Decimal

CHECKIN_COMMON = [
    dict(label="Appareil identifié : plaque signalétique lisible", kind="yes_no", mandatory=True),
    dict(label="Photo de la plaque signalétique", kind="photo", mandatory=True),
    dict(label="Panne constatée avec le client", kind="choice", mandatory=True,
         choices=["Reproduite", "Non reproduite", "Intermittente"]),
    dict(label="État apparent et dommages constatés", kind="text"),
]
ELECTRICAL_CHECKOUT = [
    dict(label="Continuité du conducteur de protection", kind="measure", unit="Ω", max_value=Decimal("0.3"), mandatory=True, safety=True,
         help="Appareils de classe I ; indiquez 0 pour un appareil de classe II."),
    dict(label="Résistance d'isolement", kind="measure", unit="MΩ", min_value=Decimal("1"), mandatory=True, safety=True),
    dict(label="Courant de fuite", kind="measure", unit="mA", max_value=Decimal("3.5"), mandatory=True, safety=True),
    dict(label="Essai fonctionnel complet", kind="yes_no", mandatory=True),
]
CHECKOUT = {
    "GEM": ELECTRICAL_CHECKOUT + [dict(label="Absence de fuite d'eau après cycle d'essai", kind="yes_no")],
    "FROID": ELECTRICAL_CHECKOUT + [dict(label="Température atteinte après mise en service", kind="measure", unit="°C",
                                         max_value=Decimal("8"))],
    "PEM": ELECTRICAL_CHECKOUT,
    "ECRANS": ELECTRICAL_CHECKOUT[1:] + [dict(label="Image et son vérifiés sur toutes les entrées", kind="yes_no", mandatory=True)],
    "EGP": ELECTRICAL_CHECKOUT[1:],
    "INFO_TEL": [
        dict(label="Essai fonctionnel (écran tactile, caméras, micro, haut-parleur, charge)", kind="yes_no", mandatory=True),
        dict(label="État de santé de la batterie", kind="measure", unit="%", min_value=Decimal("80")),
        dict(label="Données du client préservées", kind="yes_no", mandatory=True),
    ],
}
GENERIC_CHECKOUT = [dict(label="Essai fonctionnel complet", kind="yes_no", mandatory=True),
                    dict(label="Observations remises au client", kind="text")]


def points(fiche_code: str, phase: str) -> list[dict]:
    if phase == "checkin":
        return CHECKIN_COMMON
    return CHECKOUT.get(fiche_code, GENERIC_CHECKOUT)
