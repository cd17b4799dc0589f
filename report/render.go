package report

import (
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/vocproject/voc/internal/textsafe"
	"github.com/vocproject/voc/store/ch/query"
)

var funcs = template.FuncMap{
	"pct": func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"f2":  func(f float64) string { return fmt.Sprintf("%.2f", f) },
	// Times are in the report's zone (Build puts them there).
	"date":   func(t time.Time) string { return t.Format("2006-01-02") },
	"dtime":  func(t time.Time) string { return t.Format("2006-01-02 15:04") },
	"delta":  delta,
	"deltaU": func(cur, prev uint64) string { return delta(float64(cur), float64(prev)) },
	"diff":   func(cur, prev float64) string { return fmt.Sprintf("%+.3f", cur-prev) },
	"pp":     func(cur, prev float64) string { return fmt.Sprintf("%+.1f pp", 100*(cur-prev)) },
	"change": func(c query.PainChange) string {
		if c.Change >= 1e8 {
			return "新增"
		}
		return fmt.Sprintf("%+.0f%%", 100*c.Change)
	},
	"sig": func(c query.PainChange) string {
		if c.Significant {
			return "显著"
		}
		return "—"
	},
	"pval": func(p float64) string { return fmt.Sprintf("%.3g", p) },
	"rel":  rel,
	"share": func(n, total uint64) float64 {
		if total == 0 {
			return 0
		}
		return float64(n) / float64(total)
	},
	"achange": func(a query.UnmappedAspect) string {
		if a.New {
			return "新增"
		}
		return rel(a.Change)
	},
	"opinions": func(a query.UnmappedAspect) string {
		var parts []string
		for _, o := range a.Opinions {
			parts = append(parts, fmt.Sprintf("%s ×%d", textsafe.Line(o.Opinion), o.Mentions))
		}
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, "，")
	},
	"metric":  metricName,
	"what":    changeTitle,
	"inc":     func(i int) int { return i + 1 },
	"scope":   scope,
	"marked":  marked,
	"tagged":  tagged,
	"words":   changeWords,
	"key":     func(c query.PainChange) string { return textsafe.Line(c.Category + "/" + c.Subcategory) },
	"dkey":    func(d query.Driver) string { return textsafe.Line(d.Category + "/" + d.Subcategory) },
	"oneline": oneline,
	"line":    textsafe.Line,
	"md":      mdText,
	"dailyChart": func(r *Report) template.HTML {
		return template.HTML(dailySVG(r.Daily))
	},
	"painChart": func(r *Report) template.HTML {
		return template.HTML(painSVG(r.Top))
	},
}

// oneline is multi-line data text on one line, line breaks shown as ⏎
// and control characters escaped (textsafe).
func oneline(s string) string {
	return strings.ReplaceAll(textsafe.Text(strings.ReplaceAll(s, "\r\n", "\n")), "\n", " ⏎ ")
}

// mdInline backslash-escapes the ASCII punctuation that opens an inline
// Markdown construct (CommonMark and GFM: emphasis, code, links, images,
// raw HTML, entities, strikethrough, table cells) or, in a heading, closes
// it (#).
var mdInline = strings.NewReplacer(
	"\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "~", "\\~", "[", "\\[", "]", "\\]",
	"(", "\\(", ")", "\\)", "!", "\\!", "<", "\\<", ">", "\\>", "&", "\\&", "|", "\\|", "#", "\\#",
)

// mdText is data text (customer words, product, channel, category, alert
// title) for the Markdown report: one line, control characters escaped,
// inline markup escaped, bare URLs defanged. It never starts a line, so
// line-start syntax (-, +, 1., >, =) needs no escape.
func mdText(s string) string {
	// GFM autolinks bare URLs: textsafe.Defang keeps them text
	return textsafe.Defang(mdInline.Replace(oneline(s)))
}

// rel formats a relative change (1e9: new).
func rel(c float64) string {
	if c >= 1e8 {
		return "新增"
	}
	return fmt.Sprintf("%+.0f%%", 100*c)
}

func delta(cur, prev float64) string {
	if prev == 0 {
		return "—"
	}
	return fmt.Sprintf("%+.1f%%", 100*(cur/prev-1))
}

func metricName(m string) string {
	switch m {
	case "rating":
		return "星级评分 (1-5)"
	case "csat":
		return "CSAT (1-5)"
	case "nps":
		return "NPS 推荐意愿 (0-10)"
	}
	return m
}

