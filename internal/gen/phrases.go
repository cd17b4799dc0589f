package gen

// The phrase bank. Templates may hold these placeholders, filled by fill:
//
//	{p}    product noun (保温杯)
//	{n}    a small number, in digits or Chinese (三)
//	{deg}  a negative-leaning degree adverb (太, 非常, 有点 …)
//	{pdeg} a positive-leaning degree adverb (很, 超级, 挺 …)
//
// Every pain-point template contains words a pain-point lexicon for its
// topic should recognise (慢, 暴力, 破损, 态度, 退款, 做工, 漏, 假货, 贵 …).

// Topic is a labelled subject of feedback: a pain point (negative), a praise
// point (positive) or a neutral request.
type Topic struct {
	Category    string
	Subcategory string
	Polarity    string // positive, negative, neutral
}

// Name is "Category/Subcategory".
func (t Topic) Name() string { return t.Category + "/" + t.Subcategory }

type topicDef struct {
	Topic
	weight float64 // share of all mentions, before normalisation
	// only, when set, restricts the topic to products whose noun contains
	// one of these strings (漏液 needs a liquid or a container).
	only    []string
	clauses []string
	// agent is what an agent answers to it in a chat.
	agent []string
}

var negDeg = []string{"太", "非常", "特别", "超级", "真的很", "实在是", "有点", "相当", "极其", "巨", "很", "太过"}
var posDeg = []string{"很", "非常", "特别", "超级", "挺", "相当", "真的很", "十分", "蛮"}
var smallNum = []string{"两", "三", "四", "五", "六", "七", "八", "九", "十"}

