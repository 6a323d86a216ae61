"""manage.py backup / restore: a round trip from a seeded database into a fresh one (every table's row
count and every row compared, and the uploaded files), on SQLite and — when the suite runs on it
(DATABASE_URL) — on PostgreSQL; the refusals (data present without --yes, newer or other-database
archives, pg_dump missing); the SQLite copy is consistent while another connection writes."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kefu.core import backup as backup_module

ROOT = Path(__file__).resolve().parents[3]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "files"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


def _seed(data_dir: Path) -> None:
    from kefu.org.models import User
    from kefu.tickets.attachments import add_attachments
    from kefu.tickets.models import Ticket

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo_tickets", stdout=out)
    ticket = Ticket.objects.order_by("id").first()
    add_attachments(actor=User.objects.get(username="admin"), ticket_id=ticket.pk,
                    uploads=[SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")])
    (data_dir / "imports").mkdir(exist_ok=True)
    (data_dir / "imports" / "customers.csv").write_text("姓名,手机\n张三,13800000000\n", encoding="utf-8")
    (data_dir / "files" / "logo").mkdir(parents=True)
    (data_dir / "files" / "logo" / "logo.png").write_bytes(PNG)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _rows(cursor, table: str, quote_name) -> list:
    """Every row of the table, in an order that does not depend on the database (PostgreSQL: each row as
    its text form, so both connections' type conversions do not matter; times are shown in UTC)."""
    if connection.vendor == "postgresql":
        cursor.execute(f"SELECT x::text FROM {quote_name(table)} x")  # noqa: S608 - a table name, quoted
    else:
        cursor.execute(f"SELECT * FROM {quote_name(table)}")  # noqa: S608 - a table name, quoted
    return sorted((tuple(row) for row in cursor.fetchall()), key=repr)


class Target:
    """A fresh database beside the test database, on the same kind of server."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        s = connection.settings_dict
        if connection.vendor == "sqlite":
            self.path = tmp_path / "restored.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            self.name = f"{s['NAME']}_restore_{uuid.uuid4().hex[:8]}"
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.name}"')
            auth = quote(s["USER"] or "", safe="") + (":" + quote(s["PASSWORD"], safe="") if s["PASSWORD"] else "")
            self.url = f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{self.name}"

    def connect(self):
        if connection.vendor == "sqlite":
            return sqlite3.connect(self.path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
        import psycopg

        s = connection.settings_dict
        return psycopg.connect(host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None,
                               password=s["PASSWORD"] or None, dbname=self.name, autocommit=True,
                               options="-c TimeZone=UTC")

    def drop(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def restore(self, archive: Path, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in {"KEFU_TESTING", "KEFU_TEST_CLOCK"}}
        env.update(DATABASE_URL=self.url, KEFU_DATA_DIR=str(self.tmp_path / "restored-data"))
        return subprocess.run(  # noqa: S603 - fixed command
            [sys.executable, "manage.py", "restore", str(archive), "--skip-checks", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )


@pytest.mark.django_db(transaction=True)
def test_backup_restored_into_a_fresh_database_has_every_row_and_file(data_dir, tmp_path):
    _seed(data_dir)
    source_counts = backup_module.table_counts()
    assert source_counts["tickets_ticket"] > 0 and source_counts["tickets_attachment"] == 1
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET TIME ZONE 'UTC'")
        source_rows = {t: _rows(cursor, t, connection.ops.quote_name) for t in source_counts}
    source_files = {name: _files(folder) for name, folder in backup_module.upload_folders().items()}
    assert all(source_files.values()), source_files

    out = io.StringIO()
    call_command("backup", output=tmp_path / "backups", stdout=out)
    [archive] = list((tmp_path / "backups").glob("kefu-backup-*.tar.gz"))
    assert str(archive) in out.getvalue()
    manifest = backup_module.read_manifest(archive)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["tables"] == source_counts
    assert manifest["versions"]["kefu"] and manifest["versions"]["django"]
    assert ["org", "0001_initial"] in manifest["migrations"]
    assert {n: f["count"] for n, f in manifest["files"].items()} == {n: len(f) for n, f in source_files.items()}

    target = Target(tmp_path)
    try:
        result = target.restore(archive)
        assert result.returncode == 0, result.stderr + result.stdout
        assert "counts checked" in result.stdout
        restored = target.connect()
        try:
            cursor = restored.cursor()
            for table, count in source_counts.items():
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                assert cursor.fetchone()[0] == count, table
                assert _rows(cursor, table, connection.ops.quote_name) == source_rows[table], table
        finally:
            restored.close()
        restored_dir = tmp_path / "restored-data"
        assert _files(restored_dir / "attachments") == source_files["attachments"]
        assert _files(restored_dir / "imports") == source_files["imports"]
        assert _files(restored_dir / "files") == source_files["media"]

        # the target now has data: a second restore needs --yes
        again = target.restore(archive)
        assert again.returncode != 0
        assert "already has data" in again.stderr and "--yes" in again.stderr
        forced = target.restore(archive, "--yes")
        assert forced.returncode == 0, forced.stderr + forced.stdout
        assert _files(restored_dir / "attachments") == source_files["attachments"]
    finally:
        target.drop()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_data_without_yes(demo, data_dir, tmp_path):
    archive, _manifest = backup_module.backup(tmp_path / "backups")
    before = backup_module.table_counts()
    with pytest.raises(CommandError, match="already has data.*--yes"):
        call_command("restore", str(archive))
    assert backup_module.table_counts() == before


def _fake_archive(tmp_path: Path, manifest: dict) -> Path:
    path = tmp_path / "fake.tar.gz"
    raw = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(backup_module.MANIFEST)
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
    return path


@pytest.mark.django_db
def test_restore_refuses_an_archive_of_another_kind_of_database(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    archive = _fake_archive(tmp_path, {"format": 1, "database": {"vendor": other, "tables": {}}, "migrations": []})
    with pytest.raises(CommandError, match=f"holds a {other} database"):
        call_command("restore", str(archive), "--yes")


@pytest.mark.django_db
def test_restore_refuses_an_archive_made_by_a_newer_kefu(tmp_path):
    archive = _fake_archive(tmp_path, {"format": 1, "database": {"vendor": connection.vendor, "tables": {}},
                                       "migrations": [["org", "9999_from_the_future"]]})
    with pytest.raises(CommandError, match="newer kefu.*org.9999_from_the_future"):
        call_command("restore", str(archive), "--yes")


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    path = tmp_path / "notes.tar.gz"
    path.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a kefu backup archive"):
        backup_module.read_manifest(path)


def test_pg_dump_missing_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("KEFU_PG_BIN", raising=False)
    monkeypatch.setattr(backup_module, "PG_BIN_GLOB", str(tmp_path / "none" / "*" / "bin"))
    with pytest.raises(CommandError, match="pg_dump was not found on PATH.*postgresql-client-15"):
        backup_module.pg_tool("pg_dump", 15)


def test_pg_dump_older_than_the_server_is_refused(monkeypatch, tmp_path):
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.9'\n")
    old.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("KEFU_PG_BIN", raising=False)
    monkeypatch.setattr(backup_module, "PG_BIN_GLOB", str(tmp_path / "none" / "*" / "bin"))
    with pytest.raises(CommandError, match="older than the PostgreSQL server"):
        backup_module.pg_tool("pg_dump", 15)
    monkeypatch.setenv("KEFU_PG_BIN", str(tmp_path / "none"))
    assert backup_module.pg_tool("pg_dump", 13) == old


def test_sqlite_copy_is_one_consistent_moment_while_another_connection_writes(tmp_path):
    """The server keeps writing during a backup: every transaction adds two rows, so a copy that caught
    half a transaction (or a database file out of step with its write-ahead log) has an odd count."""
    path = tmp_path / "live.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE pairs (id integer primary key, payload text)")
    setup.commit()
    setup.close()
    stop = threading.Event()
    written = []

    def writer():
        db = sqlite3.connect(path, timeout=20, isolation_level=None)
        while not stop.is_set():
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO pairs (payload) VALUES (?)", [("x" * 500,), ("y" * 500,)])
            db.execute("COMMIT")
            written.append(1)
        db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 200:
            threading.Event().wait(0.01)
        source = sqlite3.connect(path, timeout=20)
        for n in range(3):
            copy = tmp_path / f"copy{n}.sqlite3"
            backup_module.sqlite_copy(source, copy)
            counts, _migrations = backup_module.sqlite_contents(copy)
            assert counts["pairs"] > 0 and counts["pairs"] % 2 == 0
            assert not Path(f"{copy}-wal").exists()
        source.close()
    finally:
        stop.set()
        thread.join()
    assert len(written) > 200
