"""Starter standards of the staff, environment, communication and safety categories: staff conduct
(SS-CND), the walk-in hall (ES-HALL), communication scripts (CS-SCR) and customer-data protection (SA-DATA) (see ``sqm.standards.defaults``).

Row shapes: clause ``(number, title_zh, title_en, body_zh, body_en, sop_kind, ticket_types)``;
indicator ``(code, name_zh, name_en, kpi, unit, direction, target, yellow, orange, red, weight,
scope, scope_key, min_volume, review_margin, review_periods)``; SLA term ``(policy_code, name,
ticket_type, priority, response_minutes, resolution_minutes, warn_fraction, escalate_after_minutes)``.
"""

from __future__ import annotations

from typing import Any

ALL_TYPES: list[str] = []  # a clause that applies to every ticket

CONDUCT: list[dict[str, Any]] = [
    {
        "code": "SS-CND",
        "category": "staff",
        "name_zh": "服务人员行为规范",
        "name_en": "Staff conduct standard",
        "purpose_zh": "规范服务人员的仪容仪表、礼貌用语和服务禁语，使每位客户得到一致、得体的服务。",
        "purpose_en": (
            "Sets how staff present themselves, the polite phrasing they use and the phrases they never use, "
            "so that every customer is served consistently and courteously."
        ),
        "clauses": [
            (
                "1",
                "仪容仪表",
                "Appearance",
                "上岗统一着工装、佩戴工牌；保持仪容整洁，坐姿端正；服务大厅人员站立服务，面带微笑。",
                "On duty staff wear the uniform and their name badge, keep a neat appearance and sit upright; "
                "hall staff serve standing and with a smile.",
                "",
                ALL_TYPES,
            ),
            (
                "2",
                "文明礼貌用语",
                "Polite phrasing",
                "问候：“您好，很高兴为您服务。”\n"
                "请求：“请您稍候，我马上为您查询。”\n"
                "致谢：“感谢您的耐心等待。”\n"
                "致歉：“非常抱歉给您带来不便。”\n"
                "确认：“您反映的是……，我理解得对吗？”\n"
                "道别：“请问还有什么可以帮您？感谢您的来电，再见。”",
                "Greeting: “Hello, glad to help you.”\n"
                "Asking: “Please hold a moment, I'll look it up for you right away.”\n"
                "Thanks: “Thank you for your patience.”\n"
                "Apology: “I'm very sorry for the inconvenience.”\n"
                "Checking: “You're telling me that …, have I understood you correctly?”\n"
                "Closing: “Is there anything else I can help with? Thank you for calling, goodbye.”",
                "phrasing",
                ALL_TYPES,
            ),
            (
                "3",
                "服务禁语",
                "Phrases never used",
                "不得使用推诿、顶撞、冷漠的语言，例如：“不知道”“这不归我管”“你自己看”“我已经说过了”“有意见找领导去”。",
                "Staff never deflect, argue or sound indifferent, e.g. “I don't know”, “That's not my job”, "
                "“Look it up yourself”, “I've told you already”, “Complain to my boss if you like”.",
                "phrasing",
                ALL_TYPES,
            ),
            (
                "4",
                "新员工上岗",
                "New staff",
                "新入职服务人员须完成不少于 60 学时的岗前培训并考核合格，方可独立受理工单。",
                "New staff complete at least 60 hours of induction training and pass its exam before they take "
                "tickets on their own.",
                "",
                ALL_TYPES,
            ),
        ],
        "indicators": [],
        "terms": [],
    },
    {
        "code": "ES-HALL",
        "category": "environment",
        "name_zh": "服务大厅环境与接待标准",
        "name_en": "Walk-in hall environment and reception standard",
        "purpose_zh": "规定服务大厅的环境、标识和迎宾接待程序，给到访客户整洁、有序、温馨的第一印象。",
        "purpose_en": (
            "Sets the walk-in hall's environment, signage and reception routine, so that visitors meet a "
            "clean, orderly and welcoming centre."
        ),
        "clauses": [
            (
                "1",
                "环境卫生",
                "Cleanliness",
                "大厅每日开门前完成清洁，地面无水渍杂物，座椅摆放整齐，宣传资料及时更新；室温保持在 22–26 ℃。",
                "The hall is cleaned before opening every day: floors dry and clear, seats in order, leaflets up "
                "to date; the temperature is kept at 22–26 °C.",
                "",
                ALL_TYPES,
            ),
            (
                "2",
                "标识与设施",
                "Signs and facilities",
                "业务指引、排队叫号、服务承诺和投诉电话在醒目位置公示；设置无障碍通道、饮水点和等候座椅。",
                "Service guides, the queue display, the service promise and the complaint line are posted where "
                "everyone sees them; there is step-free access, drinking water and seating.",
                "",
                ALL_TYPES,
            ),
            (
                "3",
                "迎宾接待程序",
                "Reception routine",
                "1. 迎候：客户距门 3 米时，迎宾员起身、微笑、目视客户；\n"
                "2. 引导：询问来意，引导客户取号或至对应窗口；\n"
                "3. 开门：为客户拉门或开启车门，提醒注意台阶；\n"
                "4. 欢迎：“您好，欢迎光临，请这边走。”\n"
                "离开时：“请慢走，欢迎再来。”",
                "1. Greet: when a visitor is 3 m from the door, the receptionist stands, smiles and makes eye "
                "contact.\n"
                "2. Guide: ask what they came for and guide them to take a number or to the right counter.\n"
                "3. Open the door: hold the door (or the car door) and mention the step.\n"
                "4. Welcome: “Hello, welcome, this way please.”\n"
                "On leaving: “Take care, see you again.”",
                "steps",
                ALL_TYPES,
            ),
        ],
        "indicators": [],
        "terms": [],
    },
    {
        "code": "CS-SCR",
        "category": "communication",
        "name_zh": "服务沟通与话术标准",
        "name_en": "Communication and script standard",
        "purpose_zh": "统一电话、在线和书面沟通的开场、安抚、确认和结束话术，保证沟通准确、一致、有温度。",
        "purpose_en": (
            "Standard openings, reassurance, confirmation and closings for phone, chat and written replies, "
            "so that communication is accurate, consistent and warm."
        ),
        "clauses": [
            (
                "1",
                "电话开场白",
                "Phone opening",
                "“您好，××客户服务中心，工号 ××× 为您服务，请问有什么可以帮您？”",
                "“Hello, this is the ×× customer service centre, agent number ×××. How can I help you?”",
                "script",
                ALL_TYPES,
            ),
            (
                "2",
                "投诉安抚话术",
                "Reassuring a complaining customer",
                "“非常理解您的心情，给您添麻烦了，真的很抱歉。您的问题我已经详细记录，由我负责跟进，"
                "我会在 1 小时内给您答复。”",
                "“I fully understand how you feel, and I'm truly sorry for the trouble. I have written down every "
                "detail and I'm handling it personally; you will hear from me within one hour.”",
                "script",
                ["complaint"],
            ),
            (
                "3",
                "书面回复规范",
                "Written replies",
                "邮件和在线回复须称呼客户、先回应诉求再说明原因、给出明确的下一步和时间；不使用内部术语；发送前检查错别字。",
                "E-mail and chat replies address the customer by name, answer the request before explaining, give "
                "a clear next step with a time, avoid internal jargon and are proof-read before sending.",
                "script",
                ALL_TYPES,
            ),
            (
                "4",
                "结束语",
                "Closing",
                "“请问还有其他可以帮您的吗？感谢您的耐心，稍后可能会邀请您对本次服务进行评价，祝您生活愉快！”",
                "“Is there anything else I can help with? Thank you for your patience; you may be asked to rate "
                "this service shortly. Have a nice day!”",
                "script",
                ALL_TYPES,
            ),
        ],
        "indicators": [],
        "terms": [],
    },
    {
        "code": "SA-DATA",
        "category": "safety",
        "name_zh": "客户信息安全标准",
        "name_en": "Customer data protection standard",
        "purpose_zh": "依据个人信息保护的要求，规定客户信息的采集、查询、使用、导出和泄露处置，防止客户信息被泄露或滥用。",
        "purpose_en": (
            "Following personal-information protection rules, sets how customer data is collected, looked up, "
            "used, exported and how a leak is handled, so that it is never disclosed or misused."
        ),
        "clauses": [
            (
                "1",
                "最小必要",
                "Only what is needed",
                "只采集办理业务所必需的客户信息；不得要求客户提供与诉求无关的证件或信息。",
                "Collect only the customer data the request needs; never ask for documents or details unrelated to it.",
                "",
                ALL_TYPES,
            ),
            (
                "2",
                "身份核验",
                "Identity check",
                "1. 向客户透露账户或工单信息前，须核验至少两项身份要素（如姓名、手机号后四位、工单号）；\n"
                "2. 核验不通过的，只提供公开信息；\n"
                "3. 在工单备注中记录已完成核验。",
                "1. Before telling anyone about an account or ticket, check at least two identity items (e.g. name, "
                "last four digits of the phone number, ticket number).\n"
                "2. If the check fails, give public information only.\n"
                "3. Note on the ticket that the check was done.",
                "steps",
                ALL_TYPES,
            ),
            (
                "3",
                "使用与导出",
                "Use and export",
                "客户信息仅用于处理其服务请求；批量导出须经质量经理审批并留痕；禁止通过个人社交软件传递客户信息。",
                "Customer data is used only to handle that customer's request; bulk exports need the quality "
                "manager's approval and are recorded; customer data is never passed on through personal messaging "
                "apps.",
                "",
                ALL_TYPES,
            ),
            (
                "4",
                "泄露处置",
                "If data leaks",
                "发现客户信息可能泄露的，立即报告质量经理，启动应急预案，24 小时内完成影响评估并通知受影响客户。",
                "Anyone who finds that customer data may have leaked reports it to the quality manager at once; "
                "the contingency plan starts and the impact is assessed and affected customers told within 24 hours.",
                "",
                ALL_TYPES,
            ),
        ],
        "indicators": [],
        "terms": [],
    },
]