var topics = []topicDef{
	{Topic: Topic{"物流", "配送慢", "negative"}, weight: 0.09, clauses: []string{
		"快递{deg}慢了", "物流{deg}慢", "等了{n}天才到", "下单{n}天了还没收到货", "发货{deg}慢，催了好几次",
		"说好的次日达，结果{n}天才送到", "物流信息{n}天都没更新", "配送速度{deg}慢", "快递慢得要命", "物流慢死了",
		"送货{deg}慢", "一个星期了物流还在原地不动", "物流一点都不快", "快递太慢了，等了{n}天", "物流 too slow，等了{n}天才到",
		"发货拖拖拉拉，{n}天后才发出", "配送{deg}慢，耽误了我送礼",
	}, agent: []string{"非常抱歉让您久等了，我这边马上帮您催一下快递。", "已经帮您联系快递公司加急配送了，请您再耐心等待一下。"}},
	{Topic: Topic{"物流", "暴力运输", "negative"}, weight: 0.03, clauses: []string{
		"快递暴力运输，箱子都被压扁了", "外箱被摔得稀烂，明显是暴力运输", "快递员直接扔在门口，东西都摔坏了",
		"运输过程{deg}粗暴，盒子全是凹痕", "暴力分拣，箱子破了好几个洞", "快递暴力装卸，{p}都摔变形了",
		"一看就是被扔过的，暴力运输太严重了",
	}, agent: []string{"很抱歉运输过程中出现这样的问题，我们会向快递公司投诉并为您补发。"}},
	{Topic: Topic{"包装", "破损", "negative"}, weight: 0.04, clauses: []string{
		"包装破损{deg}严重", "收到的时候包装就破了", "外包装破损，里面的{p}也有划痕", "盒子压坏了，包装破损",
		"拆开发现包装有破损", "包装破了一个大口子", "包装盒破损，像是二手的", "外包装都破损了，里面东西散了一箱",
	}, agent: []string{"抱歉给您带来不好的体验，麻烦您拍一下包装破损的照片，我们为您登记补偿。"}},
	{Topic: Topic{"服务", "态度差", "negative"}, weight: 0.05, clauses: []string{
		"客服态度{deg}差", "客服爱答不理的", "问客服问题半天不回，回了也很敷衍", "客服态度恶劣，直接挂我电话",
		"售前客服说得好好的，买了就不认账", "客服态度不好，一直推卸责任", "客服说话很冲，态度差", "客服一点都不耐心",
		"客服态度 so bad，{deg}差", "客服态度差到极点",
	}, agent: []string{"对于之前的服务给您带来的不好体验，我们深表歉意，会对相关同事进行培训。"}},
	{Topic: Topic{"服务", "响应慢", "negative"}, weight: 0.03, clauses: []string{
		"客服回复{deg}慢", "找客服等了半个小时都没人回", "客服响应{deg}慢，排队排了好久", "人工客服一直转不进去",
		"客服回消息{deg}慢，一个问题等了{n}个小时",
	}, agent: []string{"非常抱歉让您久等了，目前咨询量比较大，我来为您处理。"}},
	{Topic: Topic{"售后", "退款难", "negative"}, weight: 0.04, clauses: []string{
		"申请退款{n}天了还没到账", "退款{deg}难，一直拖着不处理", "退货退款流程{deg}麻烦", "售后推来推去，就是不给退款",
		"要求退款被拒绝了", "售后处理{deg}慢，退款到现在都没退", "退款申请一直在审核中", "想退款比登天还难",
	}, agent: []string{"我这边帮您加急处理退款，预计1到3个工作日原路退回。", "已经为您提交退款申请了，请留意到账信息。"}},
	{Topic: Topic{"质量", "做工差", "negative"}, weight: 0.05, clauses: []string{
		"做工{deg}差，边上全是毛刺", "质量{deg}差", "做工粗糙，有明显的划痕", "材质很廉价，一摸就知道是便宜货",
		"用料缩水，和图片差距很大", "质量不行，{p}接缝处都开胶了", "做工粗糙，细节处理得很差", "质量一点也不好",
		"quality 真的很差", "{p}的质量{deg}差劲",
	}, agent: []string{"很抱歉给您带来不便，我们可以为您换货或者退款。"}},
	{Topic: Topic{"质量", "漏液", "negative"}, weight: 0.03, only: []string{"杯", "壶", "瓶", "奶", "水", "液", "霜", "露", "油"},
		clauses: []string{
			"{p}漏液，倒了一桌子水", "盖子拧紧了还是漏液", "漏液{deg}严重，包里全湿了", "密封圈有问题，一倒过来就漏水",
			"用了{n}天就开始漏液", "瓶口漏液，到手就洒了一半", "放包里漏了一包，漏液问题太严重",
		}, agent: []string{"很抱歉出现漏液的情况，麻烦您提供一下照片，我们马上为您换新。"}},
	{Topic: Topic{"质量", "故障", "negative"}, weight: 0.03, clauses: []string{
		"用了{n}天就坏了", "{p}开机没反应，直接坏了", "用了一次就出故障了", "经常出故障，{deg}不稳定",
		"刚用{n}天就坏了，质量堪忧", "收到就是坏的，根本用不了",
	}, agent: []string{"很抱歉，麻烦您描述一下故障情况，我们安排售后检测维修或换新。"}},
	{Topic: Topic{"真伪", "假货", "negative"}, weight: 0.02, clauses: []string{
		"怀疑是假货，和专柜的不一样", "收到的是假货，防伪码查不到", "绝对是假货，做工和正品差太多", "卖假货，要求退一赔三",
		"不是正品，logo都印歪了", "这{p}是假货吧，味道都不对",
	}, agent: []string{"我们所有商品都是品牌授权正品，可以提供授权书，也欢迎您拿去专柜鉴定。"}},
	{Topic: Topic{"价格", "贵", "negative"}, weight: 0.04, clauses: []string{
		"价格{deg}贵了", "{p}卖这么贵，性价比太低", "比别家贵了好几十", "刚买完就降价了，{deg}坑，买贵了",
		"不值这个价，太贵", "性价比{deg}低，价格偏贵", "一点都不便宜，价格贵",
	}, agent: []string{"关于价格问题，我们可以为您申请一张优惠券作为补偿。"}},

	{Topic: Topic{"物流", "配送快", "positive"}, weight: 0.10, clauses: []string{
		"物流{pdeg}快", "快递{pdeg}给力，第二天就到了", "发货{pdeg}及时", "次日达，速度{pdeg}快",
		"配送{pdeg}快，快递小哥服务也好", "下午下单第二天上午就收到了", "物流 super 快", "物流不慢，{n}天就到了",
	}, agent: []string{"感谢您的认可，我们会继续努力！"}},
	{Topic: Topic{"质量", "质量好", "positive"}, weight: 0.12, clauses: []string{
		"质量{pdeg}好", "做工{pdeg}精致", "{p}用起来{pdeg}顺手", "质量不错，和描述一致", "材质摸起来很有质感",
		"做工很扎实，没有任何瑕疵", "质量一点都不差", "质量 very good", "{p}{pdeg}好用，质量好",
	}, agent: []string{"感谢您对我们产品的喜爱！"}},
	{Topic: Topic{"服务", "态度好", "positive"}, weight: 0.06, clauses: []string{
		"客服{pdeg}耐心", "客服态度{pdeg}好，问什么都回答得很详细", "售后处理得很及时，点赞", "客服小姐姐{pdeg}热情",
		"客服很耐心地教我怎么用",
	}, agent: []string{"能帮到您是我们的荣幸，祝您生活愉快！"}},
	{Topic: Topic{"价格", "实惠", "positive"}, weight: 0.05, clauses: []string{
		"价格{pdeg}实惠", "性价比{pdeg}高", "活动价买的，{pdeg}划算", "这个价格买到这样的质量很值", "性价比 very high",
	}, agent: []string{"感谢支持，后续还有更多优惠活动哦。"}},
	{Topic: Topic{"包装", "包装好", "positive"}, weight: 0.04, clauses: []string{
		"包装{pdeg}严实", "包装很精美，送人很有面子", "包装得很仔细，一点都没压坏",
	}, agent: []string{"感谢您的认可！"}},

	{Topic: Topic{"咨询", "使用", "neutral"}, weight: 0.06, clauses: []string{
		"请问什么时候发货？", "{p}怎么用比较好？", "这款有没有别的颜色？", "可以开发票吗？", "请问保修期多久？",
		"{p}第一次用需要注意什么？", "请问可以用消费券吗？",
	}, agent: []string{"您好，一般48小时内发货，保修期为一年，发票可以在订单页申请。"}},
	{Topic: Topic{"建议", "产品", "neutral"}, weight: 0.03, clauses: []string{
		"建议增加一个收纳袋", "希望出个大容量的版本", "说明书可以写得再详细一点", "建议多出几个颜色",
	}, agent: []string{"感谢您的建议，我们已经反馈给产品团队。"}},
}

