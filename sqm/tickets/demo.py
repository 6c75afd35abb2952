"""Demo tickets: a year of believable Chinese and English tickets, written in bulk.

``sqm demo`` calls :func:`load` after the organisation (``shared["org"]``) exists. It adds the
category tree and, for the year before ``DEMO_TODAY``, about 100,000 tickets (``--size large``:
about 1,000,000) with their threads, a few history events each, and process progress for the
tickets still being worked on.

Volume follows a service centre's rhythm: more on Mondays, fewer at weekends, quiet during the
Chinese public holidays (the official 2025–2026 schedule, including the weekend days worked in
exchange), a rush on the first working days after a long holiday and at the start of each
month when bills arrive, more faults in the summer storm season, and a slow growth over the
year. Hours follow each channel: the hotline and chat from 8:00 to 22:00, shops from 9:00 to
18:00, web and e-mail around the clock.

Every ticket also gets its SLA clock and clock events (:mod:`sqm.tickets.sla.demo_clocks`):
the policy for its type, priority and customer tier, due times on the centre's calendar with
China's holidays and make-up days, and the warnings, breaches, escalations, pauses (waiting on
the customer) and met targets the service hooks and the sweep would have recorded. Agents work
to the targets (the first answer takes about half the response target, with a tail), so about
nine targets in ten are met on time; during a long holiday most written tickets wait for the
first working day and the backlog slows the days after it, so compliance drops around the
Spring Festival and National Day. Tickets still open at the demo's "now" keep live clocks
(``next_check_at``) for the sweep.

Everything is derived from the seeded generator, so a seed always gives the same tickets.

Bulk, not services: a million tickets through ``ticket_create`` would take hours, so rows are
built as tuples and written with ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), one
transaction per chunk of about 10,000 tickets. The audit chain stays honest with one ``import``
entry per chunk that counts the rows and holds a SHA-256 over the chunk's ticket ids, instead
of one entry per ticket.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import hashlib
import marshal
import multiprocessing
import random
import string
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import chinese_calendar
from django.db import connection, models, transaction
from django.db.models import Count

from sqm.tickets.selectors import search_grams
from sqm.tickets.sla.demo_clocks import CLOCK_COLUMNS, EVENT_COLUMNS, Demand, DemoSla, clock_rows

SIZES = {"small": 5_000, "normal": 100_000, "large": 1_000_000}
BULK_TABLES = (  # the big tables: secondary indexes rebuilt after a bulk load, statistics refreshed
    "tickets_ticket",
    "tickets_ticketmessage",
    "tickets_ticketevent",
    "tickets_ticketclock",
    "tickets_slaevent",
)
SEARCH_TABLE = "tickets_ticket_search"  # SQLite's subject search index (migration 0008_search)
SEARCH_POSITIONS = 200  # grams per subject, as the search triggers write them
CHUNK_TICKETS = 10_000
PRODUCER_FROM = 50_000  # smaller loads are generated in this process
MANAGES_TRANSACTIONS = True  # ``sqm demo`` lets this loader commit chunk by chunk

# --- the calendar ------------------------------------------------------------------------------

WINDOW_START = dt.date(2025, 11, 1)  # the year before sqm.org.demo.DEMO_TODAY (2026-11-01)
WINDOW_DAYS = 365
DAY = 86_400
END = WINDOW_DAYS * DAY  # "now" for the demo: 2026-11-01 00:00, local time
UTC_OFFSET_HOURS = 8  # the demo centre is in China (no daylight saving)
EN_SHARE = 0.10


def _official_calendar() -> tuple[dict[dt.date, str], set[dt.date]]:
    """The public holidays of the window (with their names) and the weekend days worked in exchange,
    from ``chinese_calendar``: the State Council's schedule, the same source as the SLA calendars."""
    holidays: dict[dt.date, str] = {}
    makeup: set[dt.date] = set()
    for n in range(-20, WINDOW_DAYS + 20):
        day = WINDOW_START + dt.timedelta(days=n)
        off, name = chinese_calendar.get_holiday_detail(day)
        if name and off:
            holidays[day] = str(name)
        elif name:
            makeup.add(day)
    return holidays, makeup


HOLIDAYS, MAKEUP_WORKDAYS = _official_calendar()
QUIETEST = {dt.date(2026, 2, 16), dt.date(2026, 2, 17)}  # New Year's Eve and Day
WEEKDAY_FACTOR = (1.30, 1.12, 1.05, 1.0, 0.96, 0.62, 0.55)  # Monday … Sunday


def is_workday(day: dt.date) -> bool:
    if day in HOLIDAYS:
        return False
    return day.weekday() < 5 or day in MAKEUP_WORKDAYS


def _rest_block_before(day: dt.date) -> int:
    """How many days off came right before ``day``."""
    n, probe = 0, day - dt.timedelta(days=1)
    while not is_workday(probe) and n < 15:
        n, probe = n + 1, probe - dt.timedelta(days=1)
    return n


def _rest_block_after(day: dt.date) -> int:
    n, probe = 0, day + dt.timedelta(days=1)
    while not is_workday(probe) and n < 15:
        n, probe = n + 1, probe + dt.timedelta(days=1)
    return n


def day_weight(index: int) -> float:
    """The expected relative volume of one day of the window (without noise)."""
    day = WINDOW_START + dt.timedelta(days=index)
    if day in HOLIDAYS:
        weight = 0.28 if day in QUIETEST else 0.42
    elif day in MAKEUP_WORKDAYS:
        weight = 1.0
    else:
        weight = WEEKDAY_FACTOR[day.weekday()]
    if is_workday(day):
        before = _rest_block_before(day)
        if before >= 3:
            weight *= 1.55  # the backlog of a long holiday arrives at once
        elif before == 0 and _rest_block_before(day - dt.timedelta(days=1)) >= 3:
            weight *= 1.2
        if _rest_block_after(day) >= 3:
            weight *= 1.15  # roaming and repairs before people travel
    if day.day <= 5:
        weight *= 1.1  # bills arrive
    return weight * (0.92 + 0.16 * index / WINDOW_DAYS)


def plan_days(rng: random.Random, total: int) -> list[int]:
    """Tickets per day of the window, adding up to ``total`` exactly."""
    weights = [day_weight(i) * rng.lognormvariate(0, 0.07) for i in range(WINDOW_DAYS)]
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    by_fraction = sorted(range(WINDOW_DAYS), key=lambda i: (counts[i] - exact[i], i))
    for i in by_fraction[: total - sum(counts)]:
        counts[i] += 1
    return counts


# --- categories ------------------------------------------------------------------------------

# code, Chinese name, English name, skill code (org demo's category skills)
CATEGORIES: tuple[tuple[str, str, str, str], ...] = (
    ("broadband", "宽带业务", "Broadband", "broadband"),
    ("broadband.install", "新装与移机", "New lines and moves", "broadband"),
    ("broadband.speed", "网速与提速", "Speed and upgrades", "broadband"),
    ("broadband.tv", "宽带电视", "IPTV", "broadband"),
    ("mobile", "移动业务", "Mobile", "mobile"),
    ("mobile.plan", "套餐变更", "Plan changes", "mobile"),
    ("mobile.roaming", "国际漫游", "International roaming", "mobile"),
    ("mobile.number", "号码与补卡", "Numbers and SIM cards", "mobile"),
    ("billing", "账单与资费", "Billing", "billing"),
    ("billing.query", "话费查询", "Bill enquiries", "billing"),
    ("billing.dispute", "扣费争议", "Disputed charges", "billing"),
    ("billing.payment", "缴费与发票", "Payments and invoices", "billing"),
    ("account", "账户管理", "Accounts", "account"),
    ("account.realname", "实名与过户", "ID registration and transfers", "account"),
    ("account.security", "密码与安全", "Passwords and security", "account"),
    ("value_added", "增值业务", "Value-added services", "value_added"),
    ("value_added.subscription", "订购与退订", "Subscriptions", "value_added"),
    ("value_added.data", "流量包", "Data add-ons", "value_added"),
    ("repair", "故障报修", "Faults and repairs", "repair"),
    ("repair.broadband", "宽带故障", "Broadband faults", "repair"),
    ("repair.signal", "手机信号", "Mobile signal", "repair"),
    ("repair.device", "终端设备", "Equipment", "repair"),
    ("service", "服务质量", "Service quality", "complaint"),
    ("service.staff", "服务态度", "Staff conduct", "complaint"),
    ("service.store", "营业厅服务", "Shops", "complaint"),
    ("service.hotline", "热线服务", "Hotline", "complaint"),
)

# --- words that fill the templates -------------------------------------------------------------

Slot = Callable[[random.Random], str]


def _pick(*options: str) -> Slot:
    return lambda rng: options[int(rng.random() * len(options))]


def _amount(rng: random.Random) -> str:
    return f"{rng.randrange(8, 320)}.{rng.choice(('00', '50', '80', '20', '60'))}"


