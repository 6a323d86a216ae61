"""Backups (``manage.py backup``) and their restore (``manage.py restore``).

One archive, ``kefu-backup-<UTC time>.tar.gz``, holds:

- ``manifest.json``: format, versions (kefu, Django, Python, database), the applied migrations, the row
  count of every table and the number and size of the files in each upload folder;
- the database: ``database.sqlite3``, a consistent copy made with SQLite's online backup API (never a
  file copy, which can catch the database file and its write-ahead log out of step while the server
  writes), or ``database.pgdump`` (``pg_dump -Fc``) on PostgreSQL, taken from an exported snapshot so
  that the row counts of the manifest describe exactly what was dumped;
- ``files/<folder>/…``: the uploaded files — ticket attachments (``DATA_DIR/attachments``), customer
  import files (``DATA_DIR/imports``) and ``MEDIA_ROOT``.

The database is copied first and the files afterwards: attachment files are written before their row is
committed and never change, so every file a row of the copy names is in the archive.

A restore replaces the database and the upload folders with the archive's, then checks every table's
row count against the manifest.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
ARCHIVE_PREFIX = "kefu-backup-"
ARCHIVE_SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
# Tables `migrate` fills by itself: rows there do not make a database "have data".
MIGRATE_FILLED = frozenset({"django_migrations", "django_content_type", "auth_permission", "sqlite_sequence"})
# Where Debian/Ubuntu put the programs of each PostgreSQL version (pg_dump must not be older than the server).
PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
PG_ENV = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
          "service": "PGSERVICE", "passfile": "PGPASSFILE"}


def upload_folders() -> dict[str, Path]:
    """The folders of uploaded files, by their name in the archive."""
    data = Path(settings.DATA_DIR)
    return {"attachments": data / "attachments", "imports": data / "imports", "media": Path(settings.MEDIA_ROOT)}


def kefu_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as f:
            return tomllib.load(f)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------- SQLite
def sqlite_copy(source: sqlite3.Connection, target: Path) -> None:
    """Copy the database of ``source`` into the new file ``target`` with the online backup API: all pages
    in one step under one read transaction, so the copy is one consistent moment even while other
    connections write (write-ahead log: they are not blocked). The copy is a single self-contained file."""
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")
        result = destination.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise CommandError(f"The copy of the SQLite database is damaged: {result}")
    finally:
        destination.close()


def sqlite_contents(path: Path) -> tuple[dict[str, int], list[list[str]]]:
    """Row count of every table and the applied migrations of the SQLite file ``path``."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {t: db.execute(f"SELECT count(*) FROM {_quote(t)}").fetchone()[0] for t in tables}  # noqa: S608
        migrations = ([list(row) for row in db.execute("SELECT app, name FROM django_migrations ORDER BY id")]
                      if "django_migrations" in counts else [])
    finally:
        db.close()
    return counts, migrations


# ------------------------------------------------------------------------------------------ PostgreSQL
def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    return int(match.group(1)) if match else 0


def pg_tool(name: str, server_major: int) -> Path:
    """The PostgreSQL program ``name`` (pg_dump, pg_restore) of the server's version or newer:
    ``$KEFU_PG_BIN/name``, else ``name`` on PATH, else Debian's ``/usr/lib/postgresql/<version>/bin``."""
    candidates: list[Path] = []
    if os.environ.get("KEFU_PG_BIN"):
        candidates.append(Path(os.environ["KEFU_PG_BIN"]) / name)
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    candidates += sorted((Path(p) for p in glob.glob(os.path.join(PG_BIN_GLOB, name))),
                         key=lambda p: abs(_major(p.parent.parent.name) - server_major))
    too_old = []
    for candidate in candidates:
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        try:
            out = subprocess.run([str(candidate), "--version"], capture_output=True, text=True,  # noqa: S603
                                 timeout=30, check=True).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        found = re.search(r"\(PostgreSQL\)\s+(\d+)", out)  # "pg_dump (PostgreSQL) 15.18 (Debian …)"
        major = int(found.group(1)) if found else _major(out)
        if major >= server_major:
            return candidate
        too_old.append(f"{candidate} is version {major}")
    hint = (f"install the PostgreSQL client programs of the server's version (Debian: postgresql-client-"
            f"{server_major}) and put them on PATH, or set KEFU_PG_BIN to their folder (e.g. "
            f"/usr/lib/postgresql/{server_major}/bin)")
    if too_old:
        raise CommandError(f"{name} is older than the PostgreSQL server ({server_major}): "
                           f"{'; '.join(too_old)}. {hint}.")
    raise CommandError(f"{name} was not found on PATH: backups and restores of a PostgreSQL database need it; "
                       f"{hint}.")


def pg_env(connection) -> dict[str, str]:
    """libpq environment for the Django connection's database (pg_dump/pg_restore read it)."""
    s = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
                     ("NAME", "PGDATABASE")):
        if s.get(key):
            env[var] = str(s[key])
    for key, var in PG_ENV.items():
        if s.get("OPTIONS", {}).get(key):
            env[var] = str(s["OPTIONS"][key])
    return env


