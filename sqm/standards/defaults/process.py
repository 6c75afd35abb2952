"""Starter standards of the process category: complaint handling (PS-CMP) and service response
(PS-RSP), whose SLA terms are the default ticket SLA policies (see ``sqm.standards.defaults``).

Row shapes: clause ``(number, title_zh, title_en, body_zh, body_en, sop_kind, ticket_types)``;
indicator ``(code, name_zh, name_en, kpi, unit, direction, target, yellow, orange, red, weight,
scope, scope_key, min_volume, review_margin, review_periods)``; SLA term ``(policy_code, name,
ticket_type, priority, response_minutes, resolution_minutes, warn_fraction, escalate_after_minutes)``.
"""

from __future__ import annotations

from typing import Any

ALL_TYPES: list[str] = []  # a clause that applies to every ticket

PROCESS: list[dict[str, Any]] = [
    {
        "code": "PS-CMP",
        "category": "process",
        "name_zh": "投诉处理标准",
        "name_en": "Complaint handling standard",
        "purpose_zh": "规定客户投诉的受理、响应、处理、回访时限与责任，落实首问负责制：1 小时内响应，24 小时内解决。",
        "purpose_en": (
            "Sets how complaints are taken, answered, handled and followed up, and who is responsible: "
            "first-contact ownership, a response within 1 hour and a resolution within 24 hours."
        ),
        "clauses": [
            (
                "1",
                "首问负责制",
                "First-contact ownership",
                "首位接触投诉的坐席为该投诉的负责人，直至投诉关闭；即使工作转交给其他班组，负责人仍须跟踪进度并向客户反馈。",
                "The first agent to touch a complaint owns it until it is closed; even when the work moves to "
                "another team, the owner follows its progress and keeps the customer informed.",
                "",
                ["complaint"],
            ),
            (
                "2",
                "响应与解决时限",
                "Response and resolution times",
                "投诉须在 1 个工作小时内首次响应，24 个工作小时内解决；紧急投诉 30 分钟内响应，8 个工作小时内解决。"
                "时限按中心工作日历计算，等待客户答复期间暂停计时。",
                "A complaint gets its first response within 1 business hour and is resolved within 24 business "
                "hours; an urgent complaint within 30 minutes and 8 business hours. Times run on the centre's "
                "working calendar and stop while waiting for the customer.",
                "",
                ["complaint"],
            ),
            (
                "3",
                "投诉处理步骤",
                "Steps of handling a complaint",
                "1. 受理：倾听客户陈述，不打断、不争辩，复述确认诉求；\n"
                "2. 致歉安抚：对客户的不便表示歉意，告知处理时限；\n"
                "3. 调查核实：查询记录，必要时联系相关部门；\n"
                "4. 提出方案：给出解决方案并征得客户同意；\n"
                "5. 落实反馈：执行方案并告知客户结果；\n"
                "6. 回访：办结后 2 个工作日内回访满意度；\n"
                "7. 归档分析：记录原因分类，纳入月度投诉分析。",
                "1. Take it: listen without interrupting or arguing; repeat the request back to confirm it.\n"
                "2. Apologise and reassure: apologise for the trouble and say by when it will be handled.\n"
                "3. Investigate: check the records; involve other departments where needed.\n"
                "4. Propose: offer a solution and get the customer's agreement.\n"
                "5. Carry it out and report back to the customer.\n"
                "6. Follow up on satisfaction within 2 working days of resolution.\n"
                "7. File and analyse: record the cause category for the monthly complaint review.",
                "steps",
                ["complaint"],
            ),
            (
                "4",
                "升级处理",
                "Escalation",
                "超过响应或解决时限的投诉自动升级至班组长；超时 1 小时仍未处理的升级至质量经理。群体投诉或重大事件立即报告质量经理。",
                "Complaints past their response or resolution time escalate to the team lead automatically; one "
                "hour later, still untouched, to the quality manager. Group complaints and major incidents are "
                "reported to the quality manager at once.",
                "",
                ["complaint"],
            ),
        ],
        "indicators": [
            (
                "cmp-sla-response",
                "投诉响应及时率",
                "Complaints answered on time",
                "sla_response",
                "%",
                "higher",
                "98",
                "95",
                "92",
                "90",
                "40",
                "type",
                "complaint",
                20,
                "0.010",
                3,
            ),
            (
                "cmp-first-response",
                "投诉首次响应时长",
                "Complaint first response time",
                "first_response_business",
                "min",
                "lower",
                "60",
                "70",
                "90",
                "120",
                "30",
                "type",
                "complaint",
                20,
                "0.250",
                3,
            ),
            (
                "cmp-resolution-time",
                "投诉解决时长",
                "Complaint resolution time",
                "resolution_time_business",
                "h",
                "lower",
                "24",
                "28",
                "32",
                "40",
                "30",
                "type",
                "complaint",
                20,
                "0.250",
                3,
            ),
        ],
        "terms": [
            ("complaint", "投诉 SLA（1 小时响应，24 小时解决）", "complaint", "", 60, 24 * 60, "0.75", 60),
            ("complaint-urgent", "紧急投诉 SLA", "complaint", "urgent", 30, 8 * 60, "0.75", 30),
        ],
    },
    {
        "code": "PS-RSP",
        "category": "process",
        "name_zh": "服务响应标准",
        "name_en": "Service response standard",
        "purpose_zh": "规定各渠道服务请求的响应与办结时限：平均响应时间不超过 30 分钟，一般请求 3 个工作日内办结。",
        "purpose_en": (
            "Sets response and completion times for service requests on every channel: an average response "
            "within 30 minutes, ordinary requests completed within 3 working days."
        ),
        "clauses": [
            (
                "1",
                "受理渠道",
                "Channels",
                "中心通过网站、电子邮件、电话、在线客服、二维码评价页及服务大厅受理服务请求，各渠道执行同一服务标准。",
                "The centre takes requests by web, e-mail, phone, live chat, the QR-code rating page and at the "
                "walk-in hall; every channel works to the same standard.",
                "",
                ALL_TYPES,
            ),
            (
                "2",
                "响应时限",
                "Response times",
                "服务请求在 30 个工作分钟内首次响应，紧急请求 15 分钟内响应；电话 20 秒内接听，在线客服 30 秒内应答。",
                "Service requests get a first response within 30 business minutes, urgent ones within 15 minutes; "
                "phones are answered within 20 seconds and chats within 30 seconds.",
                "",
                ALL_TYPES,
            ),
            (
                "3",
                "办结时限",
                "Completion times",
                "一般请求 3 个工作日内办结，紧急请求当日办结；不能按时办结的，须提前告知客户原因和新的办结时间。",
                "Ordinary requests are completed within 3 working days, urgent ones the same day; when a deadline "
                "cannot be met the customer is told in advance why and by when instead.",
                "",
                ALL_TYPES,
            ),
        ],
        "indicators": [
            (
                "avg-response",
                "平均响应时间",
                "Average response time",
                "avg_response",
                "min",
                "lower",
                "30",
                "35",
                "45",
                "60",
                "40",
                "centre",
                "",
                30,
                "0.250",
                3,
            ),
            (
                "sla-response",
                "响应时限达成率",
                "SLA compliance (response)",
                "sla_response",
                "%",
                "higher",
                "95",
                "92",
                "90",
                "85",
                "30",
                "centre",
                "",
                30,
                "0.030",
                3,
            ),
            (
                "first-response",
                "首次响应时长",
                "First response time",
                "first_response_business",
                "min",
                "lower",
                "30",
                "35",
                "45",
                "60",
                "30",
                "centre",
                "",
                30,
                "0.250",
                3,
            ),
        ],
        "terms": [
            ("service", "服务 SLA（30 分钟响应，3 个工作日解决）", "", "", 30, 3 * 9 * 60, "0.75", 120),
            ("service-urgent", "紧急服务 SLA", "", "urgent", 15, 9 * 60, "0.75", 30),
        ],
    },
]
