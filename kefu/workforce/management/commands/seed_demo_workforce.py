from django.core.management.base import BaseCommand

from kefu.workforce.demo import seed_demo_workforce


class Command(BaseCommand):
    help = ("Add the demo shifts, leave and people: the shift types 早班, 晚班 and 夜班, this week's and next week's "
            "roster of both demo teams, annual leave entitlements, one pending and one approved leave (the roster "
            "shows its gap), the agents' worker profiles (months of service, skills, level when the ladder's levels "
            "exist) and last month's assessment scores. Only what is missing is added (safe to run again).")

    def handle(self, *args, **options):
        made = seed_demo_workforce()
        self.stdout.write(self.style.SUCCESS(
            f"demo workforce: {made['shifts']} shifts, {made['leave']} leave requests, {made['profiles']} worker "
            f"profiles and {made['scores']} assessment scores created"))