def _pg_run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603 - our arguments
    if result.returncode != 0:
        raise CommandError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()[-2000:]}")


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY 1")
    return [row[0] for row in cursor.fetchall()]


def pg_dump(connection, target: Path) -> dict:
    """``pg_dump -Fc`` of the database from a snapshot exported by a read-only repeatable-read transaction;
    the same transaction counts the rows, so the manifest matches the dump exactly."""
    import psycopg

    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    tool = pg_tool("pg_dump", server_major)
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            _pg_run([str(tool), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
                    pg_env(connection), "pg_dump")
            tables = _pg_tables(cursor)
            counts = {}
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - a table name, quoted
                counts[table] = cursor.fetchone()[0]
            migrations = []
            if "django_migrations" in counts:
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
                migrations = [list(row) for row in cursor.fetchall()]
        raw.rollback()
    finally:
        raw.close()
    version = subprocess.run([str(tool), "--version"], capture_output=True, text=True,  # noqa: S603
                             timeout=30).stdout.strip()
    return {"counts": counts, "migrations": migrations, "server_version": server_version, "pg_dump": version}


# ---------------------------------------------------------------------------------------------- backup
def _archive_path(output: Path) -> Path:
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = output / f"{ARCHIVE_PREFIX}{stamp}{ARCHIVE_SUFFIX}"
    n = 1
    while path.exists():
        n += 1
        path = output / f"{ARCHIVE_PREFIX}{stamp}-{n}{ARCHIVE_SUFFIX}"
    return path


def _files_of(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def backup(output: Path, *, using: str = "default", keep: int = 0) -> tuple[Path, dict]:
    """Write one archive into ``output`` and return its path and manifest; with ``keep`` > 0, remove the
    oldest archives of ``output`` beyond that many."""
    connection = connections[using]
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    manifest: dict = {
        "format": FORMAT,
        "created_at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "versions": {"kefu": kefu_version(), "django": django.get_version(), "python": platform.python_version()},
    }
    with tempfile.TemporaryDirectory(dir=output, prefix=".backup-") as tmp:
        work = Path(tmp)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            sqlite_copy(connection.connection, work / SQLITE_FILE)
            counts, migrations = sqlite_contents(work / SQLITE_FILE)
            manifest["versions"]["sqlite"] = sqlite3.sqlite_version
            database = {"vendor": "sqlite", "file": SQLITE_FILE}
        elif connection.vendor == "postgresql":
            dumped = pg_dump(connection, work / PG_FILE)
            counts, migrations = dumped["counts"], dumped["migrations"]
            manifest["versions"].update(postgresql=dumped["server_version"], pg_dump=dumped["pg_dump"])
            database = {"vendor": "postgresql", "file": PG_FILE}
        else:
            raise CommandError(f"Backups of a {connection.vendor} database are not supported.")
        database.update(tables=counts, rows=sum(counts.values()))
        manifest["database"] = database
        manifest["migrations"] = migrations

        files = {}
        members: list[tuple[Path, str]] = []
        for name, folder in upload_folders().items():
            found = _files_of(folder)
            size = 0
            for path in found:
                try:
                    size += path.stat().st_size
                except FileNotFoundError:  # removed meanwhile (a finished import): not needed
                    continue
                members.append((path, f"files/{name}/{path.relative_to(folder).as_posix()}"))
            files[name] = {"path": str(folder), "count": len(found), "bytes": size}
        manifest["files"] = files
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")

        partial = work / "archive.partial"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(work / database["file"], arcname=database["file"])
            for path, arcname in members:
                try:
                    tar.add(path, arcname=arcname, recursive=False)
                except FileNotFoundError:
                    continue
        partial.chmod(0o600)  # password hashes and customers' personal data
        archive = _archive_path(output)
        os.replace(partial, archive)
    if keep > 0:
        archives = sorted(output.glob(f"{ARCHIVE_PREFIX}*{ARCHIVE_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        for old in archives[:-keep]:
            old.unlink(missing_ok=True)
    return archive, manifest


# --------------------------------------------------------------------------------------------- restore
def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.getmember(MANIFEST)
            manifest = json.load(tar.extractfile(member))
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise CommandError(f"{archive} is not a kefu backup archive: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise CommandError(f"{archive} has backup format {manifest.get('format')!r}; this kefu reads format {FORMAT}.")
    return manifest


def table_counts(using: str = "default") -> dict[str, int]:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = _pg_tables(cursor)
        else:
            tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def data_in(counts: dict[str, int]) -> dict[str, int]:
    """The tables with rows other than those `migrate` fills by itself."""
    return {t: n for t, n in counts.items() if n and t not in MIGRATE_FILLED}


def _migration_gap(manifest: dict) -> tuple[list[str], list[str]]:
    """(migrations of the archive this code does not have, migrations of this code the archive lacks)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    code = set(loader.disk_migrations)
    archived = {tuple(m) for m in manifest.get("migrations", [])}
    unknown = sorted(f"{a}.{n}" for a, n in archived - code if a in loader.migrated_apps)
    missing = sorted(f"{a}.{n}" for a, n in code - archived)
    return unknown, missing


def _restore_sqlite(connection, database_file: Path) -> None:
    connection.ensure_connection()
    if not connection.get_autocommit():
        raise CommandError("Cannot restore inside a transaction.")
    source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _restore_postgresql(connection, dump: Path) -> None:
    connection.ensure_connection()
    tool = pg_tool("pg_restore", connection.pg_version // 10000)
    env = pg_env(connection)
    connection.close()  # no open transaction or prepared statement of ours on the tables being replaced
    _pg_run([str(tool), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             "--exit-on-error", f"--dbname={env['PGDATABASE']}", str(dump)], env, "pg_restore")


def _replace_folder(folder: Path, new: Path | None) -> None:
    """Put ``new`` (or an empty folder) in place of ``folder``, the old content removed afterwards."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.restoring-"))
    if new is not None:
        shutil.copytree(new, staged, dirs_exist_ok=True)
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.before-restore-"))
        os.rmdir(old)
        os.replace(folder, old)
    os.replace(staged, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)



def safe_extract(tar: tarfile.TarFile, target: Path) -> None:
    """Extract only plain files and folders inside ``target``: no absolute names, no ``..``, no links or
    devices. Python's own ``filter="data"`` does this from 3.11.4 on; Debian 12's Python is 3.11.2."""
    members = tar.getmembers()
    root = target.resolve()
    for member in members:
        name = Path(member.name)
        if not (member.isfile() or member.isdir()) or name.is_absolute() or ".." in name.parts:
            raise CommandError(f"The archive holds an entry that a backup never has: {member.name!r}.")
        if not (root / name).resolve().is_relative_to(root):
            raise CommandError(f"The archive holds an entry outside its folder: {member.name!r}.")
    if hasattr(tarfile, "data_filter"):
        tar.extractall(target, members=members, filter="data")
    else:
        for member in members:
            member.mode = (member.mode | 0o600) & 0o755 if member.isfile() else 0o700
        tar.extractall(target, members=members)  # noqa: S202 - every member checked above

def restore(archive: Path, *, using: str = "default", yes: bool = False, log=print) -> dict:
    """Replace the database and the upload folders with the archive's. Refuses, unless ``yes``, when the
    target database already has data; refuses an archive made by a newer kefu (migrations unknown here)
    or of another kind of database."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    connection = connections[using]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise CommandError(f"The archive holds a {vendor} database; the target database is {connection.vendor}. "
                           f"Restore it into a {vendor} database (set or unset DATABASE_URL).")
    unknown, missing = _migration_gap(manifest)
    if unknown:
        raise CommandError(f"The backup was made by a newer kefu (migrations unknown here: {', '.join(unknown[:5])}"
                           f"{'…' if len(unknown) > 5 else ''}); update kefu before restoring it.")
    existing = data_in(table_counts(using))
    if existing and not yes:
        sample = ", ".join(f"{t} ({n})" for t, n in sorted(existing.items(), key=lambda i: -i[1])[:3])
        raise CommandError(f"The target database already has data ({sum(existing.values())} rows in "
                           f"{len(existing)} tables: {sample}). Restoring replaces all of it and the uploaded "
                           f"files; run again with --yes to do so.")

    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_dir, prefix=".restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(archive, "r:gz") as tar:
            safe_extract(tar, work)
        database_file = work / (SQLITE_FILE if vendor == "sqlite" else PG_FILE)
        if vendor == "sqlite":
            _restore_sqlite(connection, database_file)
        else:
            _restore_postgresql(connection, database_file)
        counts = table_counts(using)
        expected = manifest["database"]["tables"]
        wrong = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
        if wrong:
            details = ", ".join(f"{t}: {n} expected, {got} found" for t, (n, got) in list(wrong.items())[:5])
            raise CommandError(f"The restored database does not match the backup's manifest: {details}")
        log(f"database restored: {len(expected)} tables, {sum(expected.values())} rows (counts checked)")

        for name, folder in upload_folders().items():
            source = work / "files" / name
            _replace_folder(folder, source if source.is_dir() else None)
            restored = _files_of(folder)
            wanted = manifest["files"].get(name, {}).get("count", 0)
            if len(restored) != wanted:
                raise CommandError(f"{name}: {wanted} files in the backup, {len(restored)} restored into {folder}")
            log(f"{name}: {len(restored)} files restored into {folder}")
    if missing:
        log(f"The backup predates {len(missing)} migrations of this kefu: run `manage.py migrate` now.")
    return manifest