SLOTS: dict[str, Slot] = {
    "district": _pick(
        "朝阳区",
        "海淀区",
        "丰台区",
        "浦东新区",
        "徐汇区",
        "闵行区",
        "天河区",
        "越秀区",
        "南山区",
        "福田区",
        "武侯区",
        "锦江区",
        "西湖区",
        "滨江区",
        "江汉区",
        "雁塔区",
        "鼓楼区",
        "岳麓区",
    ),
    "compound": _pick(
        "阳光花园",
        "锦绣家园",
        "翠苑小区",
        "金色港湾",
        "幸福里",
        "和平新村",
        "绿地世纪城",
        "万科城市花园",
        "碧桂园",
        "保利花园",
        "东方明珠苑",
        "书香门第",
        "学府小区",
        "滨江一号",
        "枫林湾",
        "明珠小区",
    ),
    "bld": lambda rng: (
        f"{rng.randrange(1, 28)}号楼{rng.randrange(1, 5)}单元{rng.randrange(2, 33)}0{rng.randrange(1, 5)}"
    ),
    "bld_only": lambda rng: f"{rng.randrange(1, 28)}号楼",
    "speed": _pick("300M", "500M", "1000M", "500M", "200M"),
    "speed_low": _pick("100M", "200M"),
    "speed_measured": _pick("30", "45", "60", "80", "12"),
    "plan": _pick("5G畅享套餐129元", "4G畅聊套餐58元", "融合套餐199元", "5G智享套餐169元", "流量王套餐39元"),
    "plan_senior": _pick("老年关爱套餐", "亲情守护卡"),
    "amount": _amount,
    "amount_small": _pick("5", "6", "8", "9.9", "10", "15", "19.9"),
    "amount_round": _pick("50", "100", "200", "300", "600"),
    "vas": _pick("视频会员", "彩铃业务", "来电提醒", "云盘会员", "音乐包", "手机报", "游戏加速包", "阅读会员"),
    "data": _pick("10GB", "20GB", "30GB", "50GB"),
    "country": _pick("日本", "泰国", "韩国", "新加坡", "美国", "英国", "法国", "澳大利亚", "马来西亚", "越南"),
    "n_days": _pick("3", "5", "7", "10", "14"),
    "n_months": _pick("3", "5", "8", "11"),
    "n_times": _pick("两", "三", "四"),
    "n_minutes": _pick("20", "30", "40"),
    "device_light": _pick("PON", "LAN", "网络", "电源"),
    "store": _pick("人民路营业厅", "中山路营业厅", "解放大道营业厅", "万达广场营业厅", "火车站营业厅", "高新区营业厅"),
    "phone_tail": lambda rng: f"{rng.randrange(10000):04d}",
    "agent_no": lambda rng: f"工号{rng.randrange(1001, 1300)}",
    "month_rel": _pick("上个月", "这个月", "最近两个月", "上上个月"),
    "time": _pick("昨晚", "今天早上", "前天下午", "昨天中午", "上周末", "今天上午"),
    "time_appointment": _pick("昨天上午", "昨天下午", "周六上午", "今天上午"),
    "when_future": _pick("下周", "月底", "下个月初", "后天"),
    "period": _pick("这一周", "最近几天", "这半个月", "这个月"),
    "brand": _pick("华为", "小米", "OPPO", "vivo", "苹果", "荣耀"),
    "cause": _pick(
        "入户光缆被施工挖断", "光猫老化", "入户线路接头松动", "片区交换设备故障", "路由器设置异常", "附近基站设备故障"
    ),
    "finding": _pick(
        "计费系统在套餐变更时存在延迟",
        "该业务为第三方渠道办理，未经您本人确认",
        "当班工作人员服务不规范",
        "故障工单派发不及时",
    ),
    "remedy": _pick(
        "为您办理了退费", "取消了相关业务并退还全部费用", "对相关人员进行了批评教育和再培训", "为您赠送了一个月的宽带费"
    ),
    "info": _pick("机主身份证后四位", "故障时的截图", "具体的扣费时间", "安装地址的详细门牌号", "方便联系的时间段"),
    "hours": _pick("2", "4", "24"),
    # English
    "district_en": _pick("Chaoyang", "Haidian", "Pudong", "Xuhui", "Tianhe", "Nanshan", "Futian", "Jing'an"),
    "compound_en": _pick("Sunshine Garden", "Riverside Residence", "Park View", "Green Court", "Lakeside Villas"),
    "plan_en": _pick("5G Enjoy 129", "4G Talk 58", "Family Bundle 199"),
    "vas_en": _pick("video membership", "ringtone", "cloud storage", "music pack"),
    "country_en": _pick("Japan", "Thailand", "Singapore", "the UK", "the US", "Germany", "Australia"),
    "time_en": _pick("last night", "this morning", "yesterday afternoon", "the weekend"),
    "cause_en": _pick("a cut fibre cable", "an ageing modem", "a loose connector", "a fault at the local exchange"),
}

# --- what customers write: (category, subject, description) per type and language ----------

Template = tuple[str, str, str]

