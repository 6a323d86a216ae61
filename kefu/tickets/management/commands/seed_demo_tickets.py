from django.core.management.base import BaseCommand

from kefu.tickets.demo import seed_demo_tickets


class Command(BaseCommand):
    help = ("Add sample tickets of the last 30 days for the demo agents, and the people of 物流部 and 维修部 "
            "who receive handed-over tasks (only when there are no tickets).")

    def handle(self, *args, **options):
        made = seed_demo_tickets()
        self.stdout.write(self.style.SUCCESS(f"demo tickets: {made} created"))
