from django.core.management.base import BaseCommand, CommandError

from kefu.announcements.demo import seed_demo_announcements


class Command(BaseCommand):
    help = "Add demo announcements (R-TIC-10) from head1 to the seed_demo centre; run after seed_demo. Safe to run again."

    def handle(self, *args, **options):
        try:
            made = seed_demo_announcements()
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"demo announcements: {made['created']} of {made['announcements']} created"))
