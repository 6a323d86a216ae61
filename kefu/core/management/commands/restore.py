from pathlib import Path

from django.core.management.base import BaseCommand

from kefu.core.backup import restore


class Command(BaseCommand):
    help = ("Restore an archive written by `manage.py backup`: replaces the database and the uploaded files, "
            "then checks every table's row count. Stop the server and the Huey consumer first.")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="the kefu-backup-….tar.gz file")
        parser.add_argument("--yes", action="store_true",
                            help="replace a database that already has data")
        parser.add_argument("--database", default="default", help="the database to restore into")

    def handle(self, *args, archive, yes, database, **options):
        manifest = restore(archive, using=database, yes=yes, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(
            f"restored {archive} (made {manifest['created_at']} by kefu {manifest['versions']['kefu']})"))
