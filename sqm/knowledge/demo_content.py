"""The demo knowledge base of a telecom and broadband service centre, written for SQM.

Categories: (code, parent code, Chinese name, English name). Articles: (kind, category code,
language, title, tags, body, status). Everything here was written for this project.
"""

from __future__ import annotations

A, C = "article", "case"
PUB, DRAFT, RETIRED = "published", "draft", "retired"

CATEGORIES = (
    ("billing", None, "账单与资费", "Billing & tariffs"),
    ("billing-query", "billing", "账单查询", "Bills and invoices"),
    ("billing-refund", "billing", "退费与争议", "Refunds and disputes"),
    ("broadband", None, "宽带业务", "Broadband"),
    ("broadband-fault", "broadband", "宽带故障", "Broadband faults"),
    ("broadband-install", "broadband", "装机与移机", "Installation and moves"),
    ("mobile", None, "移动业务", "Mobile services"),
    ("mobile-plans", "mobile", "套餐与流量", "Plans and data"),
    ("mobile-roaming", "mobile", "漫游与携转", "Roaming and number porting"),
    ("account", None, "账户管理", "Account management"),
    ("value-added", None, "增值业务", "Value-added services"),
    ("complaints", None, "投诉处理", "Complaint handling"),
    ("service-standards", "complaints", "服务规范与话术", "Service standards and scripts"),
)

