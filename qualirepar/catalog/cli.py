import click
from flask.cli import AppGroup

from .loader import load_csv

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
    from .tasks import sync_all

    click.echo(f"{sync_all()} synchronisation(s) mise(s) en file.")
