"""提取原因 as the JGJ/T 320 A.7 code instead of words: the rent limit counted
the entries whose reason was spelled 「租赁自住住房」, so any other spelling
escaped it. The words the portal and the demo wrote become their codes; any
other non-empty reason becomes 99 其他. The field gets the codes as choices
(no SQL: the column stays as it is)."""

from django.db import migrations, models
from django.db.models import Case, Value, When

# The words written so far (the portal's three reasons and the demo's) and their codes.
WORDS = {
    "购买自住住房": "01",
    "建造翻建大修自住住房": "02",
    "离休、退休": "03",
    "离职销户": "99",
    "偿还购房贷款本息": "06",
    "租赁自住住房": "07",
}
CODES = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "99")
# Back to words for the portal's own three reasons; the others to their code's label.
BACK = {
    "01": "购买自住住房",
    "02": "建造翻建大修自住住房",
    "03": "离休、退休",
    "06": "偿还购房贷款本息",
    "07": "租赁自住住房",
}


def to_codes(apps, schema_editor):
    LedgerEntry = apps.get_model("inquiry", "LedgerEntry")
    # One UPDATE over the rows with a reason (never the deposits' empty ones).
    LedgerEntry.objects.exclude(withdrawal_reason="").exclude(withdrawal_reason__in=CODES).update(
        withdrawal_reason=Case(
            *(When(withdrawal_reason=words, then=Value(code)) for words, code in WORDS.items()), default=Value("99")
        )
    )


def to_words(apps, schema_editor):
    LedgerEntry = apps.get_model("inquiry", "LedgerEntry")
    LedgerEntry.objects.filter(withdrawal_reason__in=list(BACK)).update(
        withdrawal_reason=Case(*(When(withdrawal_reason=code, then=Value(words)) for code, words in BACK.items()))
    )


class Migration(migrations.Migration):
    dependencies = [("inquiry", "0005_member_data_version")]

    operations = [
        migrations.RunPython(to_codes, to_words),
        migrations.AlterField(
            model_name="ledgerentry",
            name="withdrawal_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("01", "购买住房"),
                    ("02", "建造、翻建、大修住房"),
                    ("03", "离休、退休"),
                    ("04", "完全丧失劳动能力并与单位终止劳动关系"),
                    ("05", "户口迁出所在市县或出境定居"),
                    ("06", "偿还购房贷款本息"),
                    ("07", "房租超出家庭工资收入的规定比例"),
                    ("08", "死亡"),
                    ("09", "大病医疗"),
                    ("99", "其他"),
                ],
                max_length=50,
                verbose_name="提取原因",
            ),
        ),
    ]