// changeTitle names what changed: the pain point (or 情感) and the
// product and channel it changed in.
func changeTitle(c query.Change) string {
	parts := []string{"情感"}
	if k := c.Key(); k != "" {
		parts[0] = k
	}
	for _, v := range []string{c.Product, c.Channel} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return textsafe.Line(strings.Join(parts, " · "))
}

// marked is a verbatim's text on one line with the spans of its mentions
// in <mark>: why it was tagged.
func marked(v query.Verbatim) template.HTML {
	rs := []rune(v.Text)
	in := make([]bool, len(rs))
	for _, m := range v.Mentions {
		for i := max(m.Start, 0); i < m.End && i < len(rs); i++ {
			in[i] = true
		}
	}
	var b strings.Builder
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && in[j] == in[i] {
			j++
		}
		part := html.EscapeString(oneline(string(rs[i:j])))
		if in[i] {
			part = "<mark>" + part + "</mark>"
		}
		b.WriteString(part)
		i = j
	}
	return template.HTML(b.String())
}

// tagged lists the words of a verbatim's mentions (the Markdown report's
// stand-in for the marks).
func tagged(v query.Verbatim) string {
	rs := []rune(v.Text)
	var out []string
	for _, m := range v.Mentions {
		if w, ok := m.In(rs); ok && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return strings.Join(out, "、")
}

// scope names the report's filters: 产品 X · 渠道 Y · 客户等级 Z, "" for all.
func scope(r *Report) string {
	var parts []string
	for _, p := range []struct{ label, v string }{{"产品", r.Product}, {"渠道", r.Channel}, {"客户等级", r.Tier}} {
		if p.v != "" {
			parts = append(parts, p.label+" "+textsafe.Line(p.v))
		}
	}
	return strings.Join(parts, " · ")
}

// changeWords says a change's numbers in plain words.
func changeWords(c query.Change) string {
	day := c.From.Format("01-02")
	switch c.Kind {
	case "sentiment_drop":
		return fmt.Sprintf("%s 平均情感 %.2f，平常 %.2f（%d 条反馈）", day, c.Observed, c.Usual, c.Records)
	case "new_pain_point":
		return fmt.Sprintf("%s %.0f 条，此前 28 天没有（新痛点）", day, c.Observed)
	}
	return fmt.Sprintf("%s %.0f 条，平常 %.1f 条/天（%.1f 倍）", day, c.Observed, c.Usual, c.Ratio)
}

// HTML writes the report as one self-contained page.
func HTML(w io.Writer, r *Report) error {
	if err := htmlTmpl.Execute(w, r); err != nil {
		return fmt.Errorf("report: render html: %w", err)
	}
	return nil
}

// Markdown writes the report as Markdown.
func Markdown(w io.Writer, r *Report) error {
	if err := mdTmpl.Execute(w, r); err != nil {
		return fmt.Errorf("report: render markdown: %w", err)
	}
	return nil
}

// dailySVG draws daily volume bars with the negative share as a line.
func dailySVG(pts []query.TrendPoint) string {
	const w, h, pad = 640, 200, 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="每日反馈量与负面占比">`, w, h, w, h)
	if len(pts) == 0 {
		b.WriteString(`<text x="10" y="20">无数据</text></svg>`)
		return b.String()
	}
	var maxR uint64 = 1
	for _, p := range pts {
		maxR = max(maxR, p.Records)
	}
	bw := float64(w-2*pad) / float64(len(pts))
	var line []string
	for i, p := range pts {
		x := pad + float64(i)*bw
		bh := float64(h-2*pad) * float64(p.Records) / float64(maxR)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#5470c6"><title>%s: %d 条</title></rect>`,
			x+1, float64(h-pad)-bh, math.Max(bw-2, 1), bh, p.Time.Format("01-02"), p.Records)
		line = append(line, fmt.Sprintf("%.1f,%.1f", x+bw/2, float64(h-pad)-float64(h-2*pad)*p.NegativeShare))
		if len(pts) <= 14 || i%(len(pts)/7+1) == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="10" text-anchor="middle">%s</text>`, x+bw/2, h-pad+14, p.Time.Format("01-02"))
		}
	}
	fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#ee6666" stroke-width="2"/>`, strings.Join(line, " "))
	fmt.Fprintf(&b, `<text x="%d" y="14" font-size="11">柱：反馈量（最高 %d）　红线：负面占比（0–100%%）</text>`, pad, maxR)
	b.WriteString(`</svg>`)
	return b.String()
}