var (
	openers = []string{"买了{p}，", "给爸妈买的{p}，", "收到货了，", "{p}到了，", "双十一买的，", "朋友推荐买的{p}，",
		"用了一段时间来评价一下，", "第一次在这家买，", "", "", "", ""}
	openersPraise = []string{"第{n}次回购了，", "一直用这个牌子，", "回购{p}，"}
	closersNeg    = []string{"差评！", "不会再买了。", "大家谨慎购买。", "太失望了。", "要求退货。", "无语了。", "心累。", "", "", ""}
	closersPos    = []string{"五星好评！", "会回购的。", "推荐购买。", "很满意。", "好评！", "nice!", "", "", ""}
	closersNeu    = []string{"谢谢。", "麻烦回复一下。", "", ""}
	emojiNeg      = []string{"😡", "😤", "👎", "😞", "🙄", "😭", "💢"}
	emojiPos      = []string{"👍", "😊", "❤️", "🎉", "👏", "😄"}
	contrasts     = []string{"虽然%s，但是%s", "%s，可惜%s", "%s，不过%s", "%s，就是%s"}
	moreNeg       = []string{"而且", "还有", "另外", "更气人的是"}
	regions       = []string{"北京", "上海", "广东", "浙江", "江苏", "四川", "湖北", "山东", "河南", "福建", "陕西", "辽宁", "重庆", "天津", "湖南"}
	agentNames    = []string{"小美", "小王", "小李", "阿杰", "晓雯", "小张"}
	chatOpeners   = []string{"在吗？", "你好", "人呢？", "有人吗", "您好，咨询一下", "客服你好"}
	chatResolved  = []string{"好的，谢谢", "行，那麻烦你了", "好的，等你们消息", "嗯嗯，谢谢客服", "好的👌"}
	chatAngry     = []string{"每次都这么说，一点用都没有", "你们就会道歉，问题还是没解决", "算了，我去投诉了", "太敷衍了吧"}
	piiPhrases    = []string{"有问题请联系我，电话{phone}", "我的手机号{phone}，尽快给我回电话", "邮箱{email}，请把处理结果发给我",
		"联系方式：{phone}", "可以发邮件到{email}"}
)

// traditional maps common simplified characters to traditional ones, to
// make a few zh-TW messages that exercise normalization.
var traditional = map[rune]rune{
	'这': '這', '质': '質', '货': '貨', '买': '買', '发': '發', '东': '東', '务': '務', '态': '態', '递': '遞',
	'装': '裝', '损': '損', '难': '難', '贵': '貴', '说': '說', '们': '們', '个': '個', '没': '沒', '还': '還',
	'为': '為', '来': '來', '时': '時', '间': '間', '问': '問', '题': '題', '给': '給', '让': '讓', '样': '樣',
	'电': '電', '话': '話', '边': '邊', '运': '運', '输': '輸', '坏': '壞', '应': '應', '该': '該', '实': '實',
	'觉': '覺', '优': '優', '价': '價', '格': '格', '过': '過', '费': '費', '钱': '錢', '办': '辦', '单': '單', '种': '種', '后': '後', '经': '經', '点': '點', '处': '處', '欢': '歡',
	'设': '設', '计': '計', '颜': '顏', '详': '詳', '细': '細', '认': '認', '满': '滿', '极': '極', '严': '嚴',
	'条': '條', '双': '雙', '级': '級', '热': '熱', '划': '劃', '码': '碼', '谨': '謹', '慎': '慎', '购': '購',
}
