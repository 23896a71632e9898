"""`flask fiscal archive` (build the signed archive of a closed year or month) and the body of
`flask fiscal verify --archive FILE` (check an archive anyone holds; with this database at hand,
also that it was signed with the shop's own key)."""
from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import click
from flask_babel import gettext as _

from ..extensions import db
from ..shops.models import Shop
from ..tenancy import as_shop
from . import archive, closings
from .models import FiscalChain


def verify_archive_file(path: str) -> bool:
    """Print what is found, in French; True when the archive is intact."""
    report = archive.verify_archive(path)
    shop_id = (report.manifest.get("shop") or {}).get("id")
    if shop_id is not None:
        known = db.session.execute(db.select(FiscalChain.public_key_pem).where(FiscalChain.shop_id == shop_id)
                                   .execution_options(all_shops=True)).scalar_one_or_none()
        if known is not None:
            report = archive.verify_archive(path, known)
    if report.ok:
        period = report.manifest.get("period") or {}
        click.echo(_("Archive intègre : %(f)s, du %(a)s au %(b)s, %(n)d écritures et %(r)d enregistrements vérifiés, "
                     "signature du manifeste valide.", f=Path(path).name, a=period.get("start"), b=period.get("end"),
                     n=report.entries, r=report.records))
        return True
    click.echo(_("ARCHIVE ALTÉRÉE : %(f)s", f=Path(path).name))
    for problem in report.problems:
        click.echo("  - " + problem)
    return False


@click.command("archive")
@click.option("--shop", "shop_id", type=int, required=True, help="L'identifiant de la boutique.")
@click.option("--year", type=int, default=None, help="L'exercice clos (l'année de son dernier jour).")
@click.option("--month", default=None, help="Un mois clos, AAAA-MM.")
def archive_command(shop_id: int, year: int | None, month: str | None) -> None:
    """Construire l'archive signée d'un exercice ou d'un mois clos."""
    if db.session.get(Shop, shop_id) is None:
        raise click.ClickException(_("Aucune boutique n° %(id)d.", id=shop_id))
    with as_shop(shop_id):
        if month:
            try:
                first = dt.datetime.strptime(month, "%Y-%m").date()
            except ValueError:
                raise click.ClickException(_("Mois attendu au format AAAA-MM.")) from None
            start, end, scope = first, first.replace(day=calendar.monthrange(first.year, first.month)[1]), archive.MONTH
        elif year:
            years = [c for c in closings.listing(shop_id, "closing_year", limit=100) if c.period_end.year == year]
            if not years:
                raise click.ClickException(_("L'exercice %(y)d n'est pas clos.", y=year))
            start, end, scope = years[0].period_start, years[0].period_end, archive.YEAR
        else:
            raise click.ClickException(_("Indiquez --year ou --month."))
        made = archive.build_archive(shop_id, start, end, scope)
    click.echo(_("Archive du %(a)s au %(b)s enregistrée (fichier n° %(f)d, SHA-256 %(h)s).", a=start, b=end, f=made.file_id,
                 h=made.sha256))