// painSVG draws the top pain points as horizontal bars, this period and
// the previous one.
func painSVG(top []query.PainChange) string {
	const w, row, label = 640, 22, 170
	h := row*len(top) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="主要痛点">`, w, h, w, h)
	var maxC uint64 = 1
	for _, c := range top {
		maxC = max(maxC, c.Current, c.Previous)
	}
	for i, c := range top {
		y := 20 + i*row
		scale := float64(w-label-60) / float64(maxC)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, label-6, y+13, html.EscapeString(textsafe.Line(c.Category+"/"+c.Subcategory)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="9" fill="#5470c6"><title>本期 %d</title></rect>`, label, y+2, float64(c.Current)*scale, c.Current)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="7" fill="#bbb"><title>上期 %d</title></rect>`, label, y+12, float64(c.Previous)*scale, c.Previous)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11">%d</text>`, float64(label)+float64(c.Current)*scale+4, y+11, c.Current)
	}
	fmt.Fprintf(&b, `<text x="%d" y="12" font-size="11">蓝：本期　灰：上期（条数）</text></svg>`, label)
	return b.String()
}

const htmlSrc = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>VOC周报 {{date .From}} – {{date .To}}</title>
<link rel="icon" href="data:,">
<style>
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;max-width:960px;margin:24px auto;padding:0 16px;color:#222}
h1{font-size:24px}h2{font-size:18px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}
th{background:#f5f6f8}td.n{text-align:right}.kpis{display:flex;gap:12px;flex-wrap:wrap}
.kpi{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:140px}.kpi b{font-size:20px;display:block}
.muted{color:#777;font-size:12px}blockquote{margin:6px 0;padding:4px 10px;border-left:3px solid #ee6666;background:#fafafa}mark{background:#ffc9c9}
.sig{color:#c00;font-weight:bold}svg.chart{max-width:100%;height:auto}
</style></head><body>
<h1>VOC周报（客户之声周报）</h1>
<p class="muted">统计区间 {{dtime .From}} – {{dtime .To}}（{{.Zone}} 时间），对比上期 {{dtime .PrevFrom}} – {{dtime .From}}。{{with scope .}}范围：{{.}}。{{end}}生成于 {{dtime .Generated}}。</p>
{{with .DashboardLink nil}}<p><a href="{{.}}">在仪表盘中查看（同一时间范围和筛选）</a></p>{{end}}
<h2>本周要点</h2>
{{with .Changes}}<ol class="points">{{range .Items}}<li><b>{{what .}}</b>：{{words .}}{{with $.DashboardLink .Drill}} · <a href="{{.}}">查看原声</a>{{end}}</li>
{{else}}<li>本期没有显著变化（每天与此前 28 天相比，同告警的检验）。</li>{{end}}</ol>
<p class="muted">每天与此前 28 天的基线相比（同告警的检验，p &lt; 1e-5），按超出平常的条数排序。</p>{{end}}
<h2>一、概览</h2>
<div class="kpis">
<div class="kpi">反馈量<b>{{.Current.Records}}</b><span class="muted">环比 {{deltaU .Current.Records .Previous.Records}}</span></div>
<div class="kpi">负面占比<b>{{pct .Current.NegativeShare}}</b><span class="muted">较上期 {{pp .Current.NegativeShare .Previous.NegativeShare}}</span></div>
<div class="kpi">平均情感<b>{{f2 .Current.AvgSentiment}}</b><span class="muted">较上期 {{diff .Current.AvgSentiment .Previous.AvgSentiment}}</span></div>
<div class="kpi">投诉<b>{{.Current.Complaints}}</b><span class="muted">环比 {{deltaU .Current.Complaints .Previous.Complaints}}</span></div>
<div class="kpi">升级<b>{{.Current.Escalations}}</b><span class="muted">环比 {{deltaU .Current.Escalations .Previous.Escalations}}</span></div>
</div>
<h3>每日趋势</h3>
{{dailyChart .}}
<h2>二、主要痛点</h2>
{{painChart .}}
<table><tr><th>痛点</th><th>本期</th><th>上期</th><th>占比</th><th>变化</th><th>z</th><th>p</th><th>显著性</th></tr>
{{range .Top}}<tr><td>{{key .}}</td><td class="n">{{.Current}}</td><td class="n">{{.Previous}}</td><td class="n">{{pct .CurrentShare}}</td><td class="n">{{change .}}</td><td class="n">{{f2 .Z}}</td><td class="n">{{pval .P}}</td><td>{{if .Significant}}<span class="sig">显著</span>{{else}}—{{end}}</td></tr>
{{else}}<tr><td colspan="8">本期无痛点</td></tr>{{end}}</table>
<h2>三、上升与下降（显著变化）</h2>
<p class="muted">双比例 z 检验，Benjamini–Hochberg 校正后 FDR ≤ 5%。</p>
<table><tr><th>上升痛点</th><th>本期</th><th>上期</th><th>变化</th><th>z</th></tr>
{{range .Rising}}<tr><td>{{key .}}</td><td class="n">{{.Current}}</td><td class="n">{{.Previous}}</td><td class="n">{{change .}}</td><td class="n">{{f2 .Z}}</td></tr>
{{else}}<tr><td colspan="5">无显著上升</td></tr>{{end}}</table>
<table><tr><th>下降痛点</th><th>本期</th><th>上期</th><th>变化</th><th>z</th></tr>
{{range .Falling}}<tr><td>{{key .}}</td><td class="n">{{.Current}}</td><td class="n">{{.Previous}}</td><td class="n">{{change .}}</td><td class="n">{{f2 .Z}}</td></tr>
{{else}}<tr><td colspan="5">无显著下降</td></tr>{{end}}</table>
<h2>四、话题热度</h2>
{{with .Topics}}<p class="muted">声量 = 痛点 + 好评 + 中性（含只提到、未表态的话题提及）；覆盖率为谈到该话题的反馈占全部反馈的比例，环比为覆盖率的变化。</p>
<table><tr><th>话题</th><th>声量</th><th>痛点</th><th>好评</th><th>中性</th><th>其中仅提及</th><th>反馈条数</th><th>覆盖率</th><th>环比</th></tr>
{{range .Items}}<tr><td>{{line .Category}}</td><td class="n">{{.Volume}}</td><td class="n">{{.Pain}}</td><td class="n">{{.Praise}}</td><td class="n">{{.Neutral}}</td><td class="n">{{.TopicMentions}}</td><td class="n">{{.Records}}</td><td class="n">{{pct .Share}}</td><td class="n">{{rel .Change}}{{if .Significant}} <span class="sig">显著</span>{{end}}</td></tr>
{{else}}<tr><td colspan="9">本期无话题</td></tr>{{end}}</table>{{end}}
<h2>五、未归类的新话题</h2>
{{with .Emerging}}<p class="muted">客户评价了、但分类体系尚未收录的方面（至少 {{$.EmergingMin}} 条反馈），按反馈条数排序；环比为占全部反馈比例的变化，“新增”为上期未出现。本期 {{.UnmappedRecords}} 条反馈（{{pct (share .UnmappedRecords .Records)}}）含此类评价，涉及 {{.Aspects}} 个方面。</p>
<table><tr><th>方面</th><th>反馈条数</th><th>评价次数</th><th>负面占比</th><th>常见评价</th><th>环比</th></tr>
{{range .Items}}<tr><td>{{line .Aspect}}</td><td class="n">{{.Records}}</td><td class="n">{{.Mentions}}</td><td class="n">{{pct .NegativeShare}}</td><td>{{opinions .}}</td><td class="n">{{achange .}}</td></tr>
{{else}}<tr><td colspan="6">本期无未归类的新话题</td></tr>{{end}}</table>{{end}}
<h2>六、关键驱动因素</h2>
{{range .Drivers}}<h3>{{metric .Metric}}：均值 {{f2 .Mean}}（{{.Scored}} 条有评分）</h3>
<table><tr><th>痛点</th><th>覆盖率</th><th>有该痛点均值</th><th>无该痛点均值</th><th>影响</th><th>加权影响</th></tr>
{{range .Drivers}}<tr><td>{{dkey .}}</td><td class="n">{{pct .Share}}</td><td class="n">{{f2 .MeanWith}}</td><td class="n">{{f2 .MeanWithout}}</td><td class="n">{{f2 .Impact}}</td><td class="n">{{f2 .Weighted}}</td></tr>
{{end}}</table>
{{else}}<p>本期无评分数据。</p>{{end}}
<h2>七、渠道情感</h2>
<table><tr><th>渠道</th><th>反馈量</th><th>负面占比</th><th>平均情感</th><th>升级</th></tr>
{{range .Channels}}<tr><td>{{line .Key}}</td><td class="n">{{.Records}}</td><td class="n">{{pct .NegativeShare}}</td><td class="n">{{f2 .AvgSentiment}}</td><td class="n">{{.Escalations}}</td></tr>
{{end}}</table>
<h2>八、产品情感</h2>
<table><tr><th>产品</th><th>反馈量</th><th>负面占比</th><th>平均情感</th></tr>
{{range .Products}}<tr><td>{{line .Key}}</td><td class="n">{{.Records}}</td><td class="n">{{pct .NegativeShare}}</td><td class="n">{{f2 .AvgSentiment}}</td></tr>
{{end}}</table>
<h2>九、典型原声</h2>
<p class="muted">每个痛点选取有代表性的负面原声（情感接近该痛点的中位数、覆盖不同渠道和产品，而非最新的几条），标记为打上该标签的原文。</p>
{{range .Verbatims}}<h3>{{line .Key}}</h3>
{{range .Items}}<blockquote>{{marked .}}<br><span class="muted">{{dtime .CreatedAt}} · {{line .Channel}} · {{line .Product}}{{if .Rating}} · {{.Rating}}星{{end}}</span></blockquote>
{{else}}<p class="muted">无</p>{{end}}{{end}}
<h2>十、本期告警</h2>
{{if .AlertsAvailable}}<table><tr><th>开启时间</th><th>类型</th><th>状态</th><th>标题</th></tr>
{{range .Alerts}}<tr><td>{{dtime .OpenedAt}}</td><td>{{line .Kind}}</td><td>{{line .Status}}</td><td>{{line .Title}}</td></tr>
{{else}}<tr><td colspan="4">本期无告警</td></tr>{{end}}</table>
{{else}}<p class="muted">未启用告警。</p>{{end}}
</body></html>
`

const mdSrc = `# VOC周报（客户之声周报）

统计区间 {{dtime .From}} – {{dtime .To}}（{{.Zone}} 时间），对比上期 {{dtime .PrevFrom}} – {{dtime .From}}。{{with scope .}}范围：{{md .}}。{{end}}
{{with .DashboardLink nil}}
[在仪表盘中查看]({{.}})
{{end}}
## 本周要点
{{with .Changes}}
{{range $i, $c := .Items}}{{inc $i}}. **{{md (what $c)}}**：{{words $c}}{{with $.DashboardLink $c.Drill}} · [查看原声]({{.}}){{end}}
{{else}}本期没有显著变化（每天与此前 28 天相比，同告警的检验）。
{{end}}
每天与此前 28 天的基线相比（同告警的检验，p < 1e-5），按超出平常的条数排序。
{{end}}
## 一、概览

| 指标 | 本期 | 上期 | 变化 |
|---|---:|---:|---:|
| 反馈量 | {{.Current.Records}} | {{.Previous.Records}} | {{deltaU .Current.Records .Previous.Records}} |
| 负面占比 | {{pct .Current.NegativeShare}} | {{pct .Previous.NegativeShare}} | {{pp .Current.NegativeShare .Previous.NegativeShare}} |
| 平均情感 | {{f2 .Current.AvgSentiment}} | {{f2 .Previous.AvgSentiment}} | {{diff .Current.AvgSentiment .Previous.AvgSentiment}} |
| 投诉 | {{.Current.Complaints}} | {{.Previous.Complaints}} | {{deltaU .Current.Complaints .Previous.Complaints}} |
| 升级 | {{.Current.Escalations}} | {{.Previous.Escalations}} | {{deltaU .Current.Escalations .Previous.Escalations}} |

### 每日趋势

| 日期 | 反馈量 | 负面占比 | 平均情感 |
|---|---:|---:|---:|
{{range .Daily}}| {{date .Time}} | {{.Records}} | {{pct .NegativeShare}} | {{f2 .AvgSentiment}} |
{{end}}
## 二、主要痛点

| 痛点 | 本期 | 上期 | 占比 | 变化 | z | p | 显著性 |
|---|---:|---:|---:|---:|---:|---:|---|
{{range .Top}}| {{md (key .)}} | {{.Current}} | {{.Previous}} | {{pct .CurrentShare}} | {{change .}} | {{f2 .Z}} | {{pval .P}} | {{sig .}} |
{{end}}
## 三、上升与下降（显著变化）

双比例 z 检验，Benjamini–Hochberg 校正后 FDR ≤ 5%。

| 方向 | 痛点 | 本期 | 上期 | 变化 | z |
|---|---|---:|---:|---:|---:|
{{range .Rising}}| 上升 | {{md (key .)}} | {{.Current}} | {{.Previous}} | {{change .}} | {{f2 .Z}} |
{{end}}{{range .Falling}}| 下降 | {{md (key .)}} | {{.Current}} | {{.Previous}} | {{change .}} | {{f2 .Z}} |
{{end}}{{if and (not .Rising) (not .Falling)}}| — | 无显著变化 | | | | |
{{end}}
## 四、话题热度
{{with .Topics}}
声量 = 痛点 + 好评 + 中性（含只提到、未表态的话题提及）；覆盖率为谈到该话题的反馈占全部反馈的比例，环比为覆盖率的变化。

| 话题 | 声量 | 痛点 | 好评 | 中性 | 其中仅提及 | 反馈条数 | 覆盖率 | 环比 |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
{{range .Items}}| {{md .Category}} | {{.Volume}} | {{.Pain}} | {{.Praise}} | {{.Neutral}} | {{.TopicMentions}} | {{.Records}} | {{pct .Share}} | {{rel .Change}}{{if .Significant}} 显著{{end}} |
{{else}}| — | 本期无话题 | | | | | | | |
{{end}}{{end}}
## 五、未归类的新话题
{{with .Emerging}}
客户评价了、但分类体系尚未收录的方面（至少 {{$.EmergingMin}} 条反馈），按反馈条数排序；环比为占全部反馈比例的变化，“新增”为上期未出现。本期 {{.UnmappedRecords}} 条反馈（{{pct (share .UnmappedRecords .Records)}}）含此类评价，涉及 {{.Aspects}} 个方面。

| 方面 | 反馈条数 | 评价次数 | 负面占比 | 常见评价 | 环比 |
|---|---:|---:|---:|---|---:|
{{range .Items}}| {{md .Aspect}} | {{.Records}} | {{.Mentions}} | {{pct .NegativeShare}} | {{md (opinions .)}} | {{achange .}} |
{{else}}| — | 本期无未归类的新话题 | | | | |
{{end}}{{end}}
## 六、关键驱动因素
{{range .Drivers}}
### {{metric .Metric}}：均值 {{f2 .Mean}}（{{.Scored}} 条有评分）

| 痛点 | 覆盖率 | 有该痛点均值 | 无该痛点均值 | 影响 | 加权影响 |
|---|---:|---:|---:|---:|---:|
{{range .Drivers}}| {{md (dkey .)}} | {{pct .Share}} | {{f2 .MeanWith}} | {{f2 .MeanWithout}} | {{f2 .Impact}} | {{f2 .Weighted}} |
{{end}}{{else}}
本期无评分数据。
{{end}}
## 七、渠道情感

| 渠道 | 反馈量 | 负面占比 | 平均情感 | 升级 |
|---|---:|---:|---:|---:|
{{range .Channels}}| {{md .Key}} | {{.Records}} | {{pct .NegativeShare}} | {{f2 .AvgSentiment}} | {{.Escalations}} |
{{end}}
## 八、典型原声

每个痛点选取有代表性的负面原声（情感接近该痛点的中位数、覆盖不同渠道和产品，而非最新的几条）；“标注”为打上该标签的原文。
{{range .Verbatims}}
### {{md .Key}}
{{range .Items}}
> {{md .Text}}
> — {{dtime .CreatedAt}} · {{md .Channel}} · {{md .Product}}{{with tagged .}} · 标注：{{md .}}{{end}}
{{end}}{{end}}
## 九、本期告警
{{if .AlertsAvailable}}
| 开启时间 | 类型 | 状态 | 标题 |
|---|---|---|---|
{{range .Alerts}}| {{dtime .OpenedAt}} | {{md .Kind}} | {{md .Status}} | {{md .Title}} |
{{else}}| — | — | — | 本期无告警 |
{{end}}{{else}}
未启用告警。
{{end}}`

var (
	htmlTmpl = template.Must(template.New("html").Funcs(funcs).Parse(htmlSrc))
	mdTmpl   = texttemplate.Must(texttemplate.New("md").Funcs(texttemplate.FuncMap(funcs)).Parse(mdSrc))
)
