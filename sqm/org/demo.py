"""Demo organisation: a believable service centre with five teams, built through the services.

Deterministic for a given seed: the same seed gives the same people, teams, skills and dates.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from sqm.core.roles import Role
from sqm.org import services
from sqm.org.models import CustomerTier, Skill, SkillKind, StaffStatus, Team, User

SURNAMES = (  # the most common Chinese surnames, roughly by frequency
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲燕辉建国志鹏飞宇浩然晨欣怡婷雪梅琳佳颖思雨萱梓涵子轩博文俊杰嘉"
    "诗悦可心瑶晓晴振海宏斌海峰亮春兰慧琪凯瑞安宁乐天雅琴倩薇云龙昊"
)
ENGLISH_CUSTOMERS = (
    "Emily Carter",
    "James Wilson",
    "Sophie Martin",
    "Daniel Brown",
    "Olivia Smith",
    "Lucas Meyer",
    "Hannah Lee",
    "Noah Clark",
    "Mia Schmidt",
    "Ethan Walker",
)

TEAMS = (
    # code, Chinese name, description, category skills, channel skills
    (
        "COMPLAINT",
        "投诉处理组",
        "处理客户投诉与升级事项，执行首问负责制。",
        ("complaint", "billing", "broadband"),
        ("phone", "email", "web"),
    ),
    ("CONSULT-1", "咨询一组", "业务咨询：资费、套餐与账户。", ("billing", "mobile", "account"), ("phone", "chat")),
    (
        "CONSULT-2",
        "咨询二组",
        "业务咨询：宽带与增值业务。",
        ("broadband", "value_added", "account"),
        ("phone", "chat", "web"),
    ),
    ("REPAIR", "故障报修组", "故障受理、派修与跟进。", ("repair", "broadband", "mobile"), ("phone", "web", "walk_in")),
    (
        "ONLINE",
        "在线客服组",
        "网页、邮件与在线渠道的全业务支持。",
        ("billing", "account", "mobile", "value_added"),
        ("chat", "email", "web"),
    ),
)

SKILLS = (
    (SkillKind.CATEGORY, "billing", "账单与资费", "Billing & tariffs"),
    (SkillKind.CATEGORY, "broadband", "宽带业务", "Broadband"),
    (SkillKind.CATEGORY, "mobile", "移动业务", "Mobile services"),
    (SkillKind.CATEGORY, "account", "账户管理", "Account management"),
    (SkillKind.CATEGORY, "value_added", "增值业务", "Value-added services"),
    (SkillKind.CATEGORY, "repair", "故障报修", "Faults & repairs"),
    (SkillKind.CATEGORY, "complaint", "投诉处理", "Complaint handling"),
    (SkillKind.LANGUAGE, "zh", "普通话", "Mandarin"),
    (SkillKind.LANGUAGE, "en", "英语", "English"),
    (SkillKind.LANGUAGE, "yue", "粤语", "Cantonese"),
    (SkillKind.CHANNEL, "phone", "电话", "Phone"),
    (SkillKind.CHANNEL, "email", "电子邮件", "E-mail"),
    (SkillKind.CHANNEL, "web", "网页门户", "Web portal"),
    (SkillKind.CHANNEL, "chat", "在线客服", "Live chat"),
    (SkillKind.CHANNEL, "walk_in", "现场接待", "Walk-in"),
)

CERTIFICATES = (
    ("客户服务管理员（四级）", "人力资源和社会保障部"),
    ("客户服务管理员（三级）", "人力资源和社会保障部"),
    ("呼叫中心服务员", "中国通信企业协会"),
    ("投诉处理专员认证", "中国质量协会"),
)

AGENTS_PER_TEAM = 10
CUSTOMERS = 200
DEMO_TODAY = dt.date(2026, 11, 1)  # fixed, so that a seed always gives the same centre


@dataclass
class DemoOrg:
    """What the loader created, for later demo loaders and for the login table."""

    admin: User
    teams: list[Team] = field(default_factory=list)
    agents: list[User] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)  # (role label, username)


class NameMaker:
    """Distinct Chinese names from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name


def _hire_date(rng: random.Random, earliest_year: int = 2016) -> dt.date:
    start = dt.date(earliest_year, 1, 1)
    span = (DEMO_TODAY - start).days
    return start + dt.timedelta(days=rng.randrange(span))


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    """Create the demo organisation; later loaders find it as ``shared["org"]``. Returns a summary."""
    demo = build(rng=rng)
    shared["org"] = demo
    return f"{len(demo.teams)} teams, {len(demo.agents)} agents, their leads, QA, managers and {CUSTOMERS} customers"


