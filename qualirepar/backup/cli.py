"""`flask backup create | list | restore FILE [--force]`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .archive import BackupError, copy_to, create_backup, list_backups, rotate
from .restore import restore_backup

backup_cli = AppGroup("backup", help="Sauvegardes de la base et des fichiers.")


@backup_cli.command("create")
def create_command():
    """Une sauvegarde maintenant (puis la rotation, et la copie si BACKUP_COPY_DIR est réglé)."""
    backup = create_backup()
    click.echo(f"sauvegarde : {backup.path} ({backup.path.stat().st_size // 1024} Ko, "
               f"{sum(backup.manifest['tables'].values())} lignes, {len(backup.manifest['files'])} fichiers)")
    if current_app.config.get("BACKUP_COPY_DIR"):
        click.echo(f"copie : {copy_to(backup, Path(current_app.config['BACKUP_COPY_DIR']))}")
    for path in rotate():
        click.echo(f"supprimée par la rotation : {path.name}")


@backup_cli.command("list")
def list_command():
    for backup in list_backups():
        click.echo(f"{backup.path.name}  {backup.manifest['dialect']}  {sum(backup.manifest['tables'].values())} lignes  "
                   f"{len(backup.manifest['files'])} fichiers")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Efface l'instance avant de restaurer (sinon elle doit être vide).")
def restore_command(archive: Path, force: bool):
    """Restaure ARCHIVE sur cette instance, puis vérifie les lignes et les fichiers."""
    try:
        manifest = restore_backup(archive, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restaurée : {archive.name} du {manifest['created_at']}, {sum(manifest['tables'].values())} lignes, "
               f"{len(manifest['files'])} fichiers, vérifiés")
