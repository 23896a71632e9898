"""`flask backup restore FILE`: the database and the files of a backup put back onto an **empty**
instance (no table holds a row; `--force` empties it first), then checked: the rows of each table
and the SHA-256 of each file must be the manifest's. Nothing is restored over a shop's live data by
mistake, and a restore that does not check out says which table or file differs."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text

from ..extensions import db
from .archive import BackupError, libpq_url, read_manifest, sha256_of, sqlite_path, table_counts


def instance_rows() -> int:
    """How many rows the instance's tables hold (0: an empty instance, or tables not created yet)."""
    names = [n for n in inspect(db.engine).get_table_names() if n != "alembic_version"]
    with db.engine.connect() as conn:
        return sum(conn.execute(text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one() for n in names)


def wipe() -> None:
    """Empty the instance: every table dropped (PostgreSQL: the public schema made anew), files removed."""
    db.session.remove()
    path = sqlite_path(db.engine.url)
    db.engine.dispose()
    if path is None:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA foreign_keys=OFF")
            for kind, name in conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') "
                                           "AND name NOT LIKE 'sqlite_%'").fetchall():
                conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
            conn.commit()
        finally:
            conn.close()
    db.engine.dispose()
    root = Path(current_app.config["STORAGE_DIR"])
    if root.exists():
        shutil.rmtree(root)


def _restore_database(work: Path, manifest: dict) -> None:
    dump = work / manifest["database"]
    path = sqlite_path(db.engine.url)
    if (path is None) != (manifest["dialect"] == "postgresql"):
        raise BackupError(f"Cette sauvegarde vient d'une base {manifest['dialect']} ; l'instance utilise {db.engine.dialect.name}.")
    db.session.remove()
    db.engine.dispose()
    if path is None:
        result = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                                 "--dbname", libpq_url(db.engine.url), str(dump)], capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError("pg_restore a échoué : " + (result.stderr.strip() or str(result.returncode))[:500])
    else:
        source = sqlite3.connect(dump)
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    db.engine.dispose()


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"Entrée refusée dans la sauvegarde : {member.name}")
        members.append(member)
    return members


def check(manifest: dict) -> list[str]:
    """What differs between the instance and the manifest ([] when the restore is exact)."""
    problems = []
    counts = table_counts()
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"table {table} : {counts.get(table)} ligne(s), la sauvegarde en a {expected}")
    root = Path(current_app.config["STORAGE_DIR"])
    for relative, digest in manifest["files"].items():
        path = root / relative
        if not path.is_file():
            problems.append(f"fichier manquant : {relative}")
        elif sha256_of(path) != digest:
            problems.append(f"fichier différent : {relative}")
    return problems


def restore_backup(archive: Path, force: bool = False) -> dict:
    """Restore `archive` onto this instance; the manifest. Refuses an instance that holds rows unless `force`."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"Sauvegarde introuvable : {archive}")
    manifest = read_manifest(archive)
    if instance_rows() and not force:
        raise BackupError("Cette instance contient déjà des données : la restauration se fait sur une instance vide "
                          "(ou avec --force, qui efface tout avant de restaurer).")
    wipe()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(work, members=_safe_members(tar), filter="data")
        if sha256_of(work / manifest["database"]) != manifest["database_sha256"]:
            raise BackupError("La base de la sauvegarde ne correspond pas à son empreinte : sauvegarde abîmée.")
        _restore_database(work, manifest)
        root = Path(current_app.config["STORAGE_DIR"])
        if (work / "files").exists():
            shutil.copytree(work / "files", root, dirs_exist_ok=True)
        else:
            root.mkdir(parents=True, exist_ok=True)
    problems = check(manifest)
    if problems:
        raise BackupError("Restauration incomplète : " + " ; ".join(problems[:10]))
    return manifest
