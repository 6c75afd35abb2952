"""Comments the demo's customers leave with their ratings, written for SQM (Chinese and English).

Grouped by how the customer felt; ``SLOW`` and ``COMPLAINT`` add the sort of remark a customer
makes when their ticket took too long or when a complaint was handled. Nothing here is taken
from a real customer's words.
"""

from __future__ import annotations

PRAISE = {
    "zh": (
        "客服很耐心，一次就把问题讲清楚了。",
        "处理速度很快，当天就解决了，谢谢！",
        "师傅上门很准时，修好后还帮我测试了网速。",
        "回复及时，态度也好，给个好评。",
        "问题解决了，流程很顺畅。",
        "工作人员很专业，主动帮我换了更合适的套餐。",
        "电话里说得很清楚，不用我再跑营业厅了。",
        "比我想象的快多了，点赞。",
        "服务热情周到，非常满意。",
        "每一步都有短信通知，很放心。",
        "退费很快就到账了，谢谢你们的处理。",
        "客服小姐姐声音很好听，解释得也清楚。",
    ),
    "en": (
        "Quick and friendly, solved on the first call.",
        "The engineer came on time and fixed everything.",
        "Clear answers and kept me updated. Thank you!",
        "Much faster than I expected.",
        "Very helpful agent, explained my bill patiently.",
    ),
}
NEUTRAL = {
    "zh": (
        "问题是解决了，就是中间等得有点久。",
        "还可以，希望下次能一次说清楚。",
        "处理结果一般，勉强接受。",
        "电话排队时间有点长，其他都还行。",
        "解决了，但是要我自己重复说明了好几次。",
        "师傅技术不错，就是来之前没有提前打电话。",
        "回复有点模板化，不过问题最后处理了。",
    ),
    "en": (
        "Fixed in the end, but it took a while.",
        "OK, though I had to explain everything twice.",
        "The answer was a bit generic, but it worked.",
    ),
}
UNHAPPY = {
    "zh": (
        "等了好几天才有人联系我，太慢了。",
        "问题没有真正解决，只是让我重启设备。",
        "客服态度冷淡，问什么都说不清楚。",
        "转了好几个部门，最后还是没人负责。",
        "说好24小时内回复，结果拖了三天。",
        "退费金额不对，还要我再打电话。",
        "师傅爽约两次，非常失望。",
        "处理结果我不认可，希望有人再跟进。",
    ),
    "en": (
        "Nobody called back for days.",
        "The problem came back the next day.",
        "I was passed between departments and nobody took responsibility.",
        "Promised a reply within 24 hours; it took three days.",
    ),
}
SLOW = {
    "zh": (
        "节假日前报的问题，节后才有人处理。",
        "超过了承诺的时间才回复，希望改进。",
        "整体还行，就是响应太慢。",
    ),
    "en": (
        "Reported before the holiday, only handled after it.",
        "The reply came later than promised.",
    ),
}
COMPLAINT = {
    "zh": (
        "投诉处理得比较认真，首问负责的客服一直在跟进。",
        "投诉受理后有专人回访，这点很好。",
        "投诉结果还算合理，但希望以后不要再发生。",
    ),
    "en": (
        "My complaint was followed up by the same person throughout, which I appreciated.",
        "The complaint was handled, but this should not have happened in the first place.",
    ),
}
FLAG_REASONS = (
    "同一客户对多个工单重复提交恶意差评，内容与服务无关",
    "评价内容含辱骂，经核实与本次服务无关",
    "Test rating entered by mistake during a system check",
)
