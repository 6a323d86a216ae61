from django.core.management.base import BaseCommand

from kefu.tickets.demo import seed_demo_tickets


class Command(BaseCommand):
    help = ("Add the demo tickets: a month of finished work and open cases in every state (breached, warned, "
            "escalated, supervised, compensations awaiting approval, department tasks, callbacks), timed back from "
            "now on the business calendar; the people of 物流部, 维修部 and 财务部 who receive handed-over tasks; "
            "then run the periodic jobs. Creates tickets only when there are none (safe to run again).")

    def handle(self, *args, **options):
        made = seed_demo_tickets()
        self.stdout.write(self.style.SUCCESS(f"demo tickets: {made} created"))
