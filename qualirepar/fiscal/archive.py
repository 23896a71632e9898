"""Signed archives of closed periods (issue 19; BOI-TVA-DECLA-30-10-30, condition d'archivage): one
zip per closed fiscal year (and, on demand, per closed month) with the records (invoices and their
lines, payments, deposits), the journal and the closings, in CSV and JSON, a README.txt in French
describing every file and column, the shop's public key, a manifest of each file's SHA-256 and the
Ed25519 signature of that manifest. Journaled as ARCHIVE; kept as a stored file that no purge
touches (six years at least, LPF art. L102 B); `verify_archive` checks one anyone holds."""
from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Iterable, Iterator

from flask import render_template
from flask_babel import gettext as _

from ..core.clock import paris_today, utcnow
from ..core.csvfr import BOM, writer
from ..extensions import db
from ..files.services import store_checked
from ..shops.models import Shop
from . import kinds
from .canonical import canonical, plain
from .closing_models import FiscalArchive, FiscalClosing
from .journal import BATCH, GENESIS, Amounts, add_totals, closed_until, digest, entries, entry_body, record
from .keys import public_key_pem, sign, verify_signature
from .models import FiscalEntry
from .records import snapshots

FORMAT = "qualirepar-archive/1"
YEAR, MONTH = "year", "month"
#: the records: (file name, table, the column dating a row in the period)
RECORDS = (("invoices", "invoice", "issued_on"), ("payments", "payment", "received_on"), ("deposits", "deposit", "received_on"))
ENTRY_COLUMNS = ("seq", "kind", "occurred_on", "recorded_at", "user_id", "record_table", "record_id", "closes_until",
                 "prev_hash", "hash", "signature", "payload", "amounts", "totals")
CLOSING_COLUMNS = ("kind", "period_start", "period_end", "entry_seq", "first_seq", "last_seq", "entries", "totals",
                   "grand_totals", "created_at", "user_id")
SIGNED = ("manifest.json", "manifest.sig", "public_key.pem")


def _cell(value):
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False) if isinstance(value, (dict, list)) else value


def _csv(columns, rows: Iterable[dict]) -> Iterator[bytes]:
    """A CSV file in chunks: the header, then the rows a few hundred at a time."""
    out = io.StringIO()
    out.write(BOM)
    w = writer(out)
    w.writerow(columns)
    for i, row in enumerate(rows, 1):
        w.writerow([_cell(row.get(c)) for c in columns])
        if i % 500 == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def _json(items: Iterable) -> Iterator[bytes]:
    """A JSON array in chunks, one item per line (so a verifier can read it line by line too)."""
    yield b"["
    for i, item in enumerate(items):
        yield (b",\n" if i else b"\n") + json.dumps(plain(item), sort_keys=True, ensure_ascii=False).encode("utf-8")
    yield b"\n]\n"


def _entry_json(entry: FiscalEntry) -> dict:
    return {**plain(entry_body(entry)), "hash": entry.hash, "signature": entry.signature}


def _journal_range(shop_id: int, start: dt.date, end: dt.date) -> tuple[int | None, int | None]:
    """The journal's entries from the first to the last dated in the period (closings included): a
    run without gaps, whose chain the verifier can follow."""
    return db.session.execute(db.select(db.func.min(FiscalEntry.seq), db.func.max(FiscalEntry.seq)).where(
        FiscalEntry.shop_id == shop_id, FiscalEntry.occurred_on >= start, FiscalEntry.occurred_on <= end)).one()


def _records(shop_id: int, table: str, day_column: str, start: dt.date, end: dt.date) -> Iterator[dict]:
    """The period's rows of `table` as the journal carries them (with their lines), read in batches."""
    t = db.metadata.tables[table]
    after = 0
    while True:
        ids = db.session.execute(db.select(t.c.id).where(t.c.shop_id == shop_id, t.c[day_column] >= start,
                                                         t.c[day_column] <= end, t.c.id > after)
                                 .order_by(t.c.id).limit(BATCH)).scalars().all()
        if not ids:
            return
        found = snapshots(table, ids, shop_id=shop_id)
        yield from (found[i] for i in ids)
        after = ids[-1]


def _entries(shop_id: int, first: int | None, last: int | None) -> Iterator[dict]:
    return iter(()) if first is None else (_entry_json(e) for e in entries(shop_id, since_seq=first, until_seq=last))


