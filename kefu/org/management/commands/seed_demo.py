from django.core.management.base import BaseCommand

from kefu.org.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo organisation and users of API.md (safe to run again)."

    def handle(self, *args, **options):
        result = seed_demo()
        self.stdout.write(self.style.SUCCESS(
            f"demo data ready: {result['people_created']} people created, {result['people']} demo users "
            f"(password {DEMO_PASSWORD})"
        ))