ZH: dict[str, list[Template]] = {
    "consultation": [
        (
            "broadband.install",
            "咨询宽带新装办理",
            "我刚搬到{district}{compound}，想办理{speed}宽带，请问需要准备哪些材料？从申请到上门安装大概需要几天？",
        ),
        (
            "broadband.install",
            "宽带移机怎么办理",
            "我家下个月要从{district}搬到{compound}，现在的宽带合约还没到期，能不能直接移机？移机要收费吗？",
        ),
        (
            "broadband.install",
            "新小区能否安装光纤",
            "{compound}是新交付的小区，想问一下你们的光纤是否已经覆盖，能装{speed}吗？",
        ),
        (
            "broadband.speed",
            "宽带提速咨询",
            "现在用的是{speed_low}宽带，家里人多经常卡，想升级到{speed}，请问每月需要加多少钱？需要换光猫吗？",
        ),
        (
            "broadband.speed",
            "千兆宽带资费咨询",
            "看到你们在推广千兆宽带，想了解一下资费和合约期，现在的套餐能直接改吗？",
        ),
        ("broadband.tv", "IPTV回看功能怎么开通", "家里的电视机顶盒看不到回看节目，请问回看功能需要单独开通吗？"),
        ("broadband.tv", "加装一台电视机顶盒", "想在卧室再装一台电视，请问可以再加一个机顶盒吗？费用怎么算？"),
        (
            "mobile.plan",
            "套餐变更咨询",
            "我现在用的是{plan}，每个月流量都不够用，想换一个流量多一点的套餐，有什么推荐？下个月生效吗？",
        ),
        (
            "mobile.plan",
            "给老人办理套餐",
            "想给家里老人办一个{plan_senior}，请问需要本人到营业厅吗？可以用我的身份证办理吗？",
        ),
        (
            "mobile.plan",
            "合约期内能否降档",
            "我的{plan}合约还有{n_months}个月到期，现在想换成便宜一点的套餐，请问可以降档吗？有没有违约金？",
        ),
        (
            "mobile.roaming",
            "出国漫游怎么开通",
            "我{when_future}要去{country}出差{n_days}天，请问国际漫游怎么开通？有没有流量包可以买？",
        ),
        (
            "mobile.roaming",
            "{country}漫游流量包资费",
            "{when_future}去{country}旅游，想了解一下{country}的漫游流量包价格，到了当地需要手动设置吗？",
        ),
        ("mobile.number", "手机卡丢失补卡", "手机卡丢了，想补办一张，请问可以异地补卡吗？原来的号码和余额都能保留吗？"),
        ("mobile.number", "携号转网咨询", "想把号码携号转网转过来，请问需要满足什么条件？转网期间会不会影响接电话？"),
        ("mobile.number", "办理副卡", "想给孩子办一张副卡，共享我的套餐流量，请问怎么收费？"),
        ("billing.query", "话费明细查询", "{month_rel}话费{amount}元，比平时高了不少，想查一下具体的扣费明细。"),
        ("billing.query", "套餐余量查询", "请问怎么查询本月剩余的流量和通话分钟数？App上显示的数据好像不太准。"),
        ("billing.query", "积分兑换咨询", "我的积分快过期了，请问可以兑换话费吗？在哪里兑换？"),
        (
            "billing.payment",
            "充值未到账",
            "{time}通过支付宝充值了{amount_round}元，到现在还没到账，手机尾号{phone_tail}，请帮忙查一下。",
        ),
        (
            "billing.payment",
            "如何开具电子发票",
            "公司报销需要发票，请问{month_rel}的话费发票怎么开？能开增值税专用发票吗？",
        ),
        ("billing.payment", "设置自动缴费", "想绑定银行卡自动缴费，避免停机，请问怎么设置？"),
        (
            "account.realname",
            "过户需要什么材料",
            "这个号码是我父亲名下的，想过户到我名下，双方都需要到场吗？需要带什么材料？",
        ),
        ("account.realname", "实名信息更新", "我的身份证换新了，需要更新实名登记信息吗？可以在网上办理吗？"),
        ("account.security", "服务密码忘记了", "服务密码忘记了，App登录不了，请问怎么重置？"),
        (
            "account.security",
            "账户异地登录提醒",
            "收到短信说我的账户在异地登录，但不是我本人操作的，请问要怎么处理？需要修改密码吗？",
        ),
        ("value_added.subscription", "如何退订{vas}", "想退订{vas}，在App上没找到入口，请问怎么取消？"),
        ("value_added.subscription", "套餐赠送的{vas}怎么领取", "套餐里送的{vas}怎么领取？领取后能在电视上用吗？"),
        (
            "value_added.data",
            "流量包能否结转",
            "这个月流量快用完了，想买一个{data}流量包，请问是当月有效还是可以结转到下个月？",
        ),
        ("value_added.data", "定向流量范围咨询", "我办的定向流量包包含哪些App？刷短视频算不算？"),
    ],
    "fault": [
        (
            "repair.broadband",
            "宽带无法上网",
            "家里宽带从{time}开始就上不了网，光猫上的LOS灯一直闪红灯，重启了好几次都没用。地址：{district}{compound}{bld}。",
        ),
        (
            "repair.broadband",
            "宽带频繁掉线",
            "{period}宽带每天晚上都会掉线好几次，每次要等十几分钟才恢复，打游戏和视频会议都受影响。",
        ),
        (
            "repair.broadband",
            "网速远低于签约速率",
            "办的是{speed}宽带，测速只有{speed_measured}M左右，已经用网线直连测过了，请派人检查一下线路。",
        ),
        (
            "repair.broadband",
            "整栋楼宽带中断",
            "{compound}{bld_only}整栋楼从{time}开始都断网了，邻居也一样，麻烦尽快安排抢修。",
        ),
        (
            "repair.signal",
            "家中手机信号差",
            "住在{district}{compound}，家里手机信号只有一格，经常打不通电话，{period}一直这样，请帮忙看看附近基站。",
        ),
        (
            "repair.signal",
            "手机无法拨打电话",
            "{time}开始手机能上网但是打不出电话，也接不到，已经重启过手机。手机尾号{phone_tail}。",
        ),
        (
            "repair.signal",
            "5G信号不稳定",
            "手机是{brand}的5G手机，在{district}经常在5G和4G之间来回切换，网速很不稳定。",
        ),
        (
            "repair.device",
            "光猫指示灯异常",
            "光猫的{device_light}灯不亮了，家里所有设备都连不上网，能不能上门更换光猫？",
        ),
        ("repair.device", "机顶盒开机黑屏", "电视机顶盒开机后一直黑屏，只显示一个logo，插拔电源也没用。"),
        ("repair.device", "路由器WiFi信号弱", "你们装的路由器在卧室几乎没信号，能不能换一个双频的或者加装一个无线AP？"),
        ("broadband.tv", "IPTV画面卡顿", "看电视直播时画面经常卡顿、有马赛克，{period}都是这样，宽带上网倒是正常。"),
    ],
    "complaint": [
        (
            "billing.dispute",
            "投诉：话费扣费不明",
            "{month_rel}被多扣了{amount}元，我从来没有办理过相关业务，客服之前说会处理但一直没有结果，要求全额退还。",
        ),
        (
            "billing.dispute",
            "投诉：改套餐后仍按原资费收费",
            "上个月已经把套餐改成{plan}了，但这个月还是按原来的资费收费，多收了{amount}元。",
        ),
        ("billing.dispute", "投诉：停机保号仍收月租", "号码已经申请停机保号，但是还在扣月租，请核实并退费。"),
        (
            "billing.dispute",
            "投诉：宽带到期自动续约",
            "宽带合约到期后没有任何提醒就自动续约了一年，还扣了{amount_round}元，我不认可。",
        ),
        (
            "value_added.subscription",
            "投诉：未经同意订购{vas}",
            "话费详单里有一项{vas}，每月{amount_small}元，我从来没有订过，已经扣了好几个月了，要求退订并退还全部费用。",
        ),
        ("value_added.subscription", "投诉：退订后仍在扣费", "{time}已经退订了{vas}，这个月还是照样扣费，请给个说法。"),
        (
            "service.staff",
            "投诉客服态度差",
            "{time}打客服热线，{agent_no}的客服态度很不耐烦，问题没说完就挂断了电话，希望你们严肃处理。",
        ),
        (
            "service.staff",
            "投诉营业员强行推销",
            "在{store}办业务时，营业员一直推销我不需要的套餐，还说不办就不能办理我的业务。",
        ),
        (
            "repair.broadband",
            "投诉：报修多次仍未修好",
            "宽带故障已经报修{n_times}次了，师傅来了也没修好，到现在已经{n_days}天不能正常上网，严重影响在家办公。",
        ),
        (
            "repair.broadband",
            "投诉：装维人员爽约",
            "约好{time_appointment}上门维修，我请了假在家等了一整天，师傅没来也没有电话通知。",
        ),
        (
            "broadband.speed",
            "投诉：宽带速率不达标",
            "签约{speed}宽带，晚上高峰期只有几十兆，多次反映都说正常，要求降低资费或者解约。",
        ),
        (
            "service.hotline",
            "投诉：热线长时间无人接听",
            "连续{n_times}天拨打客服热线，每次排队都超过{n_minutes}分钟，最后还是转不到人工。",
        ),
        (
            "service.hotline",
            "投诉：问题转了多个部门没人负责",
            "同一个问题打了好几次电话，每次都让我重复说明情况，转来转去没人负责。",
        ),
        (
            "service.store",
            "投诉：营业厅排队时间过长",
            "{store}只开了一个窗口，我排了一个多小时才办上业务，希望增加窗口。",
        ),
    ],
    "suggestion": [
        ("service.store", "建议延长营业厅营业时间", "上班族工作日很难去营业厅，建议{store}周末和晚上延长营业时间。"),
        (
            "billing.payment",
            "建议账单写清费用明细",
            "电子账单里的费用项目名称太笼统，建议每一项都写清楚是什么业务、什么时间订购的。",
        ),
        ("service.hotline", "建议热线增加回拨功能", "排队时间长的时候，希望可以选择挂机等待回拨，不用一直等着。"),
        (
            "mobile.plan",
            "建议推出可自由组合的套餐",
            "希望推出可以按月自由组合通话和流量的套餐，现在的套餐要么流量不够要么通话用不完。",
        ),
        (
            "broadband.speed",
            "建议App增加宽带自助诊断",
            "建议手机营业厅App加一个宽带测速和自助诊断的功能，很多小问题可以自己处理。",
        ),
        ("service.hotline", "建议简化语音菜单", "热线的语音菜单层级太多，按了好几次才能转人工，建议简化。"),
    ],
    "praise": [
        (
            "service.staff",
            "表扬客服{agent_no}",
            "{time}来电咨询，{agent_no}的客服非常耐心，把我的问题一步步讲清楚了，还主动帮我换了更省钱的套餐，特此表扬。",
        ),
        (
            "repair.broadband",
            "表扬装维师傅",
            "师傅冒雨上门维修宽带，工作认真细致，走之前还帮我把家里的网线整理好了，非常感谢！",
        ),
        ("service.store", "表扬{store}工作人员", "在{store}办理过户业务时，工作人员服务热情，很快就办好了，点赞。"),
        ("service.hotline", "感谢客服快速解决问题", "之前的扣费问题客服很快就核实并退费了，处理效率很高，谢谢。"),
    ],
}

EN: dict[str, list[Template]] = {
    "consultation": [
        (
            "broadband.install",
            "Setting up broadband in a new flat",
            "I've just moved to {compound_en} in {district_en} and would like a {speed} fibre connection. What documents do I need, and how long does installation take?",
        ),
        (
            "mobile.roaming",
            "Roaming in {country_en}",
            "I'm travelling to {country_en} for {n_days} days. How do I turn on roaming, and is there a data pass for {country_en}?",
        ),
        (
            "mobile.plan",
            "Changing my mobile plan",
            "I'm on the {plan_en} plan and keep running out of data. Which plan would you recommend, and when would the change take effect?",
        ),
        (
            "billing.payment",
            "How do I get a VAT invoice?",
            "My company needs a VAT invoice for last month's bill. Can I download it online?",
        ),
        (
            "account.realname",
            "Registering a SIM card with a passport",
            "I have a residence permit and want to register a new SIM card in my name. Can I do this with my passport?",
        ),
        (
            "billing.query",
            "Question about this month's bill",
            "This month's bill is {amount} yuan, much higher than usual. Could you send me an itemised breakdown?",
        ),
        (
            "value_added.subscription",
            "How to cancel the {vas_en}",
            "I'd like to cancel the {vas_en} add-on but can't find the option in the app.",
        ),
    ],
    "fault": [
        (
            "repair.broadband",
            "No internet since {time_en}",
            "Our broadband has been down since {time_en}. The LOS light on the modem is blinking red and restarting didn't help. Address: {compound_en}, {district_en}.",
        ),
        (
            "repair.broadband",
            "Connection keeps dropping",
            "The broadband drops several times every evening for about ten minutes. Could someone check the line?",
        ),
        (
            "repair.signal",
            "Poor mobile signal at home",
            "I only get one bar of signal in my flat in {district_en}, and calls often fail.",
        ),
        (
            "repair.device",
            "TV box shows a black screen",
            "The set-top box only shows a black screen after start-up; unplugging it did not help.",
        ),
    ],
    "complaint": [
        (
            "billing.dispute",
            "Charged for a service I never ordered",
            "My bill shows a charge of {amount} yuan for a service I never signed up for. Please refund it.",
        ),
        (
            "value_added.subscription",
            "Still charged after cancelling",
            "I cancelled the {vas_en} add-on {time_en}, but I was charged again this month.",
        ),
        (
            "service.hotline",
            "Could not reach an English-speaking agent",
            "I waited over {n_minutes} minutes on the hotline and was never put through to someone who speaks English.",
        ),
        (
            "repair.broadband",
            "Engineer missed the appointment",
            "I stayed home all day for the repair appointment, but nobody came and nobody called.",
        ),
    ],
    "suggestion": [
        (
            "service.hotline",
            "Please add an English menu to the hotline",
            "It would help foreign residents if the hotline menu had an English option.",
        ),
        (
            "billing.payment",
            "E-bills in English",
            "It would help if the monthly e-bill were also available in English.",
        ),
    ],
    "praise": [
        (
            "service.staff",
            "Thank you for the excellent help",
            "The agent I spoke to {time_en} was patient and explained everything clearly. Many thanks!",
        ),
        (
            "repair.broadband",
            "Great work by the engineer",
            "The engineer fixed our connection quickly and even tidied up the cables. Thank you!",
        ),
    ],
}

