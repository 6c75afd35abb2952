"""The default QA scorecard SQM ships (``QA-DEFAULT`` v1), installed by a data migration so a new
centre can draw and score from day one; the quality manager edits it by making a new version.

Five sections after the source documents (003: service attitude, competence, process,
communication, compliance); weights add up to 100; two critical items fail the inspection.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

DEFAULT_CODE = "QA-DEFAULT"
EFFECTIVE_FROM = dt.date(2025, 1, 1)

# (section zh, section en, [(text zh, text en, guidance zh, guidance en, weight, critical)])
SECTIONS: list[tuple[str, str, list[tuple[str, str, str, str, str, bool]]]] = [
    (
        "服务态度",
        "Service attitude",
        [
            (
                "使用规范的问候语和结束语",
                "Uses the standard greeting and closing",
                "开头自报工号并问候，结尾致谢并道别；邮件和在线渠道同样适用。",
                "Greets with the agent number at the start and thanks the customer at the end, in every channel.",
                "5",
                False,
            ),
            (
                "语气礼貌、耐心，无推诿搪塞",
                "Polite, patient tone; no brushing the customer off",
                "不打断客户，不使用生硬或不耐烦的措辞，不以“不归我管”推诿。",
                "Does not interrupt, sound impatient or say “not my department”.",
                "10",
                False,
            ),
            (
                "体现同理心，安抚客户情绪",
                "Shows empathy and calms the customer",
                "客户不满时先致歉、复述感受，再谈解决办法。",
                "When the customer is upset: apologise and acknowledge the feeling before the solution.",
                "5",
                False,
            ),
        ],
    ),
    (
        "业务能力",
        "Professional competence",
        [
            (
                "准确理解客户诉求",
                "Understands the request correctly",
                "通过提问确认诉求，复述要点，没有答非所问。",
                "Asks to clarify, repeats the key points, answers the question that was asked.",
                "10",
                False,
            ),
            (
                "解答准确、完整，无错误信息",
                "Accurate, complete answer without wrong information",
                "资费、政策、办理条件与知识库一致；需要时给出依据。",
                "Tariffs, policies and conditions match the knowledge base; cites the source where useful.",
                "15",
                False,
            ),
            (
                "一次解决问题或给出明确的后续方案",
                "Solves it at first contact or gives a clear next step",
                "无法当场解决时说明处理时限、责任人和回访方式。",
                "If it cannot be solved at once: says by when, by whom and how the customer will hear back.",
                "5",
                False,
            ),
        ],
    ),
    (
        "流程规范",
        "Process compliance",
        [
            (
                "按标准流程完成关键控制点",
                "Completes the process's key control points",
                "按工单类型的流程步骤逐项完成并勾选控制点，无跳步。",
                "Works through the steps of the ticket type's process and ticks each control point; no skipped steps.",
                "10",
                False,
            ),
            (
                "工单记录完整、分类正确",
                "Complete ticket record, correct category",
                "类别、类型、优先级准确；处理过程和结果记录清楚。",
                "Category, type and priority are right; what was done and the outcome are written down.",
                "10",
                False,
            ),
            (
                "在时限内响应和回复",
                "Responds and replies within the time limits",
                "首次响应和后续回复符合SLA，等待客户时说明原因。",
                "First response and replies meet the SLA; explains when waiting on the customer.",
                "5",
                False,
            ),
        ],
    ),
    (
        "沟通技巧",
        "Communication",
        [
            (
                "表达清晰、简洁，避免专业术语",
                "Clear and concise, avoids jargon",
                "用客户听得懂的话解释，必要时分步骤说明。",
                "Explains in the customer's words, step by step where needed.",
                "10",
                False,
            ),
            (
                "主动确认客户是否还有其他问题",
                "Asks whether anything else is needed",
                "结束前确认问题已解决并询问其他需求。",
                "Before closing, confirms the problem is solved and asks about anything else.",
                "5",
                False,
            ),
        ],
    ),
    (
        "合规与安全",
        "Compliance and security",
        [
            (
                "核实客户身份后再办理账户业务",
                "Verifies the customer's identity before acting on the account",
                "涉及账户、资费变更时按规定核验身份（如服务密码、证件后四位）。",
                "Checks identity as required (service PIN, last digits of the ID) before account or tariff changes.",
                "5",
                False,
            ),
            (
                "未泄露客户信息",
                "No customer information disclosed",
                "关键项：向第三方透露客户号码、住址、账单等信息即判不合格，整单得0分。",
                "Critical: disclosing a customer's number, address or bill to anyone else fails the whole inspection.",
                "3",
                True,
            ),
            (
                "无辱骂客户或违规承诺",
                "No abuse of the customer and no unauthorised promises",
                "关键项：辱骂、威胁客户，或承诺无权给予的赔偿、减免即判不合格。",
                "Critical: insulting or threatening the customer, or promising refunds it has no authority for, fails it.",
                "2",
                True,
            ),
        ],
    ),
]


def install(scorecard_model: Any, section_model: Any, item_model: Any, now: dt.datetime) -> Any:
    """Create ``QA-DEFAULT`` v1 as the effective scorecard unless the code exists. Takes the model
    classes so the data migration can pass its historical models."""
    if scorecard_model.objects.filter(code=DEFAULT_CODE).exists():
        return None
    card = scorecard_model.objects.create(
        code=DEFAULT_CODE,
        version=1,
        name_zh="客服质检评分表",
        name_en="Customer service QA scorecard",
        status="effective",
        change_note="SQM 默认评分表 · SQM's default scorecard",
        effective_from=EFFECTIVE_FROM,
        created_at=now,
        published_at=now,
    )
    for s_pos, (zh, en, items) in enumerate(SECTIONS, start=1):
        section = section_model.objects.create(scorecard=card, position=s_pos, name_zh=zh, name_en=en)
        for i_pos, (text_zh, text_en, guide_zh, guide_en, weight, critical) in enumerate(items, start=1):
            item_model.objects.create(
                scorecard=card,
                section=section,
                position=i_pos,
                text_zh=text_zh,
                text_en=text_en,
                guidance_zh=guide_zh,
                guidance_en=guide_en,
                weight=Decimal(weight),
                critical=critical,
                max_points=1 if critical else 4,
            )
    return card
