"""The readable diff between two versions (pure: plain objects stand in for the versions)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.utils import translation

from sqm.standards.diff import Segment, as_json, diff_versions, text_diff, tokens


class Rows(list):
    def all(self) -> list:
        return self


def _clause(number: str, body: str, **extra: object) -> SimpleNamespace:
    values = {
        "number": number,
        "title_zh": f"条款{number}",
        "title_en": "",
        "body_zh": body,
        "body_en": "",
        "sop_kind": "",
        "ticket_types": [],
    }
    values.update(extra)
    return SimpleNamespace(**values, title=values["title_zh"], body=body)


def _indicator(code: str, **extra: object) -> SimpleNamespace:
    values = {
        "code": code,
        "name_zh": "满意度",
        "name_en": "CSAT",
        "kpi": "csat",
        "unit": "%",
        "direction": "higher",
        "target": Decimal("90.0000"),
        "yellow": Decimal("88.0000"),
        "orange": Decimal("85.0000"),
        "red": Decimal("80.0000"),
        "weight": Decimal("100.00"),
        "scope": "centre",
        "scope_key": "",
        "min_volume": 30,
        "review_margin": Decimal("0.100"),
        "review_periods": 3,
    }
    values.update(extra)
    return SimpleNamespace(**values, name=values["name_zh"])


def _term(code: str, **extra: object) -> SimpleNamespace:
    values = {
        "policy_code": code,
        "name": "投诉 SLA",
        "ticket_type": "complaint",
        "priority": "",
        "tier": "",
        "response_minutes": 60,
        "resolution_minutes": 1440,
        "warn_fraction": Decimal("0.75"),
        "escalate_after_minutes": 60,
        "calendar_id": None,
    }
    values.update(extra)
    return SimpleNamespace(**values)


def _version(pk: int, number: int, clauses=(), indicators=(), terms=(), **extra: object) -> SimpleNamespace:
    values = {"title_zh": "满意度标准", "title_en": "Satisfaction", "purpose_zh": "目的", "purpose_en": "Purpose"}
    values.update(extra)
    return SimpleNamespace(
        pk=pk,
        number=number,
        status="effective",
        clauses=Rows(clauses),
        indicators=Rows(indicators),
        sla_terms=Rows(terms),
        **values,
    )


def test_tokens_split_chinese_by_character_and_keep_latin_words():
    assert tokens("回访 within 2 个工作日") == ["回", "访", " ", "within", " ", "2", " ", "个", "工", "作", "日"]


def test_text_diff_marks_inserted_and_deleted_words():
    segments = text_diff("办结后 2 个工作日内回访", "办结后 4 个工作小时内回访")
    assert Segment("delete", "2") in segments and Segment("insert", "4") in segments
    assert Segment("delete", "日") in segments and Segment("insert", "小时") in segments
    assert "".join(s.text for s in segments if s.op != "insert") == "办结后 2 个工作日内回访"
    assert "".join(s.text for s in segments if s.op != "delete") == "办结后 4 个工作小时内回访"
    assert text_diff("same", "same") == [Segment("equal", "same")]


def test_versions_compared_item_by_item():
    old = _version(
        1,
        1,
        clauses=[_clause("1", "适用于全部工单。"), _clause("2", "差评 1 个工作日内回访。")],
        indicators=[_indicator("csat"), _indicator("nps", kpi="nps")],
        terms=[_term("complaint")],
    )
    new = _version(
        2,
        2,
        clauses=[_clause("1", "适用于全部工单。"), _clause("3", "满意度按月公示。", sop_kind="steps")],
        indicators=[_indicator("csat", target=Decimal("92"), yellow=Decimal("90.0000"))],
        terms=[_term("complaint", resolution_minutes=720, priority="urgent", tier="vip")],
        purpose_en="Purpose, revised",
    )
    with translation.override("en"):
        result = diff_versions(old, new)
        data = as_json(result)
    assert result.has_changes and result.counts() == {"added": 1, "removed": 2, "changed": 2}
    assert [(c.name, c.before, c.after) for c in result.header] == [("purpose_en", "Purpose", "Purpose, revised")]
    assert result.header[0].segments[-1] == Segment("insert", ", revised")
    statuses = {item.key: item.status for item in result.clauses}
    assert statuses == {"1": "same", "3": "added", "2": "removed"}
    [csat, nps] = result.indicators
    assert (csat.status, nps.status) == ("changed", "removed")
    assert [(c.name, c.before, c.after) for c in csat.changes] == [("target", "90", "92"), ("yellow", "88", "90")]
    [term] = result.terms
    assert [(c.name, c.before, c.after) for c in term.changes] == [
        ("priority", "", "Urgent"),  # choices by their label
        ("tier", "", "VIP"),
        ("resolution_minutes", "1440 min", "720 min"),
    ]
    assert data["indicators"][0]["changes"][0] == {"field": "target", "label": "target", "before": "90", "after": "92"}
    assert data["old"] == {"id": 1, "number": 1, "status": "effective"}


def test_same_versions_have_no_changes():
    version = _version(1, 1, clauses=[_clause("1", "x")], indicators=[_indicator("csat")])
    twin = _version(2, 2, clauses=[_clause("1", "x")], indicators=[_indicator("csat", target=Decimal("90"))])
    result = diff_versions(version, twin)
    assert not result.has_changes and result.counts() == {"added": 0, "removed": 0, "changed": 0}
