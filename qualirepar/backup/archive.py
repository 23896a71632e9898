"""One backup = one `qualirepar-<UTC time>.tar.gz` holding `database.sqlite3` (SQLite's online
backup API: a consistent copy while the shop keeps writing) or `database.pgdump` (`pg_dump
--format=custom`, one snapshot transaction), the file store under `files/`, and `manifest.json`
(when, which database and migration, the rows of each table, the SHA-256 of each file). The same
manifest is written beside the archive so the health page reads it without opening the archive.
Written as `.part` then renamed: a backup cut short is never taken for a good one."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from alembic.migration import MigrationContext
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ..core.clock import utcnow
from ..extensions import db
from .rotation import to_keep

PREFIX = "qualirepar-"
SUFFIX = ".tar.gz"
STAMP = "%Y%m%dT%H%M%SZ"
FORMAT = 1


class BackupError(RuntimeError):
    """A backup or a restore that cannot be done; the message is for the person at the shell."""


@dataclass
class Backup:
    path: Path
    manifest: dict

    @property
    def created_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.manifest["created_at"])


def backup_dir() -> Path:
    return Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")


def sqlite_path(url) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory SQLite)."""
    url = make_url(str(url))
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("Une base SQLite en mémoire ne se sauvegarde pas.")
    return Path(url.database)


def libpq_url(url) -> str:
    """The SQLAlchemy URL as pg_dump / pg_restore read it (no +psycopg driver)."""
    return make_url(str(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def table_counts() -> dict[str, int]:
    counts = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            counts[table.name] = conn.execute(text(f'SELECT COUNT(*) FROM "{table.name}"')).scalar_one()
    return counts


def _revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def sha256_of(path: Path) -> str:
    """A file's SHA-256, read in 1 MB chunks (a database dump does not sit in memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files_root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def _stored_files(root: Path) -> list[Path]:
    """The store's files (LocalStorage's two levels of shards), without the `.part` of a write in progress."""
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".part")) if root.exists() else []


def _dump_database(work: Path) -> str:
    url = db.engine.url
    path = sqlite_path(url)
    if path is not None:
        target = work / "database.sqlite3"
        source = sqlite3.connect(path)
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest)  # page by page, consistent even while the shop writes
        finally:
            dest.close()
            source.close()
        return target.name
    target = work / "database.pgdump"
    result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target),
                             "--dbname", libpq_url(url)], capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError("pg_dump a échoué : " + (result.stderr.strip() or str(result.returncode))[:500])
    return target.name


def create_backup(destination: Path | None = None) -> Backup:
    """A new backup in `destination` (the instance's backups folder by default)."""
    destination = Path(destination or backup_dir())
    destination.mkdir(parents=True, exist_ok=True)
    now = utcnow()
    name = PREFIX + now.strftime(STAMP) + SUFFIX
    db.session.commit()  # nothing of ours pending in the dump
    counts = table_counts()
    with tempfile.TemporaryDirectory(dir=destination) as tmp:
        work = Path(tmp)
        dump = _dump_database(work)
        root = _files_root()
        files = {str(p.relative_to(root)): sha256_of(p) for p in _stored_files(root)}
        manifest = {"format": FORMAT, "created_at": now.isoformat(), "dialect": db.engine.dialect.name,
                    "revision": _revision(), "database": dump, "database_sha256": sha256_of(work / dump),
                    "tables": counts, "files": files}
        (work / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        part = destination / (name + ".part")
        with tarfile.open(part, "w:gz", compresslevel=6) as tar:
            tar.add(work / "manifest.json", arcname="manifest.json")
            tar.add(work / dump, arcname=dump)
            for relative in files:
                tar.add(root / relative, arcname="files/" + relative)
        os.replace(part, destination / name)
    (destination / (name + ".json")).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Backup(destination / name, manifest)


def list_backups(folder: Path | None = None) -> list[Backup]:
    """The finished backups of a folder, newest first (read from the manifests beside them)."""
    folder = Path(folder or backup_dir())
    found = []
    for path in folder.glob(PREFIX + "*" + SUFFIX) if folder.exists() else ():
        side = path.with_name(path.name + ".json")
        try:
            manifest = json.loads(side.read_text())
        except (OSError, ValueError):
            manifest = read_manifest(path)
        found.append(Backup(path, manifest))
    return sorted(found, key=lambda b: b.created_at, reverse=True)


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile("manifest.json")
            return json.loads(member.read())
    except (OSError, KeyError, ValueError, tarfile.TarError) as exc:
        raise BackupError(f"{path.name} n'est pas une sauvegarde qualirepar lisible ({exc}).") from exc


def rotate(folder: Path | None = None, days: int = 7, weeks: int = 5, months: int = 12) -> list[Path]:
    """Delete the backups the rotation no longer keeps; the paths deleted."""
    backups = list_backups(folder)
    keep = to_keep([b.created_at for b in backups], days=days, weeks=weeks, months=months)
    deleted = []
    for backup in backups:
        if backup.created_at not in keep:
            backup.path.unlink(missing_ok=True)
            backup.path.with_name(backup.path.name + ".json").unlink(missing_ok=True)
            deleted.append(backup.path)
    return deleted


def copy_to(backup: Backup, folder: Path) -> Path:
    """A second copy (another disk, a mounted share), written as `.part` then renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / backup.path.name
    shutil.copyfile(backup.path, target.with_name(target.name + ".part"))
    os.replace(target.with_name(target.name + ".part"), target)
    (folder / (backup.path.name + ".json")).write_text(json.dumps(backup.manifest, indent=1, sort_keys=True))
    return target
