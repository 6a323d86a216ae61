from django.core.management.base import BaseCommand

from kefu.customers.demo import seed_demo_customers


class Command(BaseCommand):
    help = "Add sample customers, follow-ups and orders for the demo agents (only when there are none)."

    def handle(self, *args, **options):
        made = seed_demo_customers()
        self.stdout.write(self.style.SUCCESS(f"demo customers: {made} created"))