ARTICLES: tuple[tuple[str, str, str, str, tuple[str, ...], str, str], ...] = (
    # --- billing ------------------------------------------------------------------------------
    (
        A,
        "billing-query",
        "zh",
        "如何查询本月账单与历史账单",
        ("账单", "查询", "话费"),
        """
客户可以通过以下渠道查询账单：
- 手机营业厅APP：首页 › 费用 › 账单查询，可查近6个月明细；
- 发送短信“CXZD”到10001，回复本月实时话费；
- 携带有效身份证件到营业厅打印近一年的详单。

# 答复要点
1. 先核实机主身份（服务密码或短信验证码）。
2. 说明账单周期为自然月，月初3日内出上月账单。
3. 客户对某项费用有疑问时，引导查看详单，并告知可申请费用核查。
""",
        PUB,
    ),
    (
        A,
        "billing-query",
        "zh",
        "话费余额不足提醒与自动充值设置",
        ("话费", "余额", "充值", "提醒"),
        """
余额低于10元时系统会发送短信提醒；低于0元后进入信用额度，超出信用额度会停机。

客户可在APP“充值 › 自动充值”中设置：余额低于设定金额时，从绑定的银行卡或支付账户自动充值。

# 常见问题
- 没收到提醒：检查是否退订了“余额提醒”短信，或短信被手机拦截软件屏蔽。
- 自动充值失败：多为绑定卡余额不足或支付协议过期，请客户重新签约。
""",
        PUB,
    ),
    (
        A,
        "billing-query",
        "zh",
        "账单中“套餐外流量费”的计算方式",
        ("流量", "套餐外", "资费", "账单"),
        """
套餐内流量用完后，国内流量按3元/GB计费，当日不足1GB按实际使用量折算，单日封顶10元。

月累计套餐外流量费达到100元时，系统自动发送提醒并询问是否订购流量包；达到上限后限速至128kbps，避免产生高额费用。

向客户解释时，请同时推荐合适的流量包或升档套餐，并说明流量包当月有效、不可结转。
""",
        PUB,
    ),
    (
        A,
        "billing-query",
        "zh",
        "欠费停机与复机规则",
        ("欠费", "停机", "复机"),
        """
# 停机规则
- 余额低于0且超出信用额度：先单向停机（只能接听），3天后双向停机；
- 停机满90天仍未缴费：进入预销户，号码保留30天。

# 复机办理
1. 客户缴清欠费后，系统一般在30分钟内自动复机；
2. 超过1小时仍未恢复，可在工单系统提交“复机异常”，由后台手工复机；
3. 预销户状态的号码需本人携带身份证到营业厅办理。

告知客户：复机不收取复机费。
""",
        PUB,
    ),
    (
        A,
        "billing-query",
        "zh",
        "电子发票开具与下载",
        ("发票", "电子发票", "账单"),
        """
电子发票在每月5日后可开具上月发票。

办理方式：APP › 我的 › 发票管理，选择月份和抬头（个人或企业），填写接收邮箱。企业抬头需要填写税号。

# 注意事项
- 充值发票与月结发票只能二选一，避免重复开票；
- 已开具的发票如需换抬头，先申请红冲，再重新开具；
- 客户收不到邮件时，请其检查垃圾邮件箱，也可在APP中直接下载PDF。
""",
        PUB,
    ),
    (
        A,
        "billing-refund",
        "zh",
        "话费退费办理流程",
        ("退费", "话费", "退款"),
        """
适用情形：系统计费错误、重复扣费、业务未开通却收费、经核实属于我方责任的费用争议。

# 办理步骤
1. 受理：记录客户号码、争议费用、发生月份，建立工单（类型：投诉或咨询）；
2. 核查：调取详单和业务订购记录，24小时内给出核查结论；
3. 审批：单笔退费200元以内由班组长审批，超过200元需质量经理审批；
4. 退费：原路退回话费账户，或按客户要求退回原支付账户（3至7个工作日到账）；
5. 回访：退费完成后48小时内回访，确认客户收到。

退费原因必须在工单中写清楚，便于质检和问题追溯。
""",
        PUB,
    ),
    (
        A,
        "billing-refund",
        "zh",
        "多扣费、重复扣费的核查与退费",
        ("重复扣费", "扣费", "退费", "核查"),
        """
重复扣费多发生在支付渠道超时后客户再次支付，或自动充值与手动充值同时发生。

# 核查方法
- 对比支付流水号：同一笔订单两次成功扣款即为重复扣费；
- 查询充值记录：话费账户是否两次到账；
- 如只扣款未到账（掉单），提交支付对账，1个工作日内补充到账或退款。

确认重复扣费后按“话费退费办理流程”退回原支付账户，并向客户道歉。
""",
        PUB,
    ),
    (
        A,
        "billing-refund",
        "zh",
        "增值业务误订扣费的退费处理",
        ("增值业务", "退订", "扣费", "退费"),
        """
客户反映“从未订购却被扣费”时：

1. 查询订购记录：订购时间、渠道（短信、网页、第三方）、二次确认记录；
2. 立即为客户退订，告知次月起不再收费；
3. 无二次确认记录或渠道违规的，全额退还已扣费用；
4. 有二次确认记录的，向客户出示证据并解释，可视情况退还当月费用作为关怀。

同时把违规渠道反馈给增值业务管理部门，避免同类投诉再次发生。
""",
        PUB,
    ),
    (
        A,
        "billing-refund",
        "zh",
        "预存话费赠送活动的退费规则",
        ("退费", "预存", "活动"),
        """
参加“预存送话费”活动的客户申请退费时：
- 赠送部分不予退还；
- 活动期内提前销户，需扣回已使用的赠送金额后退还剩余预存款；
- 活动到期后销户，剩余预存款全额退还。

（待补充：与合约机活动叠加时的计算示例。）
""",
        DRAFT,
    ),
    (
        A,
        "billing-refund",
        "zh",
        "宽带包年费用提前终止的退费计算",
        ("宽带", "包年", "退费", "销户"),
        """
客户包年期内申请拆机，按以下公式计算退费：

退费金额 = 包年费用 − 已使用月数 × 对应月租标准价 − 未归还设备费用

# 说明
- 已使用不足一个月按一个月计算；
- 光猫、机顶盒等设备需归还，未归还的按设备价格扣除；
- 因我方原因（如无法移机、长期故障）导致拆机的，按实际使用天数折算，不收标准价差额。
""",
        PUB,
    ),
    # --- broadband ----------------------------------------------------------------------------
    (
        A,
        "broadband-fault",
        "zh",
        "宽带断网自助排查步骤",
        ("宽带", "断网", "光猫", "路由器"),
        """
客户来电反映宽带断网时，请先引导客户完成以下排查：

1. 看光猫指示灯：PON灯常亮、LOS灯不亮为正常；LOS红灯闪烁说明光纤信号中断；
2. 重启光猫和路由器：断电30秒后依次通电，先光猫后路由器；
3. 用网线把电脑直接连光猫，判断是路由器问题还是线路问题；
4. 查询账号状态：是否欠费停机、是否到期未续费；
5. 查询区域故障：系统中是否有该小区的批量故障公告。

以上都正常仍无法上网的，建立故障报修工单，预约装维上门。
""",
        PUB,
    ),
    (
        A,
        "broadband-fault",
        "zh",
        "光猫LOS红灯闪烁的处理",
        ("光猫", "LOS", "断网", "光纤"),
        """
LOS灯红色闪烁表示光猫没有收到光信号，常见原因：
- 室内光纤被弯折、挤压或拔出；
- 楼道分光箱故障；
- 小区光缆被挖断（通常会有批量报障）。

# 处理
1. 请客户检查光纤接头是否松动，光纤有无明显弯折；
2. 查询是否有区域故障，有则告知预计恢复时间；
3. 单户故障立即派修，装维24小时内上门。

LOS灯问题客户无法自行修复，不要让客户反复重启设备。
""",
        PUB,
    ),
    (
        A,
        "broadband-fault",
        "zh",
        "宽带网速慢的原因与排查",
        ("宽带", "网速", "网速慢", "WiFi"),
        """
网速慢多数不是线路问题，请先区分有线和无线：

1. 电脑用网线直连光猫测速（测速网站或APP），达到签约速率80%以上即为线路正常；
2. 有线正常、无线慢：多为WiFi信号弱、信道干扰或路由器性能不足；
3. 高峰时段（晚上8点至11点）个别网站慢：可能是对方服务器或跨网访问问题；
4. 有线测速也明显偏低：建立故障工单，后台检测端口和光功率。

向客户说明：WiFi 2.4G 频段穿墙好但速度低，5G 频段速度高但穿墙差。
""",
        PUB,
    ),
    (
        A,
        "broadband-fault",
        "zh",
        "WiFi信号弱、覆盖不好的改善建议",
        ("WiFi", "路由器", "信号", "网速"),
        """
- 路由器放在房屋中央、离地1米以上，远离微波炉和承重墙；
- 大户型或复式建议使用Mesh组网，可办理“全屋WiFi”增值服务；
- 连接设备超过20台时，建议更换千兆双频路由器；
- 定期重启路由器，并升级固件。

客户办理全屋WiFi后，装维会上门测绘并调整放置位置。
""",
        PUB,
    ),
    (
        A,
        "broadband-fault",
        "zh",
        "宽带账号密码重置",
        ("宽带账号", "密码", "重置"),
        """
宽带拨号密码忘记或被修改时：
1. 核实机主身份（身份证后六位加服务密码）；
2. 在系统中重置为随机密码，通过短信发送到登记手机号；
3. 提醒客户在路由器的PPPoE设置中更新密码，否则仍无法上网。

如客户不会设置路由器，可预约装维上门或远程协助。
""",
        PUB,
    ),
    (
        A,
        "broadband-install",
        "zh",
        "宽带新装受理流程与装机时限",
        ("宽带", "装机", "新装", "时限"),
        """
# 受理
1. 核实安装地址是否有资源覆盖（系统查询，无资源的登记预约并告知客户）；
2. 与客户确认套餐、速率、合约期和上门时间；
3. 生成装机工单，短信告知客户工单号和装维联系方式。

# 时限
- 城区：受理后48小时内完成装机；
- 郊区和新建小区：72小时内完成；
- 超时未装的，班组长跟进并主动致电客户说明原因。
""",
        PUB,
    ),
    (
        A,
        "broadband-install",
        "zh",
        "宽带移机办理",
        ("宽带", "移机", "搬家"),
        """
客户搬家需要移机时：
1. 查询新地址资源；有资源的同城移机免费，每年一次；
2. 预约拆机和新址装机时间，尽量安排同一天完成，减少断网时间；
3. 新地址无资源的，可办理暂停或按合约规则拆机（不收违约金）。

移机工单要写清新旧地址和客户联系电话，避免装维跑空。
""",
        PUB,
    ),
    (
        A,
        "broadband-fault",
        "zh",
        "宽带报修工单派发与上门时限",
        ("报修", "宽带", "故障", "时限"),
        """
- 故障工单受理后10分钟内派发到装维班组；
- 装维2小时内联系客户预约，24小时内上门修复；
- 区域性故障以故障公告为准，客服需主动告知预计恢复时间；
- 工单关闭前必须回访客户，确认已恢复上网。

修复超时的工单系统会预警，班组长需要当日协调资源处理。
""",
        PUB,
    ),
    (
        A,
        "broadband-install",
        "zh",
        "宽带到期续费与自动续约",
        ("宽带", "续费", "包年", "到期"),
        """
宽带到期前30天和7天，系统会短信提醒客户续费。

- 客户可在APP或营业厅续费包年，也可转为按月付费；
- 开通“自动续约”的，到期后按原资费自动续订一年；
- 到期未续费的，宽带会在到期次日停止服务，续费后30分钟内恢复。
""",
        PUB,
    ),
    (
        A,
        "broadband-fault",
        "zh",
        "IPTV机顶盒无信号处理",
        ("IPTV", "机顶盒", "信号", "电视"),
        """
1. 确认电视信号源选择正确（HDMI或AV）；
2. 检查机顶盒网线是否接在光猫的IPTV专用口（一般为LAN2或标注iTV的口）；
3. 重启机顶盒和光猫；
4. 机顶盒提示“认证失败”的，核查IPTV业务状态和账号绑定；
5. 仍无法解决的，建立故障工单派修。
""",
        PUB,
    ),
    (
        A,
        "broadband",
        "zh",
        "2022年冬季宽带免费提速活动说明",
        ("宽带", "提速", "活动"),
        """
活动期间（2022年12月1日至2023年2月28日），百兆宽带客户可免费提速至300M。

活动已结束，客户咨询时请说明可办理融合套餐获得更高速率。
""",
        RETIRED,
    ),
    # --- mobile -------------------------------------------------------------------------------
    (
        A,
        "mobile-plans",
        "zh",
        "5G套餐介绍与办理条件",
        ("5G", "套餐", "办理"),
        """
在售5G套餐分为三档：
- 5G畅享129元：国内流量40GB，通话500分钟；
- 5G畅享199元：国内流量80GB，通话1000分钟，含副卡1张；
- 5G畅享299元：国内流量150GB，通话2000分钟，含副卡2张。

办理条件：手机需支持5G网络，号码为实名制状态且无欠费。新套餐次月1日生效，当月按原套餐计费。
""",
        PUB,
    ),
    (
        A,
        "mobile-plans",
        "zh",
        "套餐变更（升档、降档）规则",
        ("套餐", "变更", "升档", "降档"),
        """
- 升档：可选择立即生效（当月按新旧套餐天数折算）或次月生效；
- 降档：只能次月生效；
- 合约期内降档：不得低于合约约定的最低消费档位；
- 每月只能变更一次套餐。

客户反映降档后仍按原套餐扣费时，先核查变更生效日期，再按“话费退费办理流程”处理。
""",
        PUB,
    ),
    (
        A,
        "mobile-plans",
        "zh",
        "流量包订购与叠加规则",
        ("流量包", "流量", "订购"),
        """
- 日包：1元1GB，当日有效；
- 月包：10元5GB、20元15GB，当月有效，不可结转；
- 多个流量包可以叠加，使用顺序为：日包 → 月包 → 套餐内流量；
- 流量包订购后不可退订，当月有效期结束自动失效。

推荐流量包前先查询客户近三个月的流量使用情况。
""",
        PUB,
    ),
    (
        A,
        "mobile-plans",
        "zh",
        "流量超出后限速说明",
        ("流量", "限速", "网速"),
        """
套餐内流量（含流量包）用完后：
- 不限量套餐：超过阈值后限速至1Mbps，次月1日恢复；
- 普通套餐：按套餐外资费计费，单月套餐外流量费达到上限后限速至128kbps。

客户反映“网速突然变慢”时，先查询当月流量使用情况，确认是否已触发限速，再排查网络问题。
""",
        PUB,
    ),
    (
        A,
        "mobile-roaming",
        "zh",
        "国际漫游开通与资费",
        ("国际漫游", "漫游", "出国", "流量"),
        """
# 开通
- 实名制号码默认已开通国际漫游；部分客户（如信用额度低）需致电开通；
- 出行前建议订购目的地的流量日包（25元/天起），避免按标准资费计费。

# 资费提醒
- 未订购流量包时，漫游数据按标准资费计费，费用较高；
- 漫游流量费达到500元时系统会暂停数据服务并短信提醒；
- 客户可以在APP中随时查询漫游费用。
""",
        PUB,
    ),
    (
        A,
        "mobile-roaming",
        "zh",
        "携号转网办理条件与流程",
        ("携号转网", "转网", "号码"),
        """
# 办理条件
- 号码已实名登记，且为正常使用状态；
- 无欠费，无在约的合约（如合约机、预存赠送活动）；
- 入网满120天。

# 流程
1. 客户发送短信“CXXZ#姓名#证件号”到10086（以本地运营商规则为准）查询资格；
2. 满足条件后获取授权码，到新运营商营业厅办理；
3. 转网成功后，原号码剩余话费可退还。

不满足条件的，要清楚告诉客户具体原因和解决办法。
""",
        PUB,
    ),
    (
        A,
        "mobile",
        "zh",
        "手机无信号、通话中断的排查",
        ("信号", "通话", "掉线", "无信号"),
        """
1. 确认是否只在某个地点出现（地下室、电梯等弱覆盖区域）；
2. 让客户重启手机、开关飞行模式；
3. 取出SIM卡擦拭后重新插入，或换一部手机测试；
4. 查询号码状态（欠费、停机、挂失）；
5. 固定地点长期信号差的，建立网络投诉工单，注明详细地址和时间段，转网络优化部门。
""",
        PUB,
    ),
    (
        A,
        "mobile-plans",
        "zh",
        "副卡办理与共享流量",
        ("副卡", "主卡", "共享", "流量"),
        """
- 主卡套餐支持的副卡数量见套餐说明，超出部分每张10元/月；
- 副卡共享主卡的流量和通话分钟数，短信不共享；
- 主卡停机时副卡同时停机；
- 副卡可以在营业厅办理，也可在APP中在线申请，快递送卡上门。
""",
        PUB,
    ),
    (
        A,
        "mobile",
        "zh",
        "补换SIM卡办理",
        ("补换卡", "SIM卡", "挂失"),
        """
# 手机丢失
1. 立即为客户办理挂失（核实服务密码或身份证信息）；
2. 客户本人携带身份证到营业厅补卡，补卡费免收；
3. 补卡后原卡作废，通讯录等需客户自行恢复。

# 卡损坏或换5G卡
携带身份证和原卡到营业厅免费更换。委托他人办理的，需要机主和代办人的身份证原件。
""",
        PUB,
    ),
    # --- account ------------------------------------------------------------------------------
    (
        A,
        "account",
        "zh",
        "实名认证失败的常见原因",
        ("实名", "实名制", "认证"),
        """
- 身份证照片模糊、反光或被遮挡；
- 人脸识别时光线不足，或佩戴口罩、眼镜；
- 证件已过期；
- 同一证件在本运营商名下已有5个号码（达到上限）。

请客户按提示重新拍摄；多次失败的，引导到营业厅人工办理。
""",
        PUB,
    ),
    (
        A,
        "account",
        "zh",
        "过户办理所需材料",
        ("过户", "账户", "材料"),
        """
过户需要原机主和新机主同时到营业厅，携带：
- 双方身份证原件；
- 原机主的服务密码（或现场短信验证）；
- 企业号码过户需要单位证明和公章。

过户前原号码需结清欠费；合约期内的合约一并转移给新机主。
""",
        PUB,
    ),
    (
        A,
        "account",
        "zh",
        "销户办理流程与注意事项",
        ("销户", "账户", "退费", "预存"),
        """
1. 机主本人携带身份证到营业厅办理（不支持电话销户）；
2. 结清当月话费和欠费；
3. 合约期内销户需按合约支付违约金；
4. 剩余预存话费在销户后30个工作日内退还；
5. 提醒客户先解绑银行卡、支付账户、社交软件等与手机号关联的账号。
""",
        PUB,
    ),
    (
        A,
        "account",
        "zh",
        "修改和重置服务密码",
        ("密码", "服务密码", "重置"),
        """
- 知道原密码：APP或短信即可修改；
- 忘记密码：APP中通过人脸识别重置，或本人携带身份证到营业厅重置；
- 服务密码为6位数字，不能为连续或相同数字。

客服人员不得在电话中询问或记录客户的完整服务密码。
""",
        PUB,
    ),
    (
        A,
        "account",
        "zh",
        "账户被盗用、异常扣费的紧急处理",
        ("盗用", "异常扣费", "安全", "挂失"),
        """
客户反映号码被盗用（如收到陌生验证码、有不明消费）时：
1. 立即协助挂失或临时停机，避免损失扩大；
2. 重置服务密码，关闭小额支付功能；
3. 查询近期订购和消费记录，异常部分建立工单核查退费；
4. 涉及诈骗的，提醒客户报警（110）并保留证据。
""",
        PUB,
    ),
    (
        A,
        "account",
        "zh",
        "亲情号业务办理",
        ("亲情号", "通话", "优惠"),
        """
- 可设置3个亲情号码，本网亲情号之间通话免费；
- 每月只能修改一次亲情号，次月生效；
- 月功能费5元，部分套餐已包含。
""",
        PUB,
    ),
    # --- value-added --------------------------------------------------------------------------
    (
        A,
        "value-added",
        "zh",
        "查询和退订增值业务",
        ("增值业务", "退订", "查询"),
        """
- 发送短信“0000”到10086，可查询并按提示退订已订购的业务；
- APP › 我的 › 已订业务，可一键退订；
- 退订后次月生效，当月已扣费用不退（误订的按“增值业务误订扣费的退费处理”办理）。
""",
        PUB,
    ),
    (
        A,
        "value-added",
        "zh",
        "短信验证码收不到的处理",
        ("验证码", "短信", "拦截"),
        """
1. 确认号码状态正常、未欠费停机；
2. 检查手机是否开启了短信拦截或骚扰拦截；
3. 让客户重启手机，检查短信收件箱是否已满；
4. 后台查询短信网关下发记录：有下发记录的说明问题在手机端，没有记录的请客户联系发送方。
""",
        PUB,
    ),
    (
        A,
        "value-added",
        "zh",
        "积分查询与兑换",
        ("积分", "兑换", "查询"),
        """
- 积分按每消费1元积1分累计，每年12月31日清零上上年度积分；
- 可在APP“积分商城”兑换话费、流量和实物礼品；
- 兑换的话费和流量不可退，实物礼品7天内可退换。
""",
        PUB,
    ),
    # --- complaints & standards ---------------------------------------------------------------
    (
        A,
        "complaints",
        "zh",
        "投诉受理规范（首问负责制）",
        ("投诉", "首问负责制", "受理"),
        """
第一个接触投诉的员工为首问责任人，负责跟踪直到投诉关闭，即使工作转交给其他班组。

# 受理要求
1. 耐心倾听，不打断客户，完整记录诉求；
2. 复述客户的问题，确认理解一致；
3. 告知处理时限和下一步安排；
4. 能当场解决的当场解决，不能解决的建立投诉工单，不得推诿。

禁止以“这不归我们管”“你去找某某部门”之类的话语拒绝客户。
""",
        PUB,
    ),
    (
        A,
        "complaints",
        "zh",
        "投诉处理时限：1小时响应、24小时解决",
        ("投诉", "时限", "响应", "解决"),
        """
- 投诉工单须在1小时内首次响应客户（电话或短信）；
- 24小时内给出解决方案或处理结果；
- 确实无法在24小时内解决的，要向客户说明原因和预计时间，并报班组长；
- 超时的投诉系统自动预警并升级。

处理结果要征得客户认可后才能关闭工单。
""",
        PUB,
    ),
    (
        A,
        "service-standards",
        "zh",
        "客户情绪安抚话术",
        ("话术", "安抚", "投诉", "情绪"),
        """
- 共情：“非常理解您的心情，遇到这样的情况确实让人着急。”
- 致歉：“给您带来不便，真的很抱歉。”
- 承诺：“我会马上为您核查，××分钟内给您回复。”
- 跟进：“您看这样处理可以吗？还有其他需要我帮您的吗？”

避免：与客户争辩、使用专业术语不解释、随意承诺无法做到的事。
""",
        PUB,
    ),
    (
        A,
        "complaints",
        "zh",
        "越级投诉（工信部/12300）处理流程",
        ("越级投诉", "工信部", "12300", "投诉"),
        """
1. 收到申诉转办单后，2小时内联系客户；
2. 由投诉处理组资深专员负责，质量经理督办；
3. 48小时内提出处理方案，形成书面回复；
4. 处理结果按要求在时限内回复管理部门；
5. 分析根本原因，纳入问题登记和整改。
""",
        PUB,
    ),
    (
        A,
        "complaints",
        "zh",
        "投诉回访规范",
        ("回访", "投诉", "满意度"),
        """
- 投诉关闭后48小时内完成回访；
- 回访内容：问题是否已解决、对处理结果是否满意、对服务态度的评价；
- 客户表示不满意的，重新打开工单并升级到班组长；
- 回访无人接听的，间隔2小时以上再拨，共3次，仍联系不上的发短信说明。
""",
        PUB,
    ),
    (
        A,
        "service-standards",
        "zh",
        "服务用语规范与禁语",
        ("服务用语", "禁语", "话术", "规范"),
        """
# 规范用语
- 开头：“您好，很高兴为您服务，请问有什么可以帮您？”
- 结束：“感谢您的来电，祝您生活愉快，再见。”

# 服务禁语
- “不知道”“不归我管”“你自己看着办”
- “我已经说过了”“你听清楚”
- 任何讽刺、指责、不耐烦的语气
""",
        PUB,
    ),
    (
        A,
        "complaints",
        "zh",
        "群体性投诉与重大故障的应急处置",
        ("应急", "群体投诉", "重大故障", "预案"),
        """
出现同一原因的批量投诉（30分钟内同一小区或同一业务超过20单）时：
1. 值班班组长确认后，在系统中发布故障公告，统一答复口径；
2. 启动应急预案，报告质量经理，必要时成立专项小组；
3. 开通语音导航提示，减少重复来电；
4. 故障恢复后批量回访，评估是否需要补偿。
""",
        PUB,
    ),
    # --- solved cases -------------------------------------------------------------------------
    (
        C,
        "broadband-fault",
        "zh",
        "小区光缆被挖断导致大面积宽带断网",
        ("宽带", "断网", "光缆", "批量故障"),
        """
# 问题现象
某小区上午10点起陆续有40多户来电反映宽带断网，光猫LOS灯红色闪烁。

# 处理过程
- 首个来电后客服查询到同一分光箱下多户报障，立即上报班组长；
- 班组长确认为市政施工挖断光缆，发布故障公告并启动批量故障流程；
- 客服统一答复“预计18点前恢复”，并登记客户电话用于恢复后通知。

# 解决方案
抢修队熔接光缆后17点恢复。次日批量回访，对断网超过6小时的客户按日折算减免月租。

# 经验
同一地址短时间多次报障要第一时间判断为区域故障，避免逐户派修。
""",
        PUB,
    ),
    (
        C,
        "mobile-roaming",
        "zh",
        "出国未订流量包产生高额漫游费，协商减免",
        ("国际漫游", "漫游", "流量", "退费", "高额"),
        """
# 问题现象
客户出国旅游3天，回国后发现漫游流量费1200多元，认为不合理并投诉。

# 处理过程
- 核查详单：客户未订购漫游流量包，按标准资费计费；
- 系统在费用达到500元时发送过提醒短信，但客户手机当时关机未收到。

# 解决方案
按“目的地流量日包”标准重新计费（3天共75元），差额作为一次性关怀退还到话费账户，经质量经理审批。

# 经验
出国前提醒客户订购漫游流量包；受理时先核查提醒短信是否发送成功。
""",
        PUB,
    ),
    (
        C,
        "billing-refund",
        "zh",
        "被诱导订购SP增值业务，全额退费",
        ("增值业务", "退订", "退费", "扣费"),
        """
# 问题现象
老年客户连续3个月每月被扣15元“影视会员”费用，客户表示从未订购。

# 处理过程
- 查询订购记录：订购渠道为某网页弹窗，没有二次确认短信记录；
- 立即退订该业务，关闭客户号码的增值业务订购功能。

# 解决方案
全额退还3个月费用共45元，并把违规渠道提交给增值业务管理部门处理。

# 经验
老年客户的“不明扣费”优先查增值业务订购记录；可建议客户开通“增值业务防护”。
""",
        PUB,
    ),
    (
        C,
        "broadband-fault",
        "zh",
        "光猫老化频繁掉线，更换光猫后解决",
        ("光猫", "掉线", "宽带", "更换"),
        """
# 问题现象
客户一周内报修3次，反映宽带每天掉线多次，每次重启光猫后恢复。

# 处理过程
- 前两次上门检测光功率正常，未发现问题；
- 第三次工单由班组长跟进，查看光猫日志发现设备频繁重启，光猫已使用6年。

# 解决方案
免费更换新型号光猫，之后连续观察一周未再掉线。

# 经验
同一客户多次报修同类问题时要升级处理，不要简单重复派修；使用超过5年的光猫优先考虑更换。
""",
        PUB,
    ),
    (
        C,
        "mobile-roaming",
        "zh",
        "携号转网因合约期未满被拒，协助了解解约方式",
        ("携号转网", "合约", "转网"),
        """
# 问题现象
客户申请携号转网被拒，认为运营商故意阻挠，情绪激动。

# 处理过程
查询发现客户参加了“存费送机”活动，合约期还有5个月。

# 解决方案
向客户解释转网被拒的具体原因，说明两种选择：等待合约期满后转网，或按合约支付违约金后立即转网，并书面列出违约金金额。客户选择合约期满后办理，接受解释。

# 经验
转网被拒要明确告诉客户具体是哪一项条件不满足，避免被认为是“阻挠转网”。
""",
        PUB,
    ),
    (
        C,
        "mobile-plans",
        "zh",
        "套餐降档后仍按原套餐扣费",
        ("套餐", "降档", "扣费", "退费"),
        """
# 问题现象
客户上月申请从199元降档到129元，本月仍被扣199元。

# 处理过程
查询变更记录：受理时生效时间被误选为“下下月”。

# 解决方案
修改生效时间，退还差价70元，并向客户道歉。质检时把该工单作为案例，提醒受理人员核对生效时间。

# 经验
套餐变更受理结束前，要向客户复述新套餐名称和生效日期。
""",
        PUB,
    ),
    (
        C,
        "billing-query",
        "zh",
        "老人手机欠费停机未收到提醒",
        ("欠费", "停机", "复机", "提醒"),
        """
# 问题现象
子女投诉父亲手机突然停机，联系不上老人，认为没有提前提醒。

# 处理过程
- 查询发现余额提醒短信已发送，但老人不会查看短信；
- 客户当场缴费后，系统30分钟内自动复机。

# 解决方案
为该号码设置“代付提醒”，余额不足时同时提醒子女号码，并建议开通自动充值。

# 经验
老年客户可推荐“亲情代付”和自动充值，避免因欠费停机影响联系。
""",
        PUB,
    ),
    (
        C,
        "broadband-install",
        "zh",
        "宽带移机超期未完成，升级处理",
        ("移机", "宽带", "超时", "投诉"),
        """
# 问题现象
客户搬家申请移机已7天仍未装好，多次来电催促无果，投诉到工信部。

# 处理过程
- 首问责任人查看工单，发现新地址所在楼栋分光箱端口已满，工单一直挂起无人跟进；
- 升级到班组长和装维主管，协调扩容分光箱。

# 解决方案
第二天完成扩容和装机，减免一个月宽带费，并向客户书面致歉。

# 经验
工单挂起要有明确的责任人和时限；资源不足时要主动告知客户，而不是让客户反复催促。
""",
        PUB,
    ),
    (
        C,
        "billing-refund",
        "zh",
        "支付超时导致重复扣款，原路退回",
        ("重复扣费", "支付", "退费", "充值"),
        """
# 问题现象
客户通过APP充值100元，页面提示超时，客户再次充值，银行卡被扣两次200元，话费只到账100元。

# 处理过程
提交支付对账，确认第一笔扣款因网关超时未通知到账。

# 解决方案
第一笔100元1个工作日内原路退回银行卡，短信通知客户。

# 经验
支付超时时提醒客户先查询扣款和到账记录，不要马上重复支付。
""",
        PUB,
    ),
    (
        C,
        "broadband-fault",
        "zh",
        "路由器DNS被篡改导致部分网站打不开",
        ("路由器", "DNS", "宽带", "网站"),
        """
# 问题现象
客户反映能上微信，但部分网站打不开或跳转到广告页面。

# 处理过程
远程协助检查路由器设置，发现DNS被改为陌生地址，路由器管理密码仍为默认密码。

# 解决方案
把DNS改回自动获取，重置路由器管理密码并升级固件，问题解决。

# 经验
“部分网站打不开”时先检查DNS；提醒客户修改路由器默认管理密码。
""",
        PUB,
    ),
    (
        C,
        "account",
        "zh",
        "实名信息不一致导致无法补卡",
        ("实名", "补换卡", "身份证"),
        """
# 问题现象
客户到营业厅补卡被拒，系统提示证件信息与登记信息不一致。

# 处理过程
核查发现号码是多年前办理，登记的是旧版15位身份证号码。

# 解决方案
客户提供户籍证明后，营业厅核实身份并更新为18位身份证号码，当场完成补卡。

# 经验
老号码实名信息可能不规范，遇到不一致先核查是否为旧证件号码。
""",
        PUB,
    ),
    (
        C,
        "account",
        "zh",
        "销户时要求退还剩余预存话费",
        ("销户", "退费", "预存", "话费"),
        """
# 问题现象
客户出国定居办理销户，要求退还账户剩余的326元话费。

# 处理过程
核实剩余话费中有100元为活动赠送，不可退还。

# 解决方案
向客户解释赠送部分的规则，退还226元到客户指定的银行账户（30个工作日内到账）。

# 经验
销户退费时把可退和不可退的金额分别列出来，说明依据，客户更容易接受。
""",
        PUB,
    ),
    (
        C,
        "complaints",
        "zh",
        "装维人员迟到引发投诉，赔礼并赠送流量",
        ("装维", "迟到", "投诉", "补偿"),
        """
# 问题现象
客户请假在家等待装机，装维人员迟到3小时且未提前通知，客户投诉。

# 处理过程
首问责任人核实装维当天工单过多、路线安排不合理，也没有按规定提前电话告知。

# 解决方案
装维主管上门致歉并完成装机，赠送客户10GB流量作为补偿。装维班组调整排班规则。

# 经验
上门时间有变化必须提前30分钟电话告知客户；投诉处理要同时推动内部改进。
""",
        PUB,
    ),
    (
        C,
        "broadband-fault",
        "zh",
        "IPTV晚间卡顿，组播配置问题",
        ("IPTV", "卡顿", "机顶盒", "组播"),
        """
# 问题现象
同一小区多户反映晚上看电视直播卡顿，点播正常。

# 处理过程
网络部门检测发现该小区汇聚交换机组播配置错误，高峰时段组播流量被限速。

# 解决方案
修正交换机组播配置后恢复正常，对受影响客户批量回访。

# 经验
“直播卡、点播不卡”多为组播问题，应转网络部门处理而不是逐户更换机顶盒。
""",
        PUB,
    ),
    (
        C,
        "value-added",
        "zh",
        "验证码短信被拦截软件屏蔽",
        ("验证码", "短信", "拦截"),
        """
# 问题现象
客户反映银行验证码一直收不到，怀疑号码有问题。

# 处理过程
后台查询短信网关显示短信已成功下发；请客户查看手机安全软件的拦截记录，发现短信被误判为垃圾短信。

# 解决方案
指导客户把发送号码加入白名单，问题解决。

# 经验
有下发记录的验证码问题，优先检查手机端拦截设置。
""",
        PUB,
    ),
    # --- English ----------------------------------------------------------------------------
    (
        A,
        "billing-query",
        "en",
        "How to read your monthly bill",
        ("bill", "billing", "charges"),
        """
Your bill covers one calendar month and is ready by the 3rd of the following month.

- Plan fee: the monthly fee of your mobile or broadband plan;
- Usage outside the plan: extra data, calls or roaming;
- Value-added services: subscriptions such as video or music packs;
- Discounts and credits: promotions and refunds.

Customers can see itemised usage in the app under Bills, or ask for a printed statement at any store.
""",
        PUB,
    ),
    (
        A,
        "billing-refund",
        "en",
        "Requesting a refund for an overcharge",
        ("refund", "overcharge", "billing", "dispute"),
        """
When a customer reports an overcharge:

1. Verify the account holder (service PIN or SMS code);
2. Open a ticket with the number, the disputed amount and the month;
3. Check the itemised bill and order records within 24 hours;
4. Refunds up to 200 are approved by the team lead, larger ones by the quality manager;
5. Refund to the prepaid balance or back to the original payment method (3 to 7 working days);
6. Call the customer back within 48 hours to confirm the refund arrived.
""",
        PUB,
    ),
    (
        A,
        "broadband-fault",
        "en",
        "Broadband outage: self-service checklist",
        ("broadband", "outage", "modem", "router"),
        """
Walk the customer through these checks before booking an engineer:

1. Look at the fibre modem lights: PON steady and LOS off is normal; a red LOS light means no fibre signal;
2. Restart the modem and then the router (power off for 30 seconds);
3. Connect a computer to the modem with a cable to tell router problems from line problems;
4. Check the account: unpaid bills or an expired annual plan stop the service;
5. Check for a known area outage in the system.

If everything looks fine and there is still no connection, open a fault ticket and book a visit.
""",
        PUB,
    ),
    (
        A,
        "broadband-fault",
        "en",
        "Slow broadband speed troubleshooting",
        ("broadband", "speed", "slow", "wifi"),
        """
- Test over a cable first: 80 % of the contracted speed or more means the line is fine;
- Fast over cable but slow over Wi-Fi: move the router, use the 5 GHz band, or consider a mesh system;
- Slow on both: open a fault ticket so the network team can check the port and optical power;
- Slow only for some websites in the evening: usually the remote site, not the line.
""",
        PUB,
    ),
    (
        A,
        "mobile-plans",
        "en",
        "Changing your mobile plan (upgrade or downgrade)",
        ("plan", "upgrade", "downgrade", "mobile"),
        """
- Upgrades can start at once (the month is prorated) or next month;
- Downgrades always start on the 1st of next month;
- During a contract the plan cannot go below the contracted minimum;
- One plan change per month.

Always repeat the new plan name and the start date to the customer before you finish.
""",
        PUB,
    ),
    (
        A,
        "mobile-roaming",
        "en",
        "International roaming: activation and charges",
        ("roaming", "travel", "data", "charges"),
        """
Roaming is on by default for registered numbers. Before travelling, customers should buy a daily data pass
for their destination; without one, data is charged at the standard roaming rate, which is expensive.

Data is suspended and a text message is sent when roaming data charges reach 500 in a month.
Customers can check roaming charges in the app at any time.
""",
        PUB,
    ),
    (
        A,
        "mobile-roaming",
        "en",
        "Porting your number to another operator",
        ("porting", "number", "transfer"),
        """
A number can be ported when it is registered in the holder's name, in normal use, has no unpaid bills,
has no running contract and is at least 120 days old.

If a porting request is refused, tell the customer exactly which condition is not met and how to resolve it.
Any remaining prepaid balance is refunded after the port completes.
""",
        PUB,
    ),
    (
        A,
        "mobile",
        "en",
        "Replacing a lost or damaged SIM card",
        ("sim", "replacement", "lost phone"),
        """
1. Suspend the number at once when a phone is lost (verify the holder first);
2. The holder brings an ID document to a store; replacement is free;
3. The old SIM stops working as soon as the new one is active.

Damaged cards and upgrades to 5G SIM cards are exchanged free of charge at any store.
""",
        PUB,
    ),
    (
        A,
        "account",
        "en",
        "Closing an account and refunding the remaining balance",
        ("account", "closing", "refund", "balance"),
        """
- The account holder closes the account in person at a store with an ID document;
- Unpaid charges must be settled first; early termination of a contract costs the agreed fee;
- The remaining prepaid balance is refunded within 30 working days, except promotional credit;
- Remind the customer to unlink bank cards and apps that use the phone number.
""",
        PUB,
    ),
    (
        A,
        "complaints",
        "en",
        "Complaint handling standard",
        ("complaint", "standard", "response time"),
        """
The first person who handles a complaint owns it until it is closed, even when the work moves to another team.

- Respond to the customer within 1 hour;
- Resolve within 24 hours, or explain why not and give a new date;
- Close a complaint only when the customer accepts the outcome;
- Call the customer back within 48 hours after closing.
""",
        PUB,
    ),
    (
        A,
        "billing-query",
        "en",
        "Setting up e-invoices",
        ("invoice", "e-invoice", "billing"),
        """
E-invoices for the previous month are available from the 5th. In the app, open My account › Invoices,
choose the month and the invoice title (person or company, with the tax number for companies) and enter
an e-mail address. Top-up invoices and monthly invoices are exclusive, so nothing is invoiced twice.
""",
        PUB,
    ),
    (
        A,
        "mobile-plans",
        "en",
        "Data speed reduced after the allowance is used up",
        ("data", "speed", "throttled", "allowance"),
        """
- Unlimited plans slow down to 1 Mbps after the fair-use threshold until the 1st of next month;
- Other plans charge extra data until the monthly cap, then slow down to 128 kbps.

When a customer says mobile data suddenly became slow, check this month's data usage first.
""",
        PUB,
    ),
    (
        C,
        "billing-refund",
        "en",
        "Solved case: double charge after a payment timeout",
        ("refund", "double charge", "payment"),
        """
# Problem
A customer topped up 100 in the app, saw a timeout, paid again and was charged twice; only 100 arrived.

# What we did
We asked the payment team to reconcile the first transaction, which had timed out at the gateway.

# Solution
The first 100 was refunded to the card within one working day and the customer was told by text message.

# Lesson
After a payment timeout, ask customers to check their balance before paying again.
""",
        PUB,
    ),
    (
        C,
        "broadband-fault",
        "en",
        "Solved case: red LOS light on the fibre modem",
        ("broadband", "outage", "modem", "fibre"),
        """
# Problem
An English-speaking customer had no internet for a day; the modem showed a red LOS light.

# What we did
No area outage was listed, so we booked an engineer for the same afternoon.

# Solution
The indoor fibre had been crushed behind furniture; the engineer replaced the patch cord and service returned.

# Lesson
A red LOS light cannot be fixed by restarting; book a visit straight away.
""",
        PUB,
    ),
    (
        C,
        "mobile-roaming",
        "en",
        "Solved case: roaming data bill shock while travelling",
        ("roaming", "refund", "data", "bill"),
        """
# Problem
A customer came back from a three-day trip to a roaming data bill of more than 1,200.

# What we did
The customer had not bought a data pass, and the 500 warning message was sent while the phone was off.

# Solution
We recalculated the charges at the daily pass price and credited the difference, approved by the quality manager.

# Lesson
Remind travellers to buy a data pass before they leave.
""",
        PUB,
    ),
)
