from django.core.management.base import BaseCommand

from kefu.customers.demo import seed_demo_customers


class Command(BaseCommand):
    help = ("Add the demo customers with their follow-ups and orders, timed back from today (only when there are "
            "none), then run the nightly jobs: value tiers, churn risks, pool returns and warnings, reminders.")

    def handle(self, *args, **options):
        made = seed_demo_customers()
        self.stdout.write(self.style.SUCCESS(f"demo customers: {made} created"))
