"""The alert rules and contingency plans SQM ships with.

:func:`install` takes the model classes as arguments, so the data migration (historical models)
and the services (real models) share it. It only adds what is missing, by code: a quality
manager's edits to a shipped rule or plan are never overwritten.

Thresholds of the standards' indicators need no rule each: the one ``threshold`` rule covers every
indicator in force; a rule of kind threshold that names a standard (and optionally an indicator)
takes that standard over, e.g. to judge it by day or to switch it off.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

RULES: list[dict[str, Any]] = [
    {
        "code": "threshold",
        "name_zh": "指标越过服务标准阈值",
        "name_en": "Indicator crosses its standard's thresholds",
        "kind": "threshold",
        "level": "",
        "params": {"grain": "week", "review_grain": "month", "scenario": "", "escalate_every_hours": 24},
        "plan_due_days": 5,
    },
    {
        "code": "complaint_growth",
        "name_zh": "投诉量周环比上升30%",
        "name_en": "Complaints up 30 % week on week",
        "kind": "complaint_growth",
        "level": "yellow",
        "params": {"growth": "0.30", "min_count": 10, "scenario": "", "escalate_every_hours": 24},
        "plan_due_days": 3,
    },
    {
        "code": "category_surge",
        "name_zh": "单一类别投诉激增",
        "name_en": "Complaint surge on one category",
        "kind": "category_surge",
        "level": "red",
        "params": {
            "factor": "3",
            "min_count": 10,
            "weeks": 4,
            "scenario": "mass_complaints",
            "escalate_every_hours": 12,
        },
        "plan_due_days": 1,
    },
    {
        "code": "group_complaints",
        "name_zh": "同一客户群体集中投诉",
        "name_en": "Complaints from one group of customers",
        "kind": "group_complaints",
        "level": "red",
        "params": {
            "count": 5,
            "min_customers": 2,
            "window_hours": 72,
            "scenario": "mass_complaints",
            "escalate_every_hours": 12,
        },
        "plan_due_days": 1,
    },
    {
        "code": "major_incident",
        "name_zh": "重大事件",
        "name_en": "Major incident",
        "kind": "major_incident",
        "level": "red",
        "params": {"escalate_every_hours": 6},
        "plan_due_days": 1,
    },
    {
        "code": "p_chart_csat",
        "name_zh": "班组满意度超出控制限（p控制图）",
        "name_en": "Team CSAT outside p-chart limits",
        "kind": "p_chart",
        "level": "orange",
        "params": {
            "metric": "csat",
            "grain": "week",
            "dimension": "team",
            "periods": 8,
            "min_history": 4,
            "min_volume": 30,
            "sigma": "3",
            "scenario": "",
            "escalate_every_hours": 24,
        },
        "plan_due_days": 5,
    },
    {
        "code": "p_chart_sla_response",
        "name_zh": "班组响应达标率超出控制限（p控制图）",
        "name_en": "Team SLA response compliance outside p-chart limits",
        "kind": "p_chart",
        "level": "orange",
        "params": {
            "metric": "sla_response",
            "grain": "week",
            "dimension": "team",
            "periods": 8,
            "min_history": 4,
            "min_volume": 30,
            "sigma": "3",
            "scenario": "",
            "escalate_every_hours": 24,
        },
        "plan_due_days": 5,
    },
    {
        "code": "p_chart_sla_resolution",
        "name_zh": "班组解决达标率超出控制限（p控制图）",
        "name_en": "Team SLA resolution compliance outside p-chart limits",
        "kind": "p_chart",
        "level": "orange",
        "params": {
            "metric": "sla_resolution",
            "grain": "week",
            "dimension": "team",
            "periods": 8,
            "min_history": 4,
            "min_volume": 30,
            "sigma": "3",
            "scenario": "",
            "escalate_every_hours": 24,
        },
        "plan_due_days": 5,
    },
]

PLANS: list[dict[str, str]] = [
    {
        "code": "resource-shortage",
        "scenario": "resource_shortage",
        "title_zh": "人力资源短缺应急预案",
        "title_en": "Contingency plan: resource shortage",
        "body_zh": """一、适用范围
因来电及工单量突增、集中病假或突发缺勤，导致排队积压、响应达标率跌破橙色阈值，或预计未来 2 小时内在岗人力低于排班需求 80% 时启动本预案。

二、应急小组
组长：质量经理；副组长：当班班组长；成员：排班专员、各班组长、IT 值班工程师。

三、处置步骤
1. 15 分钟内：当班班组长确认积压规模（排队工单数、最长等待时长、SLA 风险工单数），在预警页面确认预警并上报质量经理。
2. 30 分钟内：启动弹性排班——召回备班人员、延长当班班次、从技能相近班组抽调坐席跨组支援；培训、质检复核等非一线工作暂停。
3. 同步开启分流：IVR 播报繁忙提示并引导自助服务与知识库；网页与邮件渠道自动回复预计处理时间；电话渠道开放留言回拨。
4. 工单按优先级处理：投诉与紧急报修优先，咨询类可延后，延后时须告知客户预计答复时间，严禁无回应关闭。
5. 每小时通报一次队列规模、SLA 达标率和人力到位情况，直至连续 2 小时恢复到黄色阈值以内。

