"""LISEZMOI.txt: who made the pack, for which shop and period, what each file holds and the
conventions an auditor needs to read them."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ...core import csvfr
from ...shops.models import Shop
from ..archive import Summary
from ..period import days

NAME = "LISEZMOI.txt"


def _header(shop: Shop, period_from, period_to, generated_at: dt.datetime, generated_by: str) -> list[str]:
    lines = [_("Dossier d'audit QualiRépar"), "=" * 26, "",
             _("Boutique : %(v)s", v=shop.name),
             _("SIRET : %(v)s", v=shop.siret),
             _("N° de label QualiRépar : %(v)s", v=shop.label_number or _("non renseigné"))]
    if shop.label_valid_until:
        lines.append(_("Label valide jusqu'au : %(v)s", v=csvfr.day(shop.label_valid_until)))
    if shop.address_lines:
        lines.append(_("Adresse : %(v)s", v=", ".join(shop.address_lines)))
    lines += [_("Période : du %(a)s au %(b)s inclus (%(n)s jours)", a=csvfr.day(period_from), b=csvfr.day(period_to),
                n=days(period_from, period_to)),
              _("Généré le : %(v)s (heure de Paris)", v=generated_at.strftime(csvfr.DATETIME)),
              _("Par : %(v)s", v=generated_by)]
    return lines


def _contents(summary: Summary) -> list[str]:
    lines = [_("Contenu"), "-------"]
    for part in summary.parts:
        lines.append(_("- %(name)s : %(n)s ligne(s) ; %(what)s", name=part.name, n=part.rows, what=part.what))
    if summary.bons_included:
        lines.append(_("- bons/ : %(n)s bon(s) de prise en charge, un par dossier pris en charge dans la période : "
                       "%(c)s copié(s) tel(s) que transmis à l'organisme avec la demande de bonus, %(r)s produit(s) pour ce "
                       "dossier à partir des données enregistrées (signatures comprises)",
                       n=summary.bons_copied + summary.bons_rendered, c=summary.bons_copied, r=summary.bons_rendered))
    else:
        lines.append(_("- bons/ : non inclus (option « inclure les bons en PDF » décochée). Chaque bon s'ouvre depuis "
                       "la fiche du dossier."))
    return lines


def _conventions() -> list[str]:
    return [_("Conventions"), "-----------",
            _("Fichiers CSV : séparateur point-virgule, encodage UTF-8 (avec BOM), montants en euros avec une virgule "
              "décimale, dates au format JJ/MM/AAAA, heures de Paris."),
            _("Période : prises en charge, bons et contrôles = dossiers dont la date de prise en charge est dans la période ; "
              "retours = retours pris en charge dans la période ; réclamations = reçues dans la période ; demandes de bonus = "
              "factures émises dans la période ; paiements = reçus dans la période."),
            _("Contrôles : un point obligatoire est « manquant » quand la phase était exigée (contrôles à l'entrée dès que le "
              "dossier a quitté la prise en charge, contrôles à la sortie dès que la réparation est déclarée terminée) "
              "sans réponse."),
            _("Retours : une réparation est un retour quand le même appareil revient moins de 3 mois calendaires après "
              "sa restitution ; aucun second bonus n'est demandé pour un retour."),
            _("Réclamations : réponse écrite attendue sous 8 jours ouvrés (jours fériés exclus)."), ""]


def readme(shop: Shop, period_from, period_to, generated_at: dt.datetime, generated_by: str, summary: Summary) -> str:
    """The readme's text (Windows line ends, for Notepad; the BOM is the caller's)."""
    lines = _header(shop, period_from, period_to, generated_at, generated_by) + [""] + _contents(summary) + [""] + _conventions()
    return "\r\n".join(lines)
