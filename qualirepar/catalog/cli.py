import click
from flask.cli import AppGroup

from .loader import load_csv
from .tasks import sync_all_catalogs

catalog_cli = AppGroup("catalog", help="Référentiel : produits, barème, marques, codes.")


@catalog_cli.command("load")
def load_command() -> None:
    """Fill an empty catalog from the shipped CSVs (does nothing if it is already filled)."""
    counts = load_csv()
    if not counts:
        click.echo("Catalogue déjà chargé : rien à faire (la synchronisation avec les éco-organismes le met à jour).")
        return
    click.echo("Catalogue chargé : " + ", ".join(f"{n} {k}" for k, n in counts.items()))


@catalog_cli.command("sync-all")
def sync_all_command() -> None:
    """Queue a sync for every shop and organism account (what the daily schedule does)."""
    click.echo(f"{sync_all_catalogs()} synchronisation(s) mise(s) en file.")