# What agents and customers write later in the thread.
FIRST_REPLY = {
    "zh": {
        "consultation": (
            "您好，关于您咨询的问题，相关办理流程和所需材料已通过短信发送到您的手机，请注意查收。如还有其他问题，欢迎随时联系我们。",
            "您好，您可以通过手机营业厅App或携带身份证到就近营业厅办理，一般1-3个工作日生效。",
            "您好，已为您查询，具体资费和办理条件如下：合约期内可随时升档，降档需在合约到期后办理。",
        ),
        "fault": (
            "您好，您报修的故障已受理，装维工程师将在{hours}小时内与您联系并上门处理，请保持电话畅通。",
            "您好，已远程检测到您的线路存在异常，已派单给片区工程师，请您耐心等待。",
        ),
        "complaint": (
            "您好，非常抱歉给您带来不便。您反映的问题我们已登记，将在24小时内核实并回复您。",
            "您好，您的投诉已受理，我是您的首问责任人，会全程跟进直到问题解决。",
        ),
        "suggestion": ("您好，感谢您的宝贵建议，我们已记录并转交相关部门评估。",),
        "praise": ("您好，感谢您的认可与鼓励，我们会将您的表扬转达给相关同事。",),
    },
    "en": {
        "consultation": (
            "Hello, thank you for your question. We have sent the steps and the documents you need by text message.",
            "Hello, you can do this in our app or at any of our shops with your ID; it takes effect within 1-3 working days.",
        ),
        "fault": (
            "Hello, we have logged your fault. An engineer will contact you within {hours} hours to arrange a visit.",
        ),
        "complaint": (
            "Hello, we are sorry for the trouble. We have registered your complaint and will reply within 24 hours.",
        ),
        "suggestion": ("Hello, thank you for the suggestion; we have passed it on to the team concerned.",),
        "praise": ("Hello, thank you for your kind words; we will pass them on to our colleague.",),
    },
}
ASK_INFO = {
    "zh": ("您好，为便于核实，请提供{info}，我们收到后会尽快为您处理。",),
    "en": (
        "Hello, to look into this we need a little more information; could you send us a screenshot and a convenient time to call?",
    ),
}
FINAL_REPLY = {
    "zh": {
        "consultation": ("您好，您咨询的业务已为您办理完成，请留意短信通知。感谢您的来电！",),
        "fault": (
            "您好，经工程师现场检测，故障原因为{cause}，现已修复，请您测试使用。",
            "您好，故障已排除，如再次出现请随时联系我们。",
        ),
        "complaint": ("您好，经核实{finding}，我们已{remedy}。再次向您致歉，感谢您的监督。",),
        "suggestion": ("您好，您的建议已被相关部门采纳，将在后续版本中改进，感谢您的支持。",),
        "praise": ("您好，感谢您的表扬，祝您生活愉快！",),
    },
    "en": {
        "consultation": ("Hello, this is now done; you will receive a confirmation by text message.",),
        "fault": ("Hello, the engineer found {cause_en} and has fixed it. Please let us know if the problem returns.",),
        "complaint": ("Hello, we have looked into this, refunded the charge and are sorry for the trouble.",),
        "suggestion": ("Hello, the team concerned will consider your suggestion. Thank you.",),
        "praise": ("Hello, thank you again!",),
    },
}
NOTES = {
    "zh": (
        "已致电客户核实情况，客户同意等待处理结果。",
        "已派单至装维班组，预约明天上午上门。",
        "已提交退费申请，等待财务审批。",
        "客户情绪较激动，需重点关注，按时回访。",
        "已查询计费系统，确认存在重复扣费。",
        "已与网络部确认，片区设备正在抢修。",
    ),
    "en": ("Called the customer; they agreed to wait for the result.", "Refund request submitted for approval."),
}
FOLLOW_UPS = {
    "zh": (
        "好的，谢谢！",
        "已经恢复正常了，谢谢你们。",
        "请尽快处理，已经影响到正常使用了。",
        "收到，我明天再试一下。",
        "麻烦再帮我确认一下，什么时候能处理好？",
    ),
    "en": ("Thanks, that works now.", "Any news? It is still not working.", "OK, thank you."),
}
SUPPLIED = {  # the customer sends what the agent asked for
    "zh": ("已补充相关信息，请查收。", "截图已经发过去了，麻烦尽快处理。", "方便联系的时间是工作日下午，谢谢。"),
    "en": ("Here is the screenshot you asked for.", "You can call me on weekday afternoons."),
}
REOPENS = {
    "zh": ("问题又出现了，麻烦再帮我看一下。", "退费一直没有到账，请再核实一下。"),
    "en": ("The problem is back, please take another look.",),
}

# --- shares ---------------------------------------------------------------------------------

TYPES = ("consultation", "fault", "complaint", "suggestion", "praise")
CHANNELS = ("phone", "web", "chat", "email", "api", "walk_in", "qr")
CHANNEL_SHARE = (36, 17, 16, 11, 8, 7, 5)
AGENT_LOGGED = frozenset({"phone", "chat", "walk_in"})
EMAIL_FRAME = {"zh": "您好，\n{text}\n\n{name}", "en": "Hello,\n\n{text}\n\nThanks,\n{name}"}
LOGGED_PREFIX = {  # an agent writes down what the caller or visitor said
    "phone": {"zh": "客户来电反映：", "en": "Caller reports: "},
    "walk_in": {"zh": "客户到厅反映：", "en": "Visitor at the shop reports: "},
}
TYPE_BY_CHANNEL = {  # consultation, fault, complaint, suggestion, praise
    "phone": (55, 22, 16, 4, 3),
    "web": (45, 25, 18, 8, 4),
    "chat": (70, 12, 10, 5, 3),
    "email": (40, 15, 30, 10, 5),
    "api": (50, 38, 10, 2, 0),
    "walk_in": (65, 10, 12, 6, 7),
    "qr": (0, 0, 30, 20, 50),
}
SUMMER_FAULTS = 1.4  # thunderstorms cut lines in June to August
PRIORITY_BY_TYPE = {  # urgent, high, normal, low
    "consultation": (0, 5, 70, 25),
    "fault": (10, 35, 50, 5),
    "complaint": (10, 35, 55, 0),
    "suggestion": (0, 0, 30, 70),
    "praise": (0, 0, 20, 80),
}
PRIORITIES = ("urgent", "high", "normal", "low")
NOTE_SHARE = {"consultation": 0.15, "fault": 0.6, "complaint": 0.7, "suggestion": 0.2, "praise": 0.05}
FINAL_SHARE = {"consultation": 0.5, "fault": 0.95, "complaint": 1.0, "suggestion": 0.8, "praise": 0.0}
REOPEN_SHARE = {"consultation": 0.01, "fault": 0.05, "complaint": 0.06, "suggestion": 0.0, "praise": 0.0}
# Median working time to resolve after the first answer (seconds) and its spread (log-normal sigma).
RESOLVE = {
    "consultation": (12 * 3600, 1.5),
    "fault": (20 * 3600, 1.1),
    "complaint": (28 * 3600, 0.8),
    "suggestion": (30 * 3600, 1.0),
    "praise": (6 * 3600, 1.2),
}
# How fast agents work against the SLA: the first answer takes the response target times a
# log-normal factor (median 0.52: about 14 % late, 27 % past the warning on an ordinary day), and
# resolution work is paced by priority. After a long holiday the backlog slows everything down.
RESPONSE_MU, RESPONSE_SIGMA = -0.5, 0.6
PACE = {"urgent": 0.3, "high": 0.6, "normal": 1.0, "low": 1.1}
BACKLOG = (2.4, 1.8, 1.35)  # load on the 1st, 2nd and 3rd working day after three or more days off
HOLIDAY_QUEUE = 0.7  # share of web/e-mail/API tickets of a long holiday left for the first working day
WAIT_SHARE = {"consultation": 0.08, "fault": 0.2, "complaint": 0.15, "suggestion": 0.0, "praise": 0.0}
WAIT_MU, WAIT_SIGMA = 10.5, 1.0  # the customer answers after a median of ~10 hours
LONGEST = 15  # times the median: the slowest tickets still close within a couple of weeks
DEFAULT_RESPONSE = 30 * 60  # without SLA policies (hand-built centres in tests)
_OFF, _LOW = 0.04, 0.15
HOURS = {  # relative volume by local hour, per kind of channel
    "hotline": (
        _OFF,
        _OFF,
        _OFF,
        _OFF,
        _OFF,
        _OFF,
        _OFF,
        0.3,
        1.3,
        2.0,
        2.2,
        2.0,
        1.2,
        1.4,
        1.9,
        1.9,
        1.8,
        1.4,
        1.1,
        1.0,
        0.9,
        0.7,
        0.3,
        _OFF,
    ),
    "shop": (0, 0, 0, 0, 0, 0, 0, 0, 0, 1.6, 2.0, 1.8, 1.2, 1.2, 1.7, 1.8, 1.6, 1.2, 0, 0, 0, 0, 0, 0),
    "online": (
        0.3,
        _LOW,
        _LOW,
        _LOW,
        _LOW,
        _LOW,
        0.2,
        0.5,
        1.0,
        1.5,
        1.7,
        1.6,
        1.2,
        1.3,
        1.5,
        1.5,
        1.4,
        1.2,
        1.1,
        1.2,
        1.3,
        1.2,
        0.9,
        0.6,
    ),
}
HOURS_OF = {"phone": "hotline", "chat": "hotline", "walk_in": "shop"}
STAFFED_FROM, STAFFED_TO = 8, 22  # agents are on shift from 8:00 to 22:00


