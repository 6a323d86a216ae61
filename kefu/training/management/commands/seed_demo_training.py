from django.core.management.base import BaseCommand

from kefu.training.demo import seed_demo_training


class Command(BaseCommand):
    help = ("Add the demo training: the courses 服务用语规范 and 投诉处理技巧 with 8 exam questions each, a session of "
            "投诉处理技巧 on the next working day (agent1–3 invited) and 服务用语规范 assigned to agent1. Only what is "
            "missing is added (safe to run again).")

    def handle(self, *args, **options):
        made = seed_demo_training()
        self.stdout.write(self.style.SUCCESS(
            f"demo training: {made['courses']} courses, {made['questions']} questions, {made['sessions']} sessions "
            f"and {made['assignments']} assignments created"))
