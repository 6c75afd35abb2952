"""The standard processes SQM ships with, one per ticket type (editable by the quality manager).

Each step: (Chinese name, English name, time limit in minutes or None, done before resolving,
[(control point zh, control point en), …]).
"""

DEFAULT_PROCESSES = {
    "complaint": (
        "投诉处理流程",
        [
            (
                "受理登记",
                "Register the complaint",
                60,
                True,
                [
                    ("核实客户身份与联系方式", "Verify the customer's identity and contact details"),
                    ("完整记录投诉内容与诉求", "Record the complaint and what the customer asks for"),
                    ("向客户致歉并告知处理时限", "Apologise and tell the customer when to expect an answer"),
                ],
            ),
            (
                "调查核实",
                "Investigate",
                8 * 60,
                True,
                [
                    ("调取服务记录与相关证据", "Collect service records and evidence"),
                    ("确认责任部门与问题原因", "Establish the responsible team and the cause"),
                ],
            ),
            (
                "处理答复",
                "Resolve and reply",
                24 * 60,
                True,
                [
                    ("制定并落实解决方案", "Decide and carry out the remedy"),
                    ("向客户答复处理结果", "Tell the customer the outcome"),
                ],
            ),
            (
                "回访确认",
                "Follow-up call",
                3 * 24 * 60,
                False,
                [
                    ("回访客户确认问题已解决", "Call the customer back to confirm the problem is solved"),
                    ("记录客户满意度", "Record the customer's satisfaction"),
                ],
            ),
        ],
    ),
    "consultation": (
        "咨询服务流程",
        [
            (
                "问候与需求确认",
                "Greet and clarify the request",
                30,
                True,
                [
                    ("使用标准问候语", "Use the standard greeting"),
                    ("复述确认客户需求", "Repeat the request back to the customer"),
                ],
            ),
            (
                "解答与指引",
                "Answer and guide",
                4 * 60,
                True,
                [
                    ("依据知识库给出准确答复", "Answer from the knowledge base"),
                    ("询问是否还有其他需要", "Ask whether anything else is needed"),
                ],
            ),
        ],
    ),
    "fault": (
        "故障报修流程",
        [
            (
                "故障受理",
                "Take the fault report",
                30,
                True,
                [
                    ("记录故障现象与发生时间", "Record the symptoms and when they began"),
                    ("完成远程初步排查", "Run the first remote checks"),
                ],
            ),
            (
                "派单维修",
                "Dispatch the repair",
                4 * 60,
                True,
                [
                    ("派发维修工单并约定上门时间", "Dispatch a technician and agree a visit time"),
                ],
            ),
            (
                "修复确认",
                "Confirm the repair",
                24 * 60,
                True,
                [
                    ("与客户确认业务恢复正常", "Confirm with the customer that service works again"),
                ],
            ),
        ],
    ),
    "suggestion": (
        "建议处理流程",
        [
            (
                "登记建议",
                "Record the suggestion",
                60,
                True,
                [
                    ("感谢客户并完整记录建议", "Thank the customer and record the suggestion in full"),
                ],
            ),
            (
                "评估反馈",
                "Assess and respond",
                5 * 24 * 60,
                True,
                [
                    ("转交相关部门评估", "Pass it to the team concerned for assessment"),
                    ("向客户反馈采纳情况", "Tell the customer whether it is adopted"),
                ],
            ),
        ],
    ),
    "praise": (
        "表扬处理流程",
        [
            (
                "登记表扬",
                "Record the praise",
                60,
                True,
                [
                    ("感谢客户并记录被表扬人员", "Thank the customer and note who is praised"),
                    ("通知被表扬人员及其班组长", "Tell the person praised and their team lead"),
                ],
            ),
        ],
    ),
}


def install_default_processes(definition_model=None, step_model=None, point_model=None) -> int:  # type: ignore[no-untyped-def]
    """Create the default process of every ticket type that has none yet; returns how many.

    Called by migration 0002 with the historical models, and by tests and the demo with the
    current ones.
    """
    if definition_model is None:
        from sqm.tickets.models import ControlPoint, ProcessDefinition, ProcessStep

        definition_model, step_model, point_model = ProcessDefinition, ProcessStep, ControlPoint
    created_count = 0
    for ticket_type, (name, steps) in DEFAULT_PROCESSES.items():
        definition, created = definition_model.objects.get_or_create(ticket_type=ticket_type, defaults={"name": name})
        if not created:
            continue
        created_count += 1
        for order, (zh, en, limit, before_resolution, points) in enumerate(steps, start=1):
            step = step_model.objects.create(
                definition=definition,
                order=order,
                name_zh=zh,
                name_en=en,
                time_limit_minutes=limit,
                before_resolution=before_resolution,
            )
            for i, (point_zh, point_en) in enumerate(points, start=1):
                point_model.objects.create(step=step, order=i, text_zh=point_zh, text_en=point_en)
    return created_count
