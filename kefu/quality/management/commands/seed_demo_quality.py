from django.core.management.base import BaseCommand

from kefu.quality.demo import seed_demo_quality


class Command(BaseCommand):
    help = ("Add the demo QA reviews: qa1 and head1 review a few demo tickets (one critical failure, one "
            "mystery-customer review) and one agent appeals a review. Run after seed_demo_tickets; safe to run "
            "again.")

    def handle(self, *args, **options):
        made = seed_demo_quality()
        self.stdout.write(self.style.SUCCESS(
            f"demo quality: {made['reviews']} reviews and {made['appeals']} appeals created"))
