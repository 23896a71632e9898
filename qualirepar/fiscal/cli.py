"""`flask fiscal verify [--shop ID]`: the chain, the signatures, the sequence and the totals of each
shop (or one), the first broken entry named in French; exit code 1 when one is broken."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..extensions import db
from ..shops.models import Shop
from ..tenancy import as_shop
from .archive_cli import archive_command, verify_archive_file
from .verify import run_check

fiscal_cli = AppGroup("fiscal", help="Journal fiscal : vérification de la chaîne signée.")
fiscal_cli.add_command(archive_command)


@fiscal_cli.command("verify")
@click.option("--shop", "shop_id", type=int, default=None, help="L'identifiant de la boutique (toutes par défaut).")
@click.option("--archive", "archive_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Vérifier une archive (zip) : manifeste, signature, empreintes, chaînage.")
def verify_command(shop_id: int | None, archive_path: str | None) -> None:
    """Vérifier le chaînage, les signatures, la séquence et les totaux du journal fiscal."""
    if archive_path is not None:
        raise SystemExit(0 if verify_archive_file(archive_path) else 1)
    ids = [shop_id] if shop_id is not None else db.session.execute(db.select(Shop.id).order_by(Shop.id)).scalars().all()
    if shop_id is not None and db.session.get(Shop, shop_id) is None:
        raise click.ClickException(_("Aucune boutique n° %(id)d.", id=shop_id))
    broken = False
    for sid in ids:
        with as_shop(sid):
            report, _check = run_check(sid)
        if report.ok:
            click.echo(_("Boutique %(id)d : chaîne intègre (%(n)d écritures, %(r)d enregistrements contrôlés, %(s).1f s).",
                         id=sid, n=report.entries, r=report.rows, s=report.seconds))
            continue
        broken = True
        first = report.first
        click.echo(_("Boutique %(id)d : CHAÎNE ROMPUE. Première anomalie : %(m)s", id=sid, m=first.message))
        for problem in report.problems:
            if problem is not first:
                click.echo("  - " + problem.message)
    if broken:
        raise SystemExit(1)
