"""The shipped level ladder (客服等级, R-ORG-3): 试用 → 铁牌 → 铜牌 → 银牌 → 金牌.

The criteria are data: the department head edits them on the ladder page (and administrators in the admin).
Iron takes the SPEC defaults of the rule settings ``performance.level_iron.*`` (≥ 2 months, no violation
within the last 2 months, score ≥ 80, the team lead's approval); the higher levels ask more. Only silver and
above take VIP customers (the skill ``vip``). Levels already present are left as they are.
"""

from decimal import Decimal

from django.db import migrations


def _iron_default(key: str, fallback):
    try:
        from kefu.rules.registry import get_def

        return get_def(f"performance.level_iron.{key}").default
    except Exception:  # noqa: BLE001 - the registry may have moved on since this migration was written
        return fallback


def levels() -> list[dict]:
    roles = _iron_default("approver_roles", ["lead"])
    return [
        {"code": "trial", "name": "试用", "rank": 0, "base_pay": Decimal("3000.00"), "min_months": 0,
         "clean_months": 0, "min_score": Decimal("0"), "approver_role": "lead", "skills": []},
        {"code": "iron", "name": "铁牌", "rank": 1, "base_pay": Decimal("3500.00"),
         "min_months": _iron_default("min_months", 2), "clean_months": _iron_default("violation_free_months", 2),
         "min_score": Decimal(_iron_default("min_score", 80)),
         "approver_role": str(roles[0]) if roles else "lead", "skills": []},
        {"code": "bronze", "name": "铜牌", "rank": 2, "base_pay": Decimal("4000.00"), "min_months": 6,
         "clean_months": 3, "min_score": Decimal("85"), "approver_role": "lead", "skills": []},
        {"code": "silver", "name": "银牌", "rank": 3, "base_pay": Decimal("4800.00"), "min_months": 12,
         "clean_months": 6, "min_score": Decimal("90"), "approver_role": "head", "skills": ["vip"]},
        {"code": "gold", "name": "金牌", "rank": 4, "base_pay": Decimal("6000.00"), "min_months": 24,
         "clean_months": 6, "min_score": Decimal("95"), "approver_role": "director", "skills": []},
    ]


def create_levels(apps, schema_editor):
    Level = apps.get_model("workforce", "Level")
    for row in levels():
        if not Level.objects.filter(code=row["code"]).exists() and not Level.objects.filter(rank=row["rank"]).exists():
            Level.objects.create(**row)


def remove_levels(apps, schema_editor):
    Level = apps.get_model("workforce", "Level")
    Level.objects.filter(code__in=[row["code"] for row in levels()], people__isnull=True,
                         applications__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("workforce", "0004_people_swaps_handover_plans"),
    ]

    operations = [
        migrations.RunPython(create_levels, remove_levels),
    ]
