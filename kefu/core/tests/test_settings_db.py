"""DATABASE_URL: PostgreSQL-only connection options go only to PostgreSQL; an SQLite URL gets the same
lock timeout, IMMEDIATE transactions and write-ahead log as the embedded SQLite database."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

_PRINT_DATABASE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
db = settings.DATABASES["default"]
out = {"engine": db["ENGINE"], "name": str(db["NAME"]), "options": db.get("OPTIONS", {}),
       "sqlite_options": settings.SQLITE_OPTIONS}
if db["ENGINE"].endswith("sqlite3"):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS probe (id integer)")
        cursor.execute("SELECT count(*) FROM probe")
        cursor.execute("PRAGMA journal_mode")
        out["journal_mode"] = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        out["busy_timeout"] = cursor.fetchone()[0]
print(json.dumps(out))
"""


def _database(tmp_path, **env_extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KEFU_PG_PREPARE", "KEFU_DATA_DIR"}}
    env.update(DJANGO_SETTINGS_MODULE="kefu.settings", KEFU_DATA_DIR=str(tmp_path / "data"), **env_extra)
    result = subprocess.run(  # noqa: S603 - fixed command
        [sys.executable, "-c", _PRINT_DATABASE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sqlite_database_url_gets_the_embedded_databases_options_and_answers_queries(tmp_path):
    path = tmp_path / "via-url.sqlite3"
    db = _database(tmp_path, DATABASE_URL=f"sqlite:///{path}")
    assert db["engine"] == "django.db.backends.sqlite3"
    assert db["name"] == str(path)
    assert db["options"] == db["sqlite_options"]
    assert db["options"]["transaction_mode"] == "IMMEDIATE"
    assert "options" not in db["options"] and "server_side_binding" not in db["options"]
    assert db["journal_mode"] == "wal"
    assert db["busy_timeout"] == db["sqlite_options"]["timeout"] * 1000
    assert path.exists()


def test_default_sqlite_database_has_the_same_options(tmp_path):
    db = _database(tmp_path)
    assert db["name"] == str(tmp_path / "data" / "kefu.sqlite3")
    assert db["options"] == db["sqlite_options"]
    assert db["journal_mode"] == "wal"


def test_postgresql_url_gets_jit_off_and_prepared_statements(tmp_path):
    db = _database(tmp_path, DATABASE_URL="postgres://kefu:secret@127.0.0.1:1/kefu")
    assert db["engine"] == "django.db.backends.postgresql"
    assert "-c jit=off" in db["options"]["options"]
    assert db["options"]["server_side_binding"] is True
    assert db["options"]["prepare_threshold"] == 5
    assert "transaction_mode" not in db["options"] and "init_command" not in db["options"]


def test_postgresql_prepared_statements_can_be_turned_off(tmp_path):
    db = _database(tmp_path, DATABASE_URL="postgres://kefu:secret@127.0.0.1:1/kefu", KEFU_PG_PREPARE="0")
    assert "-c jit=off" in db["options"]["options"]
    assert "server_side_binding" not in db["options"] and "prepare_threshold" not in db["options"]
