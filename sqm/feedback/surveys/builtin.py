"""The built-in survey templates: CSAT, NPS and SERVQUAL, in Chinese and English.

SERVQUAL (Parasuraman, Zeithaml and Berry, 1988; revised 1991) measures service quality as the
gap between what customers expect of an excellent provider (E) and what they perceive of this one
(P), over 22 items in five dimensions: 有形性 tangibles (items 1–4), 可靠性 reliability (5–9),
响应性 responsiveness (10–13), 保证性 assurance (14–17) and 移情性 empathy (18–22). The wording
here is adapted to a customer service centre (hotline, online channels, service halls). Each
item is answered twice on a 7-point scale (1 strongly disagree … 7 strongly agree); a last
question asks the customer to spread 100 points over the five dimensions by importance, for the
weighted score.

Templates are plain data; :func:`sqm.feedback.surveys.services.survey_templates_install` writes
them as template surveys.
"""

from __future__ import annotations

from typing import Any

SCALE_7 = 7

DIMENSION_TEXTS: dict[str, tuple[str, str]] = {  # for the importance-weights question
    "tangibles": ("有形性：服务设施、工具、人员仪表与书面材料的外观", "Tangibles: the centre's facilities, tools, staff appearance and written materials"),
    "reliability": ("可靠性：可靠、准确地履行服务承诺的能力", "Reliability: the ability to perform the promised service dependably and accurately"),
    "responsiveness": ("响应性：帮助客户并迅速提供服务的意愿", "Responsiveness: the willingness to help customers and provide prompt service"),
    "assurance": ("保证性：员工的知识、礼貌以及让客户信任的能力", "Assurance: the staff's knowledge and courtesy and their ability to inspire trust"),
    "empathy": ("移情性：对客户的关心与个性化关注", "Empathy: the caring, individual attention given to customers"),
}  # fmt: skip

# (dimension, Chinese, English): item n is SERVQUAL_ITEMS[n - 1]
SERVQUAL_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("tangibles", "服务设施与工具现代、易用（热线语音导航、网站、App、自助终端）。", "The centre's service tools are modern and easy to use (hotline menu, website, app, self-service terminals)."),
    ("tangibles", "营业厅与线上服务渠道整洁美观、使用舒适。", "Its service halls and online channels are clean, tidy and pleasant to use."),
    ("tangibles", "服务人员着装整洁、仪容仪表得体。", "Its staff are neatly dressed and present themselves professionally."),
    ("tangibles", "账单、告知书、表单与帮助文档清晰易懂。", "Its bills, notices, forms and help articles are clear and easy to understand."),
    ("reliability", "承诺在某个时间内办理的事情，能按时办到。", "When the centre promises to do something by a certain time, it does so."),
    ("reliability", "当您遇到问题时，客服中心真诚地帮助您解决。", "When you have a problem, the centre shows a sincere interest in solving it."),
    ("reliability", "第一次就把事情办对，不需要您再次来电。", "The centre gets it right the first time, without you having to call again."),
    ("reliability", "在承诺的时间提供服务（预约上门、约定回电）。", "The centre provides its services at the time it promises (appointments, call-backs)."),
    ("reliability", "业务记录准确无误（账单、工单、账户信息）。", "The centre keeps accurate, error-free records (bills, tickets, account details)."),
    ("responsiveness", "服务人员明确告知您办理进度与完成时间。", "Staff tell you exactly when things will be done."),
    ("responsiveness", "服务人员及时为您提供服务，热线与在线等待时间短。", "Staff give you prompt service, with short waits on the hotline and online."),
    ("responsiveness", "服务人员总是乐于帮助您。", "Staff are always willing to help you."),
    ("responsiveness", "服务人员不会因为忙碌而不回应您的请求。", "Staff are never too busy to respond to your requests."),
    ("assurance", "服务人员的言行让您信赖。", "The behaviour of the staff instils confidence in you."),
    ("assurance", "与客服中心办理业务让您感到安全（隐私、支付、身份核验）。", "You feel safe in your dealings with the centre (privacy, payments, identity checks)."),
    ("assurance", "服务人员始终对您礼貌客气。", "Staff are consistently courteous with you."),
    ("assurance", "服务人员具备解答您问题的专业知识。", "Staff have the knowledge to answer your questions."),
    ("empathy", "客服中心给予您个性化的关注。", "The centre gives you individual attention."),
    ("empathy", "服务时间方便所有客户（含夜间与节假日）。", "The centre's service hours are convenient for all its customers (evenings and holidays included)."),
    ("empathy", "服务人员给予您个别的、用心的关照。", "Staff give you personal, attentive care."),
    ("empathy", "客服中心把您的利益放在心上。", "The centre has your best interests at heart."),
    ("empathy", "服务人员了解您的具体需求。", "Staff understand your specific needs."),
)  # fmt: skip