四、恢复与总结
恢复正常后 24 小时内，由当班班组长提交事件总结（原因、影响工单数、超时工单数、采取措施），质量经理据此修订排班模型或人力储备，并在预警中提交整改方案。

五、演练
每半年至少演练一次，检验备班召回时长与跨组支援的技能匹配情况。""",
        "body_en": """1. Scope
Start this plan when a surge of calls and tickets, a wave of sick leave or sudden absences builds a backlog, SLA response compliance falls below its orange threshold, or staff on duty in the next two hours is expected below 80 % of the roster.

2. Response team
Lead: quality manager; deputy: the team lead on duty; members: the workforce planner, all team leads, the IT engineer on call.

3. Steps
1) Within 15 minutes the team lead on duty measures the backlog (queued tickets, longest wait, tickets at SLA risk), acknowledges the alert and reports to the quality manager.
2) Within 30 minutes flexible rostering starts: call in stand-by staff, extend the current shift, borrow agents with similar skills from other teams; training and QA rework pause.
3) Divert demand: the IVR announces the busy period and points to self-service and the knowledge base; web and e-mail auto-replies give the expected answer time; phone offers call-backs.
4) Work by priority: complaints and urgent repairs first, consultations may wait — customers are told when to expect an answer; no ticket is closed without a reply.
5) Report queue size, SLA compliance and staffing every hour until two consecutive hours are back within the yellow threshold.

4. Recovery and review
Within 24 hours of recovery the team lead on duty writes the incident summary (cause, tickets affected, tickets late, measures taken); the quality manager adjusts the staffing model or reserve and submits the rectification plan on the alert.

5. Drills
At least twice a year: time the stand-by call-in and check that borrowed agents have the right skills.""",
    },
    {
        "code": "system-outage",
        "scenario": "system_outage",
        "title_zh": "系统故障应急预案",
        "title_en": "Contingency plan: system outage",
        "body_zh": """一、适用范围
工单系统、电话系统（IVR/ACD）、邮件收发或知识库等核心系统不可用或严重降级超过 10 分钟，影响客户受理时启动本预案。

二、应急小组
组长：质量经理；技术负责人：IT 值班工程师；成员：当班班组长、客服专员代表。

三、处置步骤
1. 发现故障的员工立即报告当班班组长，班组长 5 分钟内通知 IT 值班并在系统中标记重大事件（系统可用时）。
2. 切换手工受理：启用纸质/离线表格《应急受理登记表》，逐笔记录客户姓名、联系方式、诉求类型、受理时间，统一编号。
3. 对外告知：IVR 与官网发布系统维护公告，统一话术："系统临时维护，您的问题已登记，我们将在恢复后第一时间回复您。"
4. IT 每 30 分钟向应急小组通报修复进度与预计恢复时间；超过 2 小时未恢复的，质量经理向分管领导报告。
5. 系统恢复后 4 小时内，将手工登记的诉求全部补录为工单，补录时注明"故障期间受理"，受理时间按实际登记时间填写。

四、恢复与总结
IT 在 48 小时内提交故障原因分析；质量经理核对补录完整性（登记表数与补录工单数一致），统计受影响客户并安排回访。

五、演练
每年至少一次断网/断系统演练，检验手工受理登记与补录流程。""",
        "body_en": """1. Scope
Start this plan when a core system — ticketing, telephony (IVR/ACD), e-mail in/out or the knowledge base — is down or badly degraded for more than 10 minutes and customers cannot be served.

2. Response team
Lead: quality manager; technical lead: the IT engineer on call; members: the team lead on duty and an agent representative.

3. Steps
1) Whoever notices the outage tells the team lead on duty, who informs IT on call within 5 minutes and marks a major incident in SQM (if it is reachable).
2) Switch to manual intake: use the offline "emergency intake log", one numbered line per contact with the customer's name, contact details, request type and time.
3) Tell customers: the IVR and the website announce maintenance; agents say "Our system is under temporary maintenance; your request is logged and we will answer as soon as it is back."
4) IT reports progress and the expected recovery time every 30 minutes; after 2 hours without recovery the quality manager informs senior management.
5) Within 4 hours of recovery every logged contact becomes a ticket, marked "taken during the outage", with the real intake time.

4. Recovery and review
IT delivers a root-cause analysis within 48 hours; the quality manager checks that every logged contact was entered (log lines = tickets) and arranges call-backs to the customers affected.

5. Drills
At least once a year: a network/system-down drill of manual intake and back-entry.""",
    },
    {
        "code": "mass-complaints",
        "scenario": "mass_complaints",
        "title_zh": "群体性投诉应急预案",
        "title_en": "Contingency plan: mass complaints",
        "body_zh": """一、适用范围
同一问题或同一客户群体在短时间内集中投诉（如单一类别投诉量达到近 4 周均值 3 倍以上，或 72 小时内同一单位 5 起以上投诉），以及可能升级为集体投诉、上访的事件。

二、专项工作组
组长：质量经理；成员：涉及班组的班组长、业务部门联络人、投诉处理骨干；必要时邀请法务与公关参加。