class _Writer:
    """Files written one after the other into the zip, each hashed as it is written."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf, self.files = zf, {}

    def write(self, name: str, chunks: Iterable[bytes]) -> None:
        digest_, size = hashlib.sha256(), 0
        with self.zf.open(name, "w", force_zip64=True) as out:
            for chunk in chunks:
                out.write(chunk)
                digest_.update(chunk)
                size += len(chunk)
        self.files[name] = {"sha256": digest_.hexdigest(), "bytes": size}


def write_contents(w: _Writer, shop_id: int, start: dt.date, end: dt.date, scope: str) -> dict:
    """Write the archive's files (but the manifest and its signature); returns the manifest."""
    for name, table, day_column in RECORDS:
        w.write(f"{name}.json", _json(_records(shop_id, table, day_column, start, end)))
        columns = [c.name for c in db.metadata.tables[table].columns]
        w.write(f"{name}.csv", _csv(columns, (r["row"] for r in _records(shop_id, table, day_column, start, end))))
        if table == "invoice":
            line_columns = [c.name for c in db.metadata.tables["invoice_line"].columns]
            w.write("invoice_lines.csv", _csv(line_columns, (ln for r in _records(shop_id, table, day_column, start, end)
                                                              for ln in r.get("lines", []))))
    first, last = _journal_range(shop_id, start, end)
    w.write("journal.json", _json(_entries(shop_id, first, last)))
    w.write("journal.csv", _csv(ENTRY_COLUMNS, _entries(shop_id, first, last)))
    last_hash = db.session.execute(db.select(FiscalEntry.hash).where(FiscalEntry.shop_id == shop_id,
                                                                    FiscalEntry.seq == last)).scalar() if last else None
    closings = [plain({c: getattr(row, c) for c in CLOSING_COLUMNS}) for row in db.session.execute(
        db.select(FiscalClosing).where(FiscalClosing.shop_id == shop_id, FiscalClosing.period_start >= start,
                                       FiscalClosing.period_end <= end).order_by(FiscalClosing.entry_seq)).scalars()]
    w.write("closings.json", _json(closings))
    w.write("closings.csv", _csv(CLOSING_COLUMNS, closings))
    shop = db.session.get(Shop, shop_id)
    w.write("README.txt", [render_template("fiscal/archive_readme.txt", shop=shop, start=start, end=end, scope=scope,
                                           entry_columns=ENTRY_COLUMNS, closing_columns=CLOSING_COLUMNS).encode("utf-8")])
    manifest = {"format": FORMAT, "shop": {"id": shop.id, "name": shop.name, "siret": shop.siret},
                "period": {"scope": scope, "start": start, "end": end}, "created_at": utcnow(),
                "journal": {"first_seq": first, "last_seq": last, "last_hash": last_hash}, "files": dict(sorted(w.files.items()))}
    w.zf.writestr("public_key.pem", public_key_pem(shop_id))
    return plain(manifest)


def filename(shop: Shop, start: dt.date, end: dt.date) -> str:
    return f"archive-fiscale-{shop.siret}-{start:%Y%m%d}-{end:%Y%m%d}.zip"


def build_archive(shop_id: int, start: dt.date, end: dt.date, scope: str, user_id: int | None = None) -> FiscalArchive:
    """Build, store and journal the archive of a closed period, in one transaction."""
    closed = closed_until(shop_id)
    if closed is None or end > closed:
        raise kinds.FiscalRefusal(_("La période du %(a)s au %(b)s n'est pas close : clôturez-la avant de l'archiver.",
                                    a=start.strftime("%d/%m/%Y"), b=end.strftime("%d/%m/%Y")))
    with tempfile.TemporaryFile() as out:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            manifest = write_contents(_Writer(zf), shop_id, start, end, scope)
            manifest_bytes = json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8")
            zf.writestr("manifest.json", manifest_bytes)
            zf.writestr("manifest.sig", base64.b64encode(sign(shop_id, manifest_bytes)) + b"\n")
        out.seek(0)
        data = out.read()
    shop = db.session.get(Shop, shop_id)
    try:
        stored = store_checked(data, filename(shop, start, end), "fiscal_archive", "application/zip", ".zip", created_by_id=user_id)
        db.session.flush()
        zip_sha, manifest_sha = hashlib.sha256(data).hexdigest(), hashlib.sha256(manifest_bytes).hexdigest()
        entry = record(kinds.ARCHIVE, {"scope": scope, "period_start": start, "period_end": end, "zip_sha256": zip_sha,
                                       "manifest_sha256": manifest_sha, "first_seq": manifest["journal"]["first_seq"],
                                       "last_seq": manifest["journal"]["last_seq"], "file": stored.original_name},
                       shop_id=shop_id, occurred_on=paris_today(), user_id=user_id)
        archive = FiscalArchive(shop_id=shop_id, scope=scope, period_start=start, period_end=end, file_id=stored.id,
                                sha256=zip_sha, manifest_sha256=manifest_sha, entry_seq=entry.seq,
                                first_seq=manifest["journal"]["first_seq"], last_seq=manifest["journal"]["last_seq"], user_id=user_id)
        db.session.add(archive)
        db.session.commit()
    except BaseException:
        db.session.rollback()  # the zip's bytes leave the store with the rollback
        raise
    return archive