YES_PARTLY_NO = [
    {"code": "yes", "zh": "已解决", "en": "Yes, solved"},
    {"code": "partly", "zh": "部分解决", "en": "Partly"},
    {"code": "no", "zh": "未解决", "en": "No"},
]
WHAT_MATTERS = [
    {"code": "speed", "zh": "响应速度", "en": "Speed"},
    {"code": "first_contact", "zh": "一次解决", "en": "Solved at the first contact"},
    {"code": "courtesy", "zh": "服务态度", "en": "Courtesy"},
    {"code": "expertise", "zh": "专业能力", "en": "Expertise"},
    {"code": "reachability", "zh": "方便联系", "en": "Easy to reach"},
]


def _q(kind: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "text_zh": zh, "text_en": en, "required": True, **extra}


def templates() -> list[dict[str, Any]]:
    """The three templates as data: survey fields plus a ``questions`` list."""
    servqual = [
        _q("gap", zh, en, code=f"SQ{n:02d}", dimension=dimension, scale_max=SCALE_7)
        for n, (dimension, zh, en) in enumerate(SERVQUAL_ITEMS, start=1)
    ]
    servqual.append(
        _q(
            "weights",
            "请按重要程度把100分分配给以下五个方面（越重要分数越高，合计100分）。",
            "Spread 100 points over these five aspects by how important each is to you (100 in all).",
            code="SQW",
            options=[{"code": code, "zh": zh, "en": en} for code, (zh, en) in DIMENSION_TEXTS.items()],
        )
    )
    servqual.append(
        _q("text", "还有什么想告诉我们的吗？", "Is there anything else you would like to tell us?", required=False)
    )
    return [
        {
            "template_code": "csat",
            "kind": "csat",
            "title_zh": "客户满意度调查（CSAT）",
            "title_en": "Customer satisfaction survey (CSAT)",
            "intro_zh": "感谢您近期联系我们。请花一分钟告诉我们您对这次服务的感受。",
            "intro_en": "Thank you for contacting us recently. Please take a minute to tell us how we did.",
            "questions": [
                _q("rating", "总体而言，您对我们的服务满意吗？", "Overall, how satisfied are you with our service?", scale_max=5, code="CSAT"),
                _q("rating", "您对我们的响应速度满意吗？", "How satisfied are you with how quickly we responded?", scale_max=5),
                _q("single", "您的问题解决了吗？", "Was your problem solved?", options=YES_PARTLY_NO),
                _q("text", "您认为我们哪些方面可以做得更好？", "What could we do better?", required=False),
            ],
        },
        {
            "template_code": "nps",
            "kind": "nps",
            "title_zh": "净推荐值调查（NPS）",
            "title_en": "Net promoter survey (NPS)",
            "intro_zh": "只需两个问题，帮助我们了解您的体验。",
            "intro_en": "Two short questions to help us understand your experience.",
            "questions": [
                _q("nps", "您有多大可能向亲友或同事推荐我们的服务？", "How likely are you to recommend our service to a friend or colleague?", scale_max=10, code="NPS"),
                _q("multiple", "对您来说，哪些方面最重要？（可多选）", "What matters most to you? (choose any)", options=WHAT_MATTERS, required=False),
                _q("text", "您给出这个分数的主要原因是什么？", "What is the main reason for your score?", required=False),
            ],
        },
        {
            "template_code": "servqual",
            "kind": "servqual",
            "title_zh": "服务质量调查（SERVQUAL）",
            "title_en": "Service quality survey (SERVQUAL)",
            "intro_zh": (
                "以下每一项请打两个分：左边是您对“一个优秀的客服中心”应有表现的期望，右边是您对我们实际表现的感受。"
                "1 表示非常不同意，7 表示非常同意。"
            ),
            "intro_en": (
                "Please score each statement twice: first what you expect of an excellent customer service "
                "centre, then what you experience with us. 1 means strongly disagree, 7 strongly agree."
            ),
            "questions": servqual,
        },
    ]  # fmt: skip