def build(*, rng: random.Random) -> DemoOrg:
    """Create the demo organisation. Every write goes through the org services and the audit chain."""
    password = settings.SQM_DEMO_PASSWORD
    admin = services.admin_bootstrap(username="admin", display_name="系统管理员 周敏", password=password)
    demo = DemoOrg(admin=admin, logins=[(Role.ADMIN.label, "admin")])
    names = NameMaker(rng)
    skills = {
        (kind, code): services.skill_create(actor=admin, kind=kind, code=code, name_zh=zh, name_en=en)
        for kind, code, zh, en in SKILLS
    }
    needs_password: list[User] = []
    for index, (code, name, description, categories, channels) in enumerate(TEAMS, start=1):
        lead = _staff(admin, names, rng, f"lead{index}", Role.TEAM_LEAD, "班组长", earliest_year=2016)
        team = services.team_create(actor=admin, name=name, code=code, lead=lead, description=description)
        demo.teams.append(team)
        needs_password.append(lead)
        _give_skills(admin, lead, rng, skills, categories, channels, base_level=4)
        for _ in range(AGENTS_PER_TEAM):
            number = len(demo.agents) + 1
            agent = _staff(admin, names, rng, f"agent{number:02d}", Role.AGENT, "客服专员", team=team)
            _give_skills(admin, agent, rng, skills, categories, channels, base_level=2)
            if rng.random() < 0.3:
                cert, issuer = rng.choice(CERTIFICATES)
                issued = max(agent.profile.hire_date, dt.date(2019, 1, 1)) + dt.timedelta(days=rng.randrange(60, 400))
                if issued <= DEMO_TODAY:
                    services.certificate_add(
                        actor=admin,
                        user=agent,
                        name=cert,
                        issuer=issuer,
                        issued_on=issued,
                        number=f"CS{rng.randrange(10**7, 10**8)}",
                        expires_on=issued + dt.timedelta(days=3 * 365),
                    )
            demo.agents.append(agent)
            needs_password.append(agent)
        if index == 1:
            demo.logins.append((Role.TEAM_LEAD.label, lead.username))
    demo.logins.append((Role.AGENT.label, demo.agents[0].username))
    _mark_leave_and_leavers(admin, demo, rng)
    for role, prefix, count, title in (
        (Role.QA_INSPECTOR, "qa", 3, "质检员"),
        (Role.QUALITY_MANAGER, "quality", 1, "质量经理"),
        (Role.TRAINER, "trainer", 1, "培训专员"),
        (Role.AUDITOR, "auditor", 1, "内审员"),
    ):
        for n in range(1, count + 1):
            username = f"{prefix}{n}" if count > 1 else prefix
            person = _staff(admin, names, rng, username, role, title, earliest_year=2015)
            needs_password.append(person)
            if n == 1:
                demo.logins.append((role.label, username))
    for n in range(1, 3):
        shopper = services.user_create(
            actor=admin, username=f"shopper{n}", display_name=names(), role=Role.MYSTERY_SHOPPER, phone=_phone(rng)
        )
        needs_password.append(shopper)
    demo.logins.append((Role.MYSTERY_SHOPPER.label, "shopper1"))
    customers = _customers(admin, names, rng)
    needs_password.extend(customers[:20])
    demo.logins.append((Role.CUSTOMER.label, customers[0].username))
    services.users_set_initial_password(actor=admin, users=needs_password, password=password)
    return demo


def _staff(
    admin: User,
    names: NameMaker,
    rng: random.Random,
    username: str,
    role: Role,
    title: str,
    team: Team | None = None,
    earliest_year: int = 2018,
) -> User:
    return services.user_create(
        actor=admin,
        username=username,
        display_name=names(),
        role=role,
        team=team,
        email=f"{username}@demo-centre.example",
        phone=_phone(rng),
        hire_date=_hire_date(rng, earliest_year),
        title=title,
        language="en" if rng.random() < 0.05 else "",
    )


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}"


def _give_skills(
    admin: User,
    user: User,
    rng: random.Random,
    skills: dict[tuple[str, str], Skill],
    categories: tuple[str, ...],
    channels: tuple[str, ...],
    base_level: int,
) -> None:
    """Team skills at varied levels, Mandarin for all, English or Cantonese for some."""

    def level() -> int:
        return max(1, min(5, base_level + rng.choice((-1, 0, 0, 1, 1, 2))))

    for code in categories:
        if rng.random() < 0.9:
            services.agent_skill_set(actor=admin, user=user, skill=skills[(SkillKind.CATEGORY, code)], level=level())
    for code in channels:
        services.agent_skill_set(actor=admin, user=user, skill=skills[(SkillKind.CHANNEL, code)], level=level())
    services.agent_skill_set(actor=admin, user=user, skill=skills[(SkillKind.LANGUAGE, "zh")], level=5)
    if rng.random() < 0.2:
        services.agent_skill_set(actor=admin, user=user, skill=skills[(SkillKind.LANGUAGE, "en")], level=level())
    if rng.random() < 0.1:
        services.agent_skill_set(actor=admin, user=user, skill=skills[(SkillKind.LANGUAGE, "yue")], level=level())


def _mark_leave_and_leavers(admin: User, demo: DemoOrg, rng: random.Random) -> None:
    """Two agents on leave and one who left, as in any real centre."""
    picks = rng.sample(demo.agents[1:], 3)
    for agent in picks[:2]:
        services.staff_profile_update(actor=admin, profile=agent.profile, status=StaffStatus.ON_LEAVE)
    leaver = picks[2]
    left_on = max(leaver.profile.hire_date + dt.timedelta(days=30), DEMO_TODAY - dt.timedelta(days=45))
    services.staff_profile_update(actor=admin, profile=leaver.profile, status=StaffStatus.LEFT, left_on=left_on)


def _tier(n: int) -> str:
    """Customer ``n``'s tier: about one in twelve is a VIP, one in forty a key account (by number,
    so the seeded generator's sequence is not disturbed). Low numbers write the most tickets."""
    if n % 40 == 17:
        return CustomerTier.KEY_ACCOUNT
    if n % 12 == 5:
        return CustomerTier.VIP
    return CustomerTier.STANDARD


def _customers(admin: User, names: NameMaker, rng: random.Random) -> list[User]:
    customers = []
    english = list(ENGLISH_CUSTOMERS)
    for n in range(1, CUSTOMERS + 1):
        if english and rng.random() < 0.05:
            display, language = english.pop(0), "en"
        else:
            display, language = names(), ""
        customers.append(
            services.user_create(
                actor=admin,
                username=f"c{n:04d}",
                display_name=display,
                role=Role.CUSTOMER,
                email=f"c{n:04d}@mail.example",
                phone=_phone(rng),
                language=language,
                customer_tier=_tier(n),
            )
        )
    return customers