def listing(shop_id: int) -> list[FiscalArchive]:
    return list(db.session.execute(db.select(FiscalArchive).where(FiscalArchive.shop_id == shop_id)
                                   .order_by(FiscalArchive.period_end.desc(), FiscalArchive.id.desc())).scalars())


# --- verification of an archive anyone holds --------------------------------------------------


@dataclass
class ArchiveReport:
    problems: list[str] = field(default_factory=list)
    entries: int = 0
    records: int = 0
    manifest: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _signature_ok(public_pem: str, data: bytes, signature_b64: bytes | str) -> bool:
    try:
        return verify_signature(public_pem, data, base64.b64decode(signature_b64, validate=True))
    except (binascii.Error, ValueError):
        return False


def _items(zf: zipfile.ZipFile, name: str) -> Iterator[dict]:
    """The items of a JSON array file, one line at a time as the archive writes them (constant memory);
    a file written otherwise is read whole."""
    with zf.open(name) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            line = line.strip().rstrip(",")
            if line in ("[", "]", ""):
                continue
            try:
                item = json.loads(line)
            except ValueError:
                item = None
            if not isinstance(item, dict):
                yield from json.loads(zf.read(name))
                return
            yield item


def _sha256_of(zf: zipfile.ZipFile, name: str) -> str:
    digest_ = hashlib.sha256()
    with zf.open(name) as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest_.update(chunk)
    return digest_.hexdigest()


def _fingerprint(obj) -> str:
    return hashlib.sha256(canonical(obj)).hexdigest()


@dataclass
class _Journal:
    """What the records and closings are checked against, kept small: fingerprints, not payloads."""

    records: dict = field(default_factory=dict)  # (table, id) -> (seq, fingerprint of the payload)
    closings: dict = field(default_factory=dict)  # seq -> fingerprint of the closing's totals
    hashes: list = field(default_factory=list)  # the entries' hashes in order (the CSV is checked against them)


def _check_chain(report: ArchiveReport, public_pem: str, entries: Iterable[dict]) -> _Journal:
    """The journal inside: sequence, hash, link, signature and grand totals; stops at the first broken entry."""
    seen, prev, totals = _Journal(), None, None
    for e in entries:
        n = e.get("seq")
        if prev is not None and n != prev["seq"] + 1:
            report.problems.append(_("Journal : l'écriture n° %(n)d manque (on passe de la n° %(p)d à la n° %(s)s).",
                                     n=prev["seq"] + 1, p=prev["seq"], s=n))
            return seen
        body = SimpleNamespace(**{k: e.get(k) for k in ("shop_id", "seq", "kind", "occurred_on", "recorded_at", "user_id",
                                                         "record_table", "record_id", "payload", "amounts", "totals",
                                                         "closes_until", "prev_hash")})
        if digest(entry_body(body)) != e.get("hash"):
            report.problems.append(_("Journal : l'écriture n° %(n)s a été modifiée (son empreinte ne correspond plus).", n=n))
            return seen
        if (prev is not None and e.get("prev_hash") != prev["hash"]) or (n == 1 and e.get("prev_hash") != GENESIS):
            report.problems.append(_("Journal : l'écriture n° %(n)s ne suit pas la précédente (chaînage rompu).", n=n))
            return seen
        if not _signature_ok(public_pem, e["hash"].encode(), e.get("signature") or ""):
            report.problems.append(_("Journal : l'écriture n° %(n)s n'a pas une signature valide.", n=n))
            return seen
        if totals is not None:
            totals = add_totals(totals, Amounts.from_json(e.get("amounts")), dt.datetime.fromisoformat(e["recorded_at"]))
            if canonical(totals) != canonical(e.get("totals")):
                report.problems.append(_("Journal : l'écriture n° %(n)s porte des totaux cumulés faux.", n=n))
                return seen
        totals, prev = e.get("totals") or {}, {"seq": n, "hash": e["hash"]}
        if e.get("record_table"):
            seen.records[(e["record_table"], e.get("record_id"))] = (n, _fingerprint(e.get("payload")))
        if e.get("kind") in kinds.CLOSINGS:
            seen.closings[n] = _fingerprint((e.get("payload") or {}).get("totals"))
        seen.hashes.append(e["hash"])
        report.entries += 1
    return seen


