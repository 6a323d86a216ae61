"""The shipped automatic checks (issue 11): greeting and closing phrases, the forbidden phrases (服务禁语),
the two time limits and the standard reply, with the points each takes off (adding up to 100)."""

from django.db import migrations

RULES = [
    # kind, points taken off, phrases
    ("greeting", 15, ["您好", "你好", "很高兴为您服务", "欢迎咨询", "在的亲"]),
    ("closing", 15, ["感谢", "谢谢", "祝您", "再见", "还有其他问题", "还有什么可以帮您"]),
    ("forbidden", 30, ["不知道", "不归我管", "你自己看", "没办法", "听不懂吗", "我也没办法", "不是我的问题",
                       "你问别人", "爱买不买", "有完没完", "我说过了", "你自己查"]),
    ("first_response", 15, []),
    ("resolution", 15, []),
    ("standard_reply", 10, []),
]


def create(apps, schema_editor):
    CheckRule = apps.get_model("quality", "CheckRule")
    for kind, weight, phrases in RULES:
        CheckRule.objects.get_or_create(kind=kind, defaults={"weight": weight, "phrases": phrases, "active": True})


def remove(apps, schema_editor):
    apps.get_model("quality", "CheckRule").objects.filter(kind__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0003_checks_and_summaries")]
    operations = [migrations.RunPython(create, remove)]
