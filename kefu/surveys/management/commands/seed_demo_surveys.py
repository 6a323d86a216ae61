from django.core.management.base import BaseCommand, CommandError

from kefu.surveys.demo import seed_demo_surveys


class Command(BaseCommand):
    help = "Add a demo RATER survey (R-SAT-1) with answers; run after seed_demo_tickets. Safe to run again."

    def handle(self, *args, **options):
        try:
            made = seed_demo_surveys()
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"demo surveys: {made['created']} created, {made['answered']} answered"))
