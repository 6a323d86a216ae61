from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from kefu.core.backup import backup


class Command(BaseCommand):
    help = ("Write one timestamped archive (tar.gz) with a consistent copy of the database (SQLite online "
            "backup, or pg_dump -Fc on PostgreSQL), the uploaded files and a manifest. Safe while the server runs.")

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=None,
                            help="folder for the archive (default: DATA_DIR/backups)")
        parser.add_argument("--keep", type=int, default=0,
                            help="keep only this many newest archives in the folder (default: all)")
        parser.add_argument("--database", default="default", help="the database to back up")

    def handle(self, *args, output, keep, database, **options):
        output = output or Path(settings.DATA_DIR) / "backups"
        archive, manifest = backup(output, using=database, keep=keep)
        db = manifest["database"]
        files = manifest["files"]
        self.stdout.write(
            f"{db['vendor']}: {len(db['tables'])} tables, {db['rows']} rows; files: "
            + ", ".join(f"{name} {info['count']}" for name, info in files.items())
        )
        self.stdout.write(self.style.SUCCESS(f"backup written: {archive} ({archive.stat().st_size} bytes)"))
