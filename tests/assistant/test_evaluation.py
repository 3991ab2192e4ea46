"""The gold-set evaluation: it runs, its numbers are consistent, and quality does not regress
below the floor measured when the assistant was built (see docs/architecture.md)."""

import json
from collections import Counter
from io import StringIO

from django.core.management import call_command

from spbe.assistant import evaluation, services


def test_gold_set_covers_eight_languages_and_handoffs():
    gold = evaluation.load_gold()
    per_language = Counter(item["language"] for item in gold)
    assert set(per_language) == {"en", "id", "zh", "ko", "ja", "ru", "fr", "de"}
    assert min(per_language.values()) >= 50
    handoffs = [item for item in gold if item["expect"] == evaluation.HANDOFF]
    assert len(handoffs) >= 8 * 10
    assert len({item["id"] for item in gold}) == len(gold)


def test_evaluation_report_and_quality_floor(kb, tmp_path):
    services.import_drafts()  # the knowledge base as `make eval-assistant` sees it
    out = StringIO()
    call_command("assistant_eval", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    rows = {row["language"]: row for row in report["languages"]}
    assert set(rows) == {"en", "id", "zh", "ko", "ja", "ru", "fr", "de"}
    for row in rows.values():
        assert row["hit@1"] <= row["hit@3"] <= 1 and row["mrr"] >= row["hit@1"]
        assert row["hit@1"] >= 0.85, row  # regression floor per language (target 0.9; measured 0.88-0.95)
        assert row["wrong_rate"] <= 0.04, row
    overall = report["overall"]
    assert overall["hit@1"] >= 0.9 and overall["wrong_rate"] <= 0.02 and overall["handoff_recall"] >= 0.9
    # The text report, from a few gold lines per language (the figures were checked above).
    sample = [item for lang in rows for item in evaluation.load_gold() if item["language"] == lang][::40]
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in sample), encoding="utf-8")
    out = StringIO()
    call_command("assistant_eval", "--gold", str(gold_file), stdout=out)
    text = out.getvalue()
    assert text.splitlines()[0].split()[:4] == ["lang", "n", "hit@1", "hit@3"] and "targets" in text
