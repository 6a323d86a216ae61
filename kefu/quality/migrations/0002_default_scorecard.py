"""The shipped default scorecard (R-QA-1): the five items of SPEC §5 with weights adding up to 100, and the
critical items (致命项, weight 0) that fail a whole review."""

from django.db import migrations

NAME = "通用服务质检评分表"
ITEMS = [
    # code, name, weight, description, scoring guide, critical
    ("wording", "服务用语", 20, "规范使用服务用语：问候语、称呼、结束语，不使用禁忌语。",
     "20：全程规范；15：个别用语不规范；10：多处不规范；0：未使用服务用语。", False),
    ("attitude", "服务态度", 25, "热情、耐心、主动，不推诿，不与客户争执。",
     "25：热情主动；18：态度平淡；10：有不耐烦表现；0：推诿或争执。", False),
    ("tone", "语气语调", 15, "语速适中、吐字清晰、语气亲切，情绪稳定。",
     "15：亲切自然；10：语速或语气偶有不当；5：语气生硬；0：语气恶劣。", False),
    ("need", "需求归纳", 25, "准确理解并复述客户需求，问题归纳完整，答复准确。",
     "25：准确完整；18：基本准确有遗漏；10：理解偏差；0：答非所问。", False),
    ("adaptability", "应变能力", 15, "对突发情况和客户情绪的处理，灵活运用统一答复口径。",
     "15：处理得当；10：处理基本得当；5：处理生硬；0：无法应对。", False),
    ("data_leak", "泄露客户信息", 0, "向无关人员透露客户资料、订单或联系方式。", "出现即判定整单不合格，得分为 0。", True),
    ("abuse", "辱骂客户", 0, "对客户使用辱骂、侮辱性语言。", "出现即判定整单不合格，得分为 0。", True),
]


def create_default(apps, schema_editor):
    Scorecard = apps.get_model("quality", "Scorecard")
    ScorecardItem = apps.get_model("quality", "ScorecardItem")
    if Scorecard.objects.filter(is_default=True).exists():
        return
    card = Scorecard.objects.create(family=1, version=1, name=NAME, active=True, is_default=True)
    for position, (code, name, weight, description, guide, critical) in enumerate(ITEMS):
        ScorecardItem.objects.create(scorecard=card, code=code, name=name, weight=weight, description=description,
                                     guide=guide, critical=critical, position=position)


def remove_default(apps, schema_editor):
    Scorecard = apps.get_model("quality", "Scorecard")
    Scorecard.objects.filter(is_default=True, reviews__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(create_default, remove_default)]
