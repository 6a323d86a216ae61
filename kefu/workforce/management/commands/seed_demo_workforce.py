from django.core.management.base import BaseCommand

from kefu.workforce.demo import seed_demo_workforce


class Command(BaseCommand):
    help = ("Add the demo shifts and leave: the shift types 早班, 晚班 and 夜班, this week's and next week's roster "
            "of both demo teams, annual leave entitlements, one pending and one approved leave (the roster shows "
            "its gap). Only what is missing is added (safe to run again).")

    def handle(self, *args, **options):
        made = seed_demo_workforce()
        self.stdout.write(self.style.SUCCESS(
            f"demo workforce: {made['shifts']} shifts and {made['leave']} leave requests created"))