def _check_records(report: ArchiveReport, zf: zipfile.ZipFile, seen: _Journal) -> None:
    """Each record inside against the entry that journals it; each closing against its entry."""
    for name, table, _day in RECORDS:
        for rec in _items(zf, f"{name}.json"):
            report.records += 1
            row_id = (rec.get("row") or {}).get("id")
            entry = seen.records.get((table, row_id))
            if entry is None:
                report.problems.append(_("%(f)s : l'enregistrement id %(id)s n'a pas d'écriture dans le journal de l'archive.",
                                         f=f"{name}.json", id=row_id))
            elif entry[1] != _fingerprint(rec):
                report.problems.append(_("%(f)s : l'enregistrement id %(id)s ne correspond pas à l'écriture n° %(n)s.",
                                         f=f"{name}.json", id=row_id, n=entry[0]))
    for closing in _items(zf, "closings.json"):
        if seen.closings.get(closing.get("entry_seq")) != _fingerprint(closing.get("totals")):
            report.problems.append(_("closings.json : la clôture du %(d)s ne correspond pas à son écriture n° %(n)s.",
                                     d=closing.get("period_end"), n=closing.get("entry_seq")))


def verify_archive(data: bytes | str, known_public_pem: str | None = None) -> ArchiveReport:
    """Check an archive: the manifest's signature with the public key inside (and, when known, that
    it is the shop's key), every file's SHA-256, the journal's chain, the records against it.
    `data`: the zip's bytes or its path (read file by file, in constant memory)."""
    report = ArchiveReport()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
        names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        report.problems.append(_("Ce fichier n'est pas une archive zip lisible."))
        return report
    missing = [n for n in SIGNED if n not in names]
    if missing:
        report.problems.append(_("L'archive n'a pas %(f)s : elle ne peut pas être vérifiée.", f=", ".join(missing)))
        return report
    manifest_bytes, public_pem = zf.read("manifest.json"), zf.read("public_key.pem").decode()
    if not _signature_ok(public_pem, manifest_bytes, zf.read("manifest.sig").strip()):
        report.problems.append(_("La signature du manifeste est invalide : le manifeste a été modifié ou n'a pas été signé "
                                 "par cette clé."))
        return report
    if known_public_pem is not None and known_public_pem.strip() != public_pem.strip():
        report.problems.append(_("La clé publique de l'archive n'est pas celle de la boutique : l'archive a été signée par "
                                 "une autre clé."))
    try:
        report.manifest = json.loads(manifest_bytes)
    except ValueError:
        report.problems.append(_("Le manifeste est illisible."))
        return report
    listed = report.manifest.get("files") or {}
    for name, meta in sorted(listed.items()):
        if name not in names:
            report.problems.append(_("Le fichier %(f)s manque dans l'archive.", f=name))
        elif _sha256_of(zf, name) != meta.get("sha256"):
            report.problems.append(_("Le fichier %(f)s a été modifié : son empreinte SHA-256 n'est pas celle du manifeste.", f=name))
    for name in sorted(names - set(listed) - set(SIGNED)):
        report.problems.append(_("Le fichier %(f)s n'est pas dans le manifeste : il a été ajouté.", f=name))
    if report.problems:
        return report

    seen = _check_chain(report, public_pem, _items(zf, "journal.json"))
    if report.ok:
        _check_records(report, zf, seen)
        _check_csv_matches_json(report, zf, seen)
    return report


def _check_csv_matches_json(report: ArchiveReport, zf: zipfile.ZipFile, seen: _Journal) -> None:
    """journal.csv says what journal.json says (both are in the manifest; this names a rebuilt pair)."""
    column = ENTRY_COLUMNS.index("hash")
    with zf.open("journal.csv") as raw:
        rows = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""), delimiter=";")
        next(rows, None)
        hashes = [r[column] for r in rows if len(r) > column]
    if hashes != seen.hashes:
        report.problems.append(_("journal.csv ne correspond pas à journal.json."))