三、处置步骤
1. 1 小时内：质量经理召集专项工作组，确认投诉范围（类别、涉及客户、渠道、时间分布），指定唯一对外口径负责人。
2. 2 小时内：制定统一答复口径与临时补救措施，下发全体坐席；同类投诉合并跟踪，由专人负责，首问负责到底。
3. 对已投诉客户逐一回电致歉，说明原因、处理进度和补救方案；对涉及单位安排专人对接。
4. 每日 18:00 前通报投诉新增数、已办结数、客户满意度回访结果，直至连续 3 日无新增同类投诉。
5. 查明根本原因，涉及产品或流程缺陷的，提交业务部门整改并跟踪验证。

四、结案
全部投诉办结并回访后，由专项工作组提交总结报告与整改方案，经质量经理验证后关闭预警。

五、演练
每半年至少一次桌面推演，检验口径下发与回访速度。""",
        "body_en": """1. Scope
Many complaints about one problem or from one group of customers in a short time (e.g. one category at three times or more its 4-week average, or 5 complaints from one organisation within 72 hours), and anything that may turn into a collective complaint or petition.

2. Task force
Lead: quality manager; members: the team leads of the teams involved, the business unit's contact, senior complaint handlers; legal and PR when needed.

3. Steps
1) Within 1 hour the quality manager convenes the task force, establishes the scope (categories, customers, channels, timing) and names a single spokesperson.
2) Within 2 hours a common answer and interim remedies go to every agent; complaints about the same issue are tracked together by one owner, first-contact ownership to the end.
3) Call back every complainant to apologise, explain the cause, progress and remedy; one person looks after each organisation involved.
4) By 18:00 every day report new complaints, complaints closed and call-back satisfaction, until three days pass without a new complaint of the kind.
5) Find the root cause; defects in products or processes go to the business unit for correction, and the fix is verified.

4. Closure
Once every complaint is closed and followed up, the task force writes its report and rectification plan; the quality manager verifies it and closes the alert.

5. Drills
A table-top exercise at least twice a year, timing how fast the common answer goes out and call-backs are made.""",
    },
    {
        "code": "public-opinion",
        "scenario": "public_opinion",
        "title_zh": "舆情事件应急预案",
        "title_en": "Contingency plan: public-opinion incident",
        "body_zh": """一、适用范围
客户在微博、微信、短视频平台、新闻媒体或投诉平台发布涉及本中心服务的负面信息，且出现转发扩散、媒体问询或监管部门关注时启动本预案。

二、应急小组
组长：质量经理；成员：公关/品牌负责人、涉及班组班组长、法务；对外发言人由公关负责人担任。

三、处置步骤
1. 发现舆情的员工立即截图留证（内容、链接、发布时间、转发量）并报告质量经理，不得个人回应。
2. 1 小时内：核实事实——调取相关工单、通话录音与处理记录，确认服务过程是否存在过错。
3. 2 小时内：由发言人按"快速回应、诚恳致歉（如有过错）、说明进展"的原则发布首次回应，全体坐席使用统一口径。
4. 主动联系当事客户，优先解决诉求，取得谅解；每 4 小时更新一次舆情监测情况。
5. 对确有过错的员工与流程，按制度处理并公开整改措施。

四、结案与总结
舆情平息（连续 48 小时无新增传播）后，提交事件复盘报告，更新话术库与培训材料。

五、演练
每年至少一次舆情应对演练，检验发现、上报与首次回应的时效。""",
        "body_en": """1. Scope
Start this plan when a customer posts negative content about the centre's service on Weibo, WeChat, short-video platforms, news media or complaint sites and it spreads, the press asks questions, or a regulator takes notice.

2. Response team
Lead: quality manager; members: the PR/brand lead, the team leads involved, legal; the PR lead is the only spokesperson.

3. Steps
1) Whoever finds the post keeps evidence (screenshot, link, time, shares) and tells the quality manager; nobody answers on their own.
2) Within 1 hour establish the facts from the tickets, call recordings and handling records: was the service at fault?
3) Within 2 hours the spokesperson answers publicly — quickly, with a sincere apology if the centre was at fault, and with the progress made; every agent uses the same wording.
4) Contact the customer concerned, solve the request first and seek reconciliation; update the monitoring every 4 hours.
5) Where staff or processes were at fault, act under the rules and publish the corrections.

4. Closure and review
Once the matter has calmed (48 hours without new spread), write the review and update the scripts and training material.

5. Drills
At least once a year, timing detection, reporting and the first public answer.""",
    },
]


def install(rule_model: Any, plan_model: Any, *, now: dt.datetime) -> tuple[int, int]:
    """Add the shipped rules and plans that are missing (by code); returns (rules added, plans added)."""
    rules = plans = 0
    for spec in RULES:
        _obj, created = rule_model.objects.get_or_create(code=spec["code"], defaults={**spec, "is_active": True})
        rules += created
    for spec in PLANS:
        _obj, created = plan_model.objects.get_or_create(
            code=spec["code"], defaults={**spec, "is_active": True, "updated_at": now}
        )
        plans += created
    return rules, plans
