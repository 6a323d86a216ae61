from django.core.management.base import BaseCommand

from kefu.knowledge.demo import seed_demo_knowledge


class Command(BaseCommand):
    help = "Add demo standard replies (R-TIC-9) to the seed_demo centre; run after seed_demo. Safe to run again."

    def handle(self, *args, **options):
        made = seed_demo_knowledge()
        self.stdout.write(self.style.SUCCESS(
            f"demo standard replies: {made['categories']} categories and {made['articles']} replies created"))