def _cum(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


# --- the centre the tickets land in --------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    id: int
    team_id: int | None
    skills: frozenset[str]  # "kind:code"
    hired: int  # first day index of the window they work (may be negative)
    left: int  # first day index they no longer work (a large number when still here)
    working: bool  # active and not on leave now


@dataclass
class Step:
    id: int
    before_resolution: bool
    control_points: list[int]


@dataclass
class Centre:
    """What the generator needs to know of the database, as plain values (tests build one by hand)."""

    admin_id: int
    categories: dict[str, tuple[int, str]]  # code -> (id, skill code)
    customers: list[tuple[int, str]]  # (id, display name)
    english_customers: list[tuple[int, str]]
    agents: list[Agent]
    steps: dict[str, list[Step]] = field(default_factory=dict)
    sla: DemoSla | None = None  # policies and calendars: each ticket gets its SLA clock


@dataclass
class Rows:
    """One chunk of rows, as tuples in the column order of :data:`COLUMNS`."""

    tickets: list[tuple[Any, ...]] = field(default_factory=list)
    messages: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    progress: list[tuple[Any, ...]] = field(default_factory=list)
    checks: list[tuple[Any, ...]] = field(default_factory=list)
    clocks: list[tuple[Any, ...]] = field(default_factory=list)
    sla_events: list[tuple[Any, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.tickets)


COLUMNS = {
    "tickets": (
        "id", "type", "priority", "priority_rank", "status", "channel", "language", "category", "subject",
        "description", "customer", "team", "assignee", "owner", "created_by", "idempotency_key",
        "current_step", "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at",
        "reopen_count", "due_response_at", "due_resolution_at",
    ),
    "messages": ("ticket", "kind", "author", "body", "email_message_id", "created_at", "emailed_at"),
    "events": ("ticket", "kind", "actor", "at", "data"),
    "progress": ("ticket", "step", "started_at", "completed_at", "completed_by"),
    "checks": ("ticket", "control_point", "checked_by", "checked_at"),
    "clocks": CLOCK_COLUMNS,
    "sla_events": EVENT_COLUMNS,
}  # fmt: skip
ROW_KINDS = ("tickets", "messages", "events", "progress", "checks", "clocks", "sla_events")


class Clock:
    """Local seconds since the window's first midnight → the database's text for that instant (UTC).

    Called a dozen times per ticket, so the texts of every date and of every second of a day
    are made once and joined.
    """

    def __init__(self, suffix: str) -> None:
        base = dt.datetime.combine(WINDOW_START, dt.time()) - dt.timedelta(days=1)
        self.days = [(base + dt.timedelta(days=n)).date().isoformat() for n in range(WINDOW_DAYS + 130)]
        self.shift = (24 - UTC_OFFSET_HOURS) * 3600
        self.suffix = suffix
        self.seconds = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self.zone = f"+{UTC_OFFSET_HOURS:02d}:00"

    def __call__(self, t: int) -> str:
        d, r = divmod(t + self.shift, DAY)
        return f"{self.days[d]} {self.seconds[r]}{self.suffix}"

    def iso(self, t: int) -> str:
        """ISO 8601 in centre time, as the SLA services write times into event data."""
        d, r = divmod(t + DAY, DAY)
        return f"{self.days[d]}T{self.seconds[r]}{self.zone}"


@dataclass
class Timeline:
    """A ticket's moments, in local seconds since the window's start."""

    created: int
    assigned: int
    first: int
    resolved: int
    closed: int
    on_call: bool  # answered and solved during the call
    reopened: int = 0
    first_resolved: int = 0
    waited: int = 0  # the first answer asked the customer for something (the clock pauses)…
    resumed: int = 0  # …until the customer supplied it


@dataclass
class Thread:
    """What the thread of one ticket is written from."""

    id: int
    kind: str
    lang: str
    channel: str
    status: str
    customer_id: int
    agent_id: int | None
    when: Timeline


def _backlog(days: int = WINDOW_DAYS + 90) -> tuple[list[float], list[int]]:
    """Per day of the window (and a little after): how loaded the centre is, and for a day of a
    long public holiday (three or more days off) the first working day after it.

    The working days right after a long holiday carry its backlog (:data:`BACKLOG`); during the
    holiday a skeleton crew answers the phone but leaves most written tickets for that day.
    """
    load = [1.0] * days
    queued_until = [0] * days
    index = 0
    while index < days:
        day = WINDOW_START + dt.timedelta(days=index)
        if is_workday(day):
            index += 1
            continue
        end = index
        while end < days and not is_workday(WINDOW_START + dt.timedelta(days=end)):
            end += 1
        block = [WINDOW_START + dt.timedelta(days=n) for n in range(index, end)]
        if len(block) >= 3 and any(d in HOLIDAYS for d in block):
            for n in range(index, end):
                queued_until[n] = end
            workday, extra = end, 0
            while workday < days and extra < len(BACKLOG):
                if is_workday(WINDOW_START + dt.timedelta(days=workday)):
                    load[workday] = BACKLOG[extra]
                    extra += 1
                workday += 1
        index = end
    return load, queued_until


def _staffed(t: int, rng: random.Random) -> int:
    """``t`` if agents are on shift then, else a moment early in the next shift."""
    hour = t % DAY // 3600
    if STAFFED_FROM <= hour < STAFFED_TO:
        return t
    start = t - t % DAY + STAFFED_FROM * 3600 + (DAY if hour >= STAFFED_TO else 0)
    return start + int(rng.random() * 2400)


class Generator:
    """Builds ticket rows day by day from one seeded generator (pure: no database access)."""

    def __init__(self, centre: Centre, rng: random.Random, clock: Clock, first_id: int = 1) -> None:
        self.centre, self.rng, self.clock = centre, rng, clock
        self.next_id = first_id
        self._candidates: dict[tuple[Any, ...], list[Agent]] = {}
        self._channel_cum = _cum(CHANNEL_SHARE)
        self._hour_cum = {name: _cum(weights) for name, weights in HOURS.items()}
        self._type_cum = {
            (channel, summer): _cum(
                [w * (SUMMER_FAULTS if summer and t == "fault" else 1) for t, w in zip(TYPES, weights, strict=True)]
            )
            for channel, weights in TYPE_BY_CHANNEL.items()
            for summer in (False, True)
        }
        self._priority_cum = {t: _cum(w) for t, w in PRIORITY_BY_TYPE.items()}
        self._customer_cum = {
            "zh": _cum([1 / (i + 4) ** 0.7 for i in range(len(centre.customers))]),
            "en": _cum([1 / (i + 2) ** 0.7 for i in range(len(centre.english_customers))]),
        }
        self._templates = {
            lang: {t: [_compile(x) for x in bank[t]] for t in TYPES} for lang, bank in (("zh", ZH), ("en", EN))
        }
        self.load, self.queued_until = _backlog()

    # -- choices --

    def _weighted(self, options: Sequence[Any], cum: list[float]) -> Any:
        return options[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def _fill(self, text: str) -> str:
        if "{" not in text:
            return text
        names = [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name]
        return text.format_map({name: SLOTS[name](self.rng) for name in names})

    def agents_for(self, skill: str, language: str, channel: str, complaint: bool, now: bool) -> list[Agent]:
        """Agents who hold the ticket's skills (relaxing channel, then category; the customer's language last)."""
        key = (skill, language, channel, complaint, now)
        found = self._candidates.get(key)
        if found is None:
            pool = [a for a in self.centre.agents if a.working] if now else list(self.centre.agents)
            wanted = [f"language:{language}", f"category:{skill}", f"channel:{channel}"]
            found = []
            for n in (3, 2, 1, 0):
                found = [a for a in pool if all(w in a.skills for w in wanted[:n])]
                if found:
                    break
            if complaint:
                owners = [a for a in found if "category:complaint" in a.skills]
                found = owners or found
            self._candidates[key] = found
        return found

    def _agent(self, candidates: list[Agent], day: int) -> Agent:
        rng = self.rng
        for _ in range(6):
            agent = candidates[int(rng.random() * len(candidates))]
            if agent.hired <= day < agent.left:
                return agent
        employed = [a for a in candidates if a.hired <= day < a.left]
        return employed[int(rng.random() * len(employed))] if employed else agent

    # -- one day --

    def day(self, index: int, count: int, rows: Rows) -> None:
        """Append ``count`` tickets created on day ``index`` of the window to ``rows``."""
        rng = self.rng
        start = index * DAY
        arrivals = []
        for _ in range(count):
            channel = self._weighted(CHANNELS, self._channel_cum)
            hours = self._hour_cum[HOURS_OF.get(channel, "online")]
            hour = bisect.bisect(hours, rng.random() * hours[-1])
            arrivals.append((start + hour * 3600 + int(rng.random() * 3600), channel))
        arrivals.sort()
        summer = (WINDOW_START + dt.timedelta(days=index)).month in (6, 7, 8)
        for created, channel in arrivals:
            self._ticket(created, channel, index, summer, rows)

    def _ticket(self, created: int, channel: str, day: int, summer: bool, rows: Rows) -> None:
        rng, centre = self.rng, self.centre
        ticket_id = self.next_id
        self.next_id += 1
        kind = self._weighted(TYPES, self._type_cum[(channel, summer)])
        lang = "en" if rng.random() < EN_SHARE and centre.english_customers else "zh"
        category, subject, description = self._weighted_template(lang, kind)
        customer_id, customer_name = self._customer(lang)
        if channel in LOGGED_PREFIX:
            description = LOGGED_PREFIX[channel][lang] + description
        elif channel == "email":
            description = EMAIL_FRAME[lang].format(text=description, name=customer_name)
        priority = self._weighted(PRIORITIES, self._priority_cum[kind])
        category_id, skill = centre.categories[category]
        logged = channel in AGENT_LOGGED
        sla = centre.sla
        tier = sla.tiers.get(customer_id, "standard") if sla else "standard"
        on = WINDOW_START + dt.timedelta(days=day)
        targets = sla.targets(kind, priority, tier, on) if sla else None
        when = self._timeline(created, kind, priority, logged, day, targets[0] if targets else DEFAULT_RESPONSE)
        if when.assigned > END:
            status = "new"
        elif when.resolved > END:
            status = "pending" if when.waited and when.waited <= END < when.resumed else "open"
        else:
            status = "resolved" if when.closed > END else "closed"
        agent = None
        if status != "new":
            active = status in ("open", "pending")
            agent = self._agent(self.agents_for(skill, lang, channel, kind == "complaint", active), day)
        agent_id = agent.id if agent else None
        team_id = agent.team_id if agent else None
        created_by = agent_id if logged else customer_id
        thread = Thread(ticket_id, kind, lang, channel, status, customer_id, agent_id, when)
        first_at, last = self._thread(thread, description, priority, created_by, rows)
        current_step = None
        if status != "closed":
            first = when.first if first_at else None
            current_step = self._progress(ticket_id, kind, status, created, first, when.resolved, agent_id, rows)
        fmt = self.clock
        due_response = due_resolution = None
        if sla is not None:
            demand = Demand(
                ticket_id, kind, priority, tier, on, team_id, agent_id,
                assigned=when.assigned if agent_id else END + DAY, created=created,
                first=when.first if first_at else None,
                waits=[(when.waited, when.resumed)] if when.waited else [],
                resolutions=[when.first_resolved, when.resolved] if when.reopened else [when.resolved],
                reopens=[when.reopened] if when.reopened else [],
            )  # fmt: skip
            made = clock_rows(sla, demand, fmt, fmt.iso)
            if made is not None:
                clock, events, (due_response, due_resolution) = made
                rows.clocks.append(clock)
                rows.sla_events.extend(events)
        rows.tickets.append((
            ticket_id, kind, priority, PRIORITIES.index(priority), status, channel, lang, category_id, subject,
            description, customer_id, team_id, agent_id,
            agent_id if kind == "complaint" else None, created_by, None, current_step, fmt(created), fmt(last),
            first_at, fmt(when.resolved) if status in ("resolved", "closed") else None,
            fmt(when.closed) if status == "closed" else None, 1 if when.reopened else 0, due_response, due_resolution,
        ))  # fmt: skip

    def _timeline(self, created: int, kind: str, priority: str, logged: bool, day: int, response: int) -> Timeline:
        """When the ticket is assigned, first answered, waits on the customer, is resolved (perhaps
        twice) and closed. ``response`` is the first-response target (seconds) agents work to."""
        rng = self.rng
        if logged:  # the agent who took the call logs it, answers and often solves it at once
            assigned, first = created, created + 60 + int(rng.random() * 540)
        elif self.queued_until[day] and rng.random() < HOLIDAY_QUEUE:
            # A long holiday: most written tickets wait for the first working day, whose queue takes hours.
            assigned = self.queued_until[day] * DAY + 9 * 3600 + int(rng.random() ** 1.5 * 7 * 3600)
            first = assigned + int(response * rng.lognormvariate(RESPONSE_MU, RESPONSE_SIGMA))
        else:
            assigned = _staffed(created + 5 + int(rng.random() * 240), rng)
            delay = response * self.load[day] * rng.lognormvariate(RESPONSE_MU, RESPONSE_SIGMA)
            first = _staffed(assigned + int(delay), rng)
        on_call = logged and kind == "consultation" and rng.random() < 0.7
        median, sigma = RESOLVE[kind]
        pace = PACE[priority] * self.load[min(first // DAY, len(self.load) - 1)]
        waited = resumed = 0
        if on_call:
            resolved = first + 60 + int(rng.random() * 840)
        else:
            start = first
            if rng.random() < WAIT_SHARE[kind]:
                wait = min(rng.lognormvariate(WAIT_MU, WAIT_SIGMA), 10 * DAY)
                waited, resumed = first, _staffed(first + int(wait), rng)
                start = resumed
            resolved = _staffed(start + int(median * pace * min(rng.lognormvariate(0, sigma), LONGEST)), rng)
        closed = _staffed(resolved + DAY // 2 + int(rng.random() * 6.5 * DAY), rng)
        when = Timeline(created, assigned, first, resolved, closed, on_call, waited=waited, resumed=resumed)
        if rng.random() < REOPEN_SHARE[kind]:
            again = _staffed(resolved + 6 * 3600 + int(rng.random() * 2.5 * DAY), rng)
            re_resolved = _staffed(again + int(median * PACE[priority] * rng.lognormvariate(0, 0.6)), rng)
            re_closed = _staffed(re_resolved + DAY // 2 + int(rng.random() * 6.5 * DAY), rng)
            if re_closed <= END:
                when.reopened, when.first_resolved, when.resolved, when.closed = again, resolved, re_resolved, re_closed
        return when

    def _thread(
        self, t: Thread, description: str, priority: str, created_by: int, rows: Rows
    ) -> tuple[str | None, int]:
        """The ticket's messages (1–4) and events; returns the first answer's time and the last activity."""
        rng, fmt, when = self.rng, self.clock, t.when
        messages, events, agent = rows.messages, rows.events, t.agent_id
        created = fmt(when.created)
        messages.append((t.id, "customer", t.customer_id, description, None, created, None))
        data = f'{{"channel": "{t.channel}", "type": "{t.kind}", "priority": "{priority}"}}'
        events.append((t.id, "created", None if t.channel == "email" else created_by, created, data))
        if agent is None:
            return None, when.created
        logged = t.channel in AGENT_LOGGED
        reason = "logged" if logged else "auto"
        data = f'{{"assignee": {agent}, "previous": null, "reason": "{reason}"}}'
        events.append((t.id, "assigned", agent if logged else None, fmt(when.assigned), data))
        if when.first > END:
            return None, when.assigned
        first_at, mail = fmt(when.first), t.channel == "email"
        if when.waited:  # the answer asks for something: waiting on the customer
            body = self._fill(rng.choice(ASK_INFO[t.lang]))
            events.append((t.id, "status", agent, first_at, '{"before": "open", "after": "pending"}'))
        else:
            body = self._fill(rng.choice(FIRST_REPLY[t.lang][t.kind]))
        messages.append((t.id, "reply", agent, body, None, first_at, fmt(when.first + 4) if mail else None))
        last, room = when.first, 2  # up to four messages in all
        finished = t.status in ("resolved", "closed")
        until = when.resolved if finished else END
        if when.waited and when.resumed <= until:
            supplied = fmt(when.resumed)
            messages.append((t.id, "customer", t.customer_id, rng.choice(SUPPLIED[t.lang]), None, supplied, None))
            events.append((t.id, "status", t.customer_id, supplied, '{"before": "pending", "after": "open"}'))
            room, last = room - 1, when.resumed
        if when.reopened:
            again = fmt(when.reopened)
            messages.append((t.id, "customer", t.customer_id, rng.choice(REOPENS[t.lang]), None, again, None))
            events.append((t.id, "status", agent, fmt(when.first_resolved), '{"before": "open", "after": "resolved"}'))
            events.append((t.id, "reopened", t.customer_id, again, '{"before": "resolved"}'))
            events.append((t.id, "status", t.customer_id, again, '{"before": "resolved", "after": "open"}'))
            room -= 1
        elif not when.waited and not when.on_call and until - when.first > 600:
            middle = when.first + int((until - when.first) * (0.2 + rng.random() * 0.6))
            if rng.random() < NOTE_SHARE[t.kind]:
                messages.append((t.id, "note", agent, rng.choice(NOTES[t.lang]), None, fmt(middle), None))
                room, last = room - 1, middle
            elif t.status != "pending" and rng.random() < 0.2:  # a customer's word would wake a waiting ticket
                messages.append(
                    (t.id, "customer", t.customer_id, rng.choice(FOLLOW_UPS[t.lang]), None, fmt(middle), None)
                )
                room, last = room - 1, middle
        if finished:
            resolved = fmt(when.resolved)
            if room > 0 and not when.on_call and rng.random() < FINAL_SHARE[t.kind]:
                body = self._fill(rng.choice(FINAL_REPLY[t.lang][t.kind]))
                messages.append((t.id, "reply", agent, body, None, resolved, fmt(when.resolved + 4) if mail else None))
            events.append((t.id, "status", agent, resolved, '{"before": "open", "after": "resolved"}'))
            last = when.resolved
            if t.status == "closed":
                events.append((t.id, "status", agent, fmt(when.closed), '{"before": "resolved", "after": "closed"}'))
                last = when.closed
        return first_at, last

    def _weighted_template(self, lang: str, kind: str) -> tuple[str, str, str]:
        bank = self._templates[lang][kind] or self._templates["zh"][kind]
        category, subject, description, names = bank[int(self.rng.random() * len(bank))]
        if names:
            values = {name: SLOTS[name](self.rng) for name in names}
            return category, subject.format_map(values), description.format_map(values)
        return category, subject, description

    def _customer(self, lang: str) -> tuple[int, str]:
        people = self.centre.english_customers if lang == "en" else self.centre.customers
        return people[bisect.bisect(self._customer_cum[lang], self.rng.random() * self._customer_cum[lang][-1])]

    def _progress(
        self,
        ticket_id: int,
        kind: str,
        status: str,
        created: int,
        first: int | None,
        resolved: int,
        agent_id: int | None,
        rows: Rows,
    ) -> int | None:
        """Process progress of a ticket still being worked on: finished steps ticked, the current one started."""
        steps = self.centre.steps.get(kind) or []
        if not steps:
            return None
        before = sum(1 for s in steps if s.before_resolution)
        if status == "resolved":
            done, until = before, resolved
        elif first is None or agent_id is None:
            done, until = 0, created
        else:
            done, until = (self.rng.randrange(1, before) if before > 1 else 0), min(END - 60, max(first, created + 60))
        started = created
        for n, step in enumerate(steps[:done]):
            finished = created + (until - created) * (n + 1) // done
            rows.progress.append((ticket_id, step.id, self.clock(started), self.clock(finished), agent_id))
            rows.checks.extend((ticket_id, point, agent_id, self.clock(finished)) for point in step.control_points)
            started = finished
        if done < len(steps):
            rows.progress.append((ticket_id, steps[done].id, self.clock(started), None, None))
            return steps[done].id
        return None


def _compile(template: Template) -> tuple[str, str, str, tuple[str, ...]]:
    category, subject, description = template
    names = {n for text in (subject, description) for _l, n, _s, _c in string.Formatter().parse(text) if n}
    return category, subject, description, tuple(sorted(names))


# --- the database side -----------------------------------------------------------------------


class Table:
    """Bulk writer for one model: known columns from the generator, any other column its default."""

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        self.model = model
        fields = {f.name: f for f in model._meta.concrete_fields}
        self.columns = [fields[name].column for name in names]
        extra = [f for f in model._meta.concrete_fields if f.name not in names and not f.primary_key]
        self.columns += [f.column for f in extra]
        self.extra = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
        self.table = model._meta.db_table
        # Durations come as whole seconds: microseconds on SQLite, an interval on PostgreSQL.
        self.durations = [n for n, name in enumerate(names) if isinstance(fields[name], models.DurationField)]

    def _with_durations(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        postgresql = connection.vendor == "postgresql"
        for n in self.durations:
            if postgresql:
                rows = [(*row[:n], dt.timedelta(seconds=row[n]), *row[n + 1 :]) for row in rows]
            else:
                rows = [(*row[:n], row[n] * 1_000_000, *row[n + 1 :]) for row in rows]
        return rows

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.durations:
            rows = self._with_durations(rows)
        if self.extra:
            rows = [row + self.extra for row in rows]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})", rows)


def _tables() -> dict[str, Table]:
    from sqm.tickets.models import (
        ControlCheck,
        SlaEvent,
        StepProgress,
        Ticket,
        TicketClock,
        TicketEvent,
        TicketMessage,
    )

    models_by_key = {
        "tickets": Ticket,
        "messages": TicketMessage,
        "events": TicketEvent,
        "progress": StepProgress,
        "checks": ControlCheck,
        "clocks": TicketClock,
        "sla_events": SlaEvent,
    }
    return {key: Table(model, COLUMNS[key]) for key, model in models_by_key.items()}


def categories_create(actor: Any) -> dict[str, tuple[int, str]]:
    """The category tree (codes with a dot are children), each linked to the skill it needs."""
    from sqm.audit.services import audit_append
    from sqm.org.models import Skill, SkillKind
    from sqm.tickets.models import Category

    skills = dict(Skill.objects.filter(kind=SkillKind.CATEGORY).values_list("code", "pk"))
    existing = {c.code: c for c in Category.objects.all()}
    created = []
    for code, zh, en, skill in CATEGORIES:
        if code in existing:
            continue
        parent = existing.get(code.rsplit(".", 1)[0]) if "." in code else None
        existing[code] = Category.objects.create(
            code=code, name_zh=zh, name_en=en, parent=parent, skill_id=skills.get(skill)
        )
        created.append(code)
    if created:
        audit_append(
            actor=actor,
            action="import",
            object_type="tickets.category",
            object_id="demo",
            object_repr="demo category tree",
            changes={"categories": len(created), "codes": created},
        )
    return {code: (existing[code].pk, skill) for code, _zh, _en, skill in CATEGORIES}


def centre_from_db(org: Any) -> Centre:
    """Read the agents, customers and processes the demo organisation created."""
    from sqm.core.roles import Role
    from sqm.org.models import AgentSkill, StaffStatus, User
    from sqm.tickets.models import ProcessStep

    skills: dict[int, set[str]] = {}
    for user_id, kind, code in AgentSkill.objects.values_list("user_id", "skill__kind", "skill__code"):
        skills.setdefault(user_id, set()).add(f"{kind}:{code}")
    agents = []
    for user in User.objects.filter(role=Role.AGENT).select_related("profile").order_by("pk"):
        profile = getattr(user, "profile", None)
        hired = (profile.hire_date - WINDOW_START).days if profile else -1
        left = (profile.left_on - WINDOW_START).days if profile and profile.left_on else 10**6
        working = user.is_active and (profile is None or profile.status == StaffStatus.ACTIVE)
        agents.append(Agent(user.pk, user.team_id, frozenset(skills.get(user.pk, ())), hired, left, working))
    customers = list(
        User.objects.filter(role=Role.CUSTOMER, is_active=True)
        .order_by("pk")
        .values_list("pk", "display_name", "language")
    )
    steps: dict[str, list[Step]] = {}
    for step in (
        ProcessStep.objects.filter(is_active=True)
        .select_related("definition")
        .prefetch_related("control_points")
        .order_by("definition__ticket_type", "order")
    ):
        points = [p.pk for p in sorted(step.control_points.all(), key=lambda p: (p.order, p.pk))]
        steps.setdefault(step.definition.ticket_type, []).append(Step(step.pk, step.before_resolution, points))
    return Centre(
        admin_id=org.admin.pk,
        categories=categories_create(org.admin),
        customers=[(pk, name) for pk, name, lang in customers if lang != "en"]
        or [(pk, name) for pk, name, _l in customers],
        english_customers=[(pk, name) for pk, name, lang in customers if lang == "en"],
        agents=agents,
        steps=steps,
        sla=demo_sla(),
    )


def demo_sla() -> DemoSla | None:
    """The effective SLA policies, calendars and customer tiers, read once for the whole load."""
    from sqm.tickets.sla.demo_clocks import load_sla

    origin = dt.datetime.combine(WINDOW_START, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=UTC_OFFSET_HOURS)))
    return load_sla(origin, dt.timedelta(days=WINDOW_DAYS + 120), now=END)


def ids_digest(ids: Iterable[int]) -> str:
    """SHA-256 over the ticket ids of a chunk, comma-separated: what the chunk's audit entry holds."""
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def _write_chunk(tables: dict[str, Table], rows: Rows, number: int, admin: Any, search: bool = False) -> None:
    from sqm.audit.services import audit_append

    ids = [row[0] for row in rows.tickets]
    with transaction.atomic():
        for key in ROW_KINDS:
            tables[key].write(getattr(rows, key))
        if search:  # what the search triggers would have written
            subject = COLUMNS["tickets"].index("subject")
            grams = [(row[0], search_grams(row[subject], SEARCH_POSITIONS)) for row in rows.tickets]
            with connection.cursor() as cursor:
                cursor.executemany(f"INSERT INTO {SEARCH_TABLE}(rowid, grams) VALUES (%s, %s)", grams)
        audit_append(
            actor=admin,
            action="import",
            object_type="tickets.ticket",
            object_id=f"demo-chunk-{number}",
            object_repr=f"T{ids[0]:08d}–T{ids[-1]:08d}",
            changes={
                "tickets": len(ids),
                "messages": len(rows.messages),
                "events": len(rows.events),
                "step_progress": len(rows.progress),
                "control_checks": len(rows.checks),
                "sla_clocks": len(rows.clocks),
                "sla_events": len(rows.sla_events),
                "first_id": ids[0],
                "last_id": ids[-1],
                "created_from": rows.tickets[0][17],
                "created_to": rows.tickets[-1][17],
                "ids_sha256": ids_digest(ids),
            },
        )


def _availability_sync(admin: Any) -> tuple[int, int]:
    """Loads equal to each agent's active tickets; working agents on shift so new tickets find someone."""
    from sqm.audit.services import audit_append
    from sqm.core.roles import Role
    from sqm.org.models import StaffStatus, User
    from sqm.tickets.models import ACTIVE_STATUSES, AgentAvailability, Ticket

    loads = dict(
        Ticket.objects.filter(status__in=ACTIVE_STATUSES, assignee__isnull=False)
        .values_list("assignee")
        .annotate(n=Count("pk"))
        .values_list("assignee", "n")
    )
    on_shift = 0
    with transaction.atomic():
        for user in User.objects.filter(role=Role.AGENT).select_related("profile").order_by("pk"):
            working = user.is_active and getattr(getattr(user, "profile", None), "status", None) == StaffStatus.ACTIVE
            on_shift += working
            AgentAvailability.objects.update_or_create(
                user=user, defaults={"on_shift": working, "load": loads.get(user.pk, 0)}
            )
        audit_append(
            actor=admin,
            action="import",
            object_type="tickets.agentavailability",
            object_id="demo",
            object_repr="demo shifts and loads",
            changes={"agents_on_shift": on_shift, "active_tickets_assigned": sum(loads.values())},
        )
    return on_shift, sum(loads.values())


def _analyze_postgresql() -> None:
    """Fresh planner statistics for the bulk-loaded tables (autovacuum would get there, minutes later)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (*BULK_TABLES, "tickets_stepprogress"):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    from sqm.tickets.models import Ticket

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket]):
                cursor.execute(sql)


def generate(
    centre: Centre, rng: random.Random, total: int, *, first_id: int = 1, suffix: str = "", chunk: int = CHUNK_TICKETS
) -> Iterator[Rows]:
    """Yield chunks of rows (whole days, at least ``chunk`` tickets each but the last)."""
    counts = plan_days(rng, total)
    maker = Generator(centre, rng, Clock(suffix), first_id)
    rows = Rows()
    for index, count in enumerate(counts):
        maker.day(index, count, rows)
        if len(rows) >= chunk:
            yield rows
            rows = Rows()
    if len(rows):
        yield rows


def _produce(pipe: Any, centre: Centre, seed: int, total: int, first_id: int, suffix: str) -> None:
    """The producer process: generate and send each chunk (marshal: fast for tuples of str and int)."""
    for rows in generate(centre, random.Random(seed), total, first_id=first_id, suffix=suffix):
        pipe.send_bytes(marshal.dumps(tuple(getattr(rows, key) for key in ROW_KINDS)))
    pipe.send_bytes(b"")
    pipe.close()


def chunks(centre: Centre, seed: int, total: int, *, first_id: int = 1, suffix: str = "") -> Iterator[Rows]:
    """The chunks for ``seed``; big loads are generated in a forked process while this one writes.

    Both ways give the same rows: the producer is a copy of this process with the same seed.
    """
    if total < PRODUCER_FROM or "fork" not in multiprocessing.get_all_start_methods():
        yield from generate(centre, random.Random(seed), total, first_id=first_id, suffix=suffix)
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    producer = context.Process(target=_produce, args=(sender, centre, seed, total, first_id, suffix), daemon=True)
    producer.start()
    sender.close()
    try:
        while data := receiver.recv_bytes():
            yield Rows(*marshal.loads(data))
    finally:
        if producer.is_alive():
            producer.terminate()
        producer.join()
        receiver.close()
    if producer.exitcode:
        raise RuntimeError(f"the demo ticket generator failed (exit code {producer.exitcode})")


class _Phases:
    """Wall time per phase of the load, for the summary line (and bench/demo_size.py)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.spent: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.spent[name] = self.spent.get(name, 0.0) + now - self.last
        self.last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.spent.items())


@contextlib.contextmanager
def _bulk_indexes(timer: _Phases) -> Iterator[bool]:
    """On an empty SQLite database, load without the big tables' secondary indexes and build them after.

    Building an index once from sorted data is cheaper than updating fifteen of them per row. The
    search triggers (migration 0004) are set aside too: the loader then fills the search table
    itself, chunk by chunk (it yields True). Everything is restored from its own saved
    ``CREATE`` statement, also when loading fails.
    """
    from sqm.tickets.models import Ticket

    if connection.vendor != "sqlite" or Ticket.objects.exists():
        yield False
        return
    tables = BULK_TABLES
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
            tables,
        )
        saved = [row for row in cursor.fetchall() if not row[2].upper().startswith("CREATE UNIQUE")]
        for kind, name, _sql in saved:
            cursor.execute(f"DROP {kind.upper()} {connection.ops.quote_name(name)}")
    search = any(kind == "trigger" and name.startswith(SEARCH_TABLE) for kind, name, _sql in saved)
    try:
        yield search
    finally:
        timer.lap("rows")
        with connection.cursor() as cursor:
            for _kind, _name, sql in saved:
                cursor.execute(sql)
        timer.lap("indexes")


@contextlib.contextmanager
def _sqlite_tuned(timer: _Phases) -> Iterator[None]:
    """A bigger page cache and in-memory sorting while loading, then the usual settings and fresh statistics."""
    if connection.vendor != "sqlite":
        yield
        return
    outside = not connection.in_atomic_block  # SQLite changes temp_store only outside a transaction
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MB
        cursor.execute("PRAGMA threads = 2")  # the index rebuild sorts on both cores
        if outside:
            cursor.execute("PRAGMA temp_store = MEMORY")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -2000")
            cursor.execute("PRAGMA threads = 0")
            if outside:
                cursor.execute("PRAGMA temp_store = DEFAULT")
            cursor.execute("PRAGMA analysis_limit = 1000")
            cursor.execute("ANALYZE")
        timer.lap("statistics")


def load(*, rng: random.Random, shared: dict[str, Any]) -> str:
    """Add the demo's year of tickets; returns a summary. ``shared["size"]`` is normal or large;
    ``shared["tickets"]`` (a number) overrides the size, for tests."""
    from sqm.tickets.models import Ticket

    org = shared["org"]
    total = int(shared.get("tickets") or SIZES[shared.get("size") or "normal"])
    seed = rng.getrandbits(64)  # the tickets' own generator: later loaders see the same rng either way
    centre = centre_from_db(org)
    tables = _tables()
    first_id = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    suffix = "+00:00" if connection.vendor == "postgresql" else ""
    made = Counter[str]()
    timer = _Phases()
    with _sqlite_tuned(timer), _bulk_indexes(timer) as search:
        for number, rows in enumerate(chunks(centre, seed, total, first_id=first_id, suffix=suffix), start=1):
            _write_chunk(tables, rows, number, org.admin, search)
            made.update(
                tickets=len(rows.tickets),
                messages=len(rows.messages),
                events=len(rows.events),
                clocks=len(rows.clocks),
                sla_events=len(rows.sla_events),
                met=sum(1 for e in rows.sla_events if e[1] == "met"),
                on_time=sum(1 for e in rows.sla_events if e[1] == "met" and e[4]),
            )
        timer.lap("rows")
    _reset_sequences()
    _analyze_postgresql()
    timer.lap("statistics")
    on_shift, active = _availability_sync(org.admin)
    timer.lap("loads")
    return (
        f"{len(CATEGORIES)} categories, {made['tickets']:,} tickets with {made['messages']:,} messages and "
        f"{made['events']:,} events over {WINDOW_DAYS} days; {made['clocks']:,} SLA clocks with "
        f"{made['sla_events']:,} SLA events ({made['on_time'] / max(made['met'], 1):.1%} of targets met on time); "
        f"{active:,} active tickets with {on_shift} agents on shift [{timer}]"
    )
