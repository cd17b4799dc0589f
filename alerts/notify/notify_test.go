package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// request is what the test receiver saw.
type request struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   string
}

// receiver is a real HTTP server on loopback that records requests and
// answers with the next scripted response (the last one repeats).
type receiver struct {
	srv *httptest.Server

	mu        sync.Mutex
	requests  []request
	responses []response
}

type response struct {
	status int
	body   string
	header map[string]string
}

func newReceiver(t *testing.T, responses ...response) *receiver {
	t.Helper()
	r := &receiver{responses: responses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.requests = append(r.requests, request{Method: req.Method, Path: req.URL.Path, Query: req.URL.Query(), Header: req.Header.Clone(), Body: string(body)})
		resp := response{status: 200, body: "{}"}
		if len(r.responses) > 0 {
			resp = r.responses[0]
			if len(r.responses) > 1 {
				r.responses = r.responses[1:]
			}
		}
		r.mu.Unlock()
		for k, v := range resp.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(resp.status)
		io.WriteString(w, resp.body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) got() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.requests...)
}

var fixedNow = time.Date(2025, 3, 10, 6, 30, 0, 0, time.UTC)

func testMessage() *Message {
	return &Message{
		ID:       "a1b2c3",
		Title:    "痛点激增：物流/配送慢 · SKU-1001 保温杯",
		Severity: SeverityCritical,
		Fields: []Field{
			{Label: "观测", Value: "近 6 小时 42 条，基线 8.3 条（5.1 倍）"},
			{Label: "窗口", Value: "03-10 08:00 – 14:00"},
		},
		Samples: []string{"快递 <三天> 才到 & 没人管", "物流太慢了"},
		Link:    "https://voc.example.com/drill?category=%E7%89%A9%E6%B5%81&product=SKU-1001",
	}
}

// Independent implementations of the services' signing, as a receiver
// computes them.
func dingTalkExpectedSign(secret, ts string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func feishuExpectedSign(secret, ts string) string {
	mac := hmac.New(sha256.New, []byte(ts+"\n"+secret))
	mac.Write(nil)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestFormats(t *testing.T) {
	const (
		dingBody    = `{"msgtype":"markdown","markdown":{"title":"痛点激增：物流/配送慢 · SKU-1001 保温杯","text":"### 痛点激增：物流/配送慢 · SKU-1001 保温杯\n\n**观测**：近 6 小时 42 条，基线 8.3 条（5.1 倍）\n\n**窗口**：03-10 08:00 – 14:00\n\n**样例（已脱敏）**\n\n> 1. 快递 ＜三天＞ 才到 ＆ 没人管\n\n> 2. 物流太慢了\n\n[查看详情](https://voc.example.com/drill?category=%E7%89%A9%E6%B5%81&product=SKU-1001)\n\n@13800000000"},"at":{"atMobiles":["13800000000"],"isAtAll":false}}`
		feishuCard  = `"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},"header":{"template":"red","title":{"tag":"plain_text","content":"痛点激增：物流/配送慢 · SKU-1001 保温杯"}},"elements":[{"tag":"div","text":{"tag":"lark_md","content":"**观测**：近 6 小时 42 条，基线 8.3 条（5.1 倍）\n**窗口**：03-10 08:00 – 14:00"}},{"tag":"hr"},{"tag":"div","text":{"tag":"lark_md","content":"**样例（已脱敏）**\n> 1. 快递 ＜三天＞ 才到 ＆ 没人管\n> 2. 物流太慢了"}},{"tag":"action","actions":[{"tag":"button","text":{"tag":"plain_text","content":"查看详情"},"type":"primary","url":"https://voc.example.com/drill?category=%E7%89%A9%E6%B5%81&product=SKU-1001"}]}]}}`
		wecomBody   = `{"msgtype":"markdown","markdown":{"content":"### 痛点激增：物流/配送慢 · SKU-1001 保温杯\n**观测**：近 6 小时 42 条，基线 8.3 条（5.1 倍）\n**窗口**：03-10 08:00 – 14:00\n**样例（已脱敏）**\n> 1. 快递 ＜三天＞ 才到 ＆ 没人管\n> 2. 物流太慢了\n[查看详情](https://voc.example.com/drill?category=%E7%89%A9%E6%B5%81&product=SKU-1001)"}}`
		slackBlocks = `{"text":"痛点激增：物流/配送慢 · SKU-1001 保温杯","blocks":[{"type":"header","text":{"type":"plain_text","text":"痛点激增：物流/配送慢 · SKU-1001 保温杯","emoji":true}},{"type":"section","text":{"type":"mrkdwn","text":"*观测*: 近 6 小时 42 条，基线 8.3 条（5.1 倍）\n*窗口*: 03-10 08:00 – 14:00"}},{"type":"section","text":{"type":"mrkdwn","text":">1. 快递 &lt;三天&gt; 才到 &amp; 没人管\n>2. 物流太慢了"}},{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"查看详情"},"url":"https://voc.example.com/drill?category=%E7%89%A9%E6%B5%81&product=SKU-1001","style":"primary"}]}]}`
		slackText   = `{"text":"*痛点激增：物流/配送慢 · SKU-1001 保温杯*\n*观测*: 近 6 小时 42 条，基线 8.3 条（5.1 倍）\n*窗口*: 03-10 08:00 – 14:00\n>1. 快递 &lt;三天&gt; 才到 &amp; 没人管\n>2. 物流太慢了\n<https://voc.example.com/drill?category=%E7%89%A9%E6%B5%81&product=SKU-1001|查看详情>"}`
		hookBody    = `{"id":"a1b2c3","title":"痛点激增：物流/配送慢 · SKU-1001 保温杯","severity":"critical","fields":[{"label":"观测","value":"近 6 小时 42 条，基线 8.3 条（5.1 倍）"},{"label":"窗口","value":"03-10 08:00 – 14:00"}],"samples":["快递 <三天> 才到 & 没人管","物流太慢了"],"link":"https://voc.example.com/drill?category=%E7%89%A9%E6%B5%81&product=SKU-1001"}`
	)
	feishuTS := strconv.FormatInt(fixedNow.Unix(), 10)
	dingTS := strconv.FormatInt(fixedNow.UnixMilli(), 10)
	tests := []struct {
		name  string
		cfg   Config
		path  string // webhook path under the receiver
		reply response
		body  string
		check func(t *testing.T, r request)
	}{
		{
			name: "dingtalk signed", cfg: Config{Type: TypeDingTalk, Secret: "SECtest123", Mentions: []string{"13800000000"}},
			path: "/robot/send?access_token=tok", reply: response{200, `{"errcode":0,"errmsg":"ok"}`, nil}, body: dingBody,
			check: func(t *testing.T, r request) {
				if r.Query.Get("access_token") != "tok" {
					t.Errorf("access_token = %q", r.Query.Get("access_token"))
				}
				if r.Query.Get("timestamp") != dingTS {
					t.Errorf("timestamp = %q, want %s (milliseconds)", r.Query.Get("timestamp"), dingTS)
				}
				// Query() has URL-decoded the sign: it must equal the raw
				// base64, so the sender encoded + / = correctly.
				if got, want := r.Query.Get("sign"), dingTalkExpectedSign("SECtest123", dingTS); got != want {
					t.Errorf("sign = %q, want %q", got, want)
				}
			},
		},
		{
			name: "dingtalk unsigned", cfg: Config{Type: TypeDingTalk},
			path: "/robot/send?access_token=tok", reply: response{200, `{"errcode":0,"errmsg":"ok"}`, nil},
			body: strings.Replace(strings.Replace(dingBody, `\n\n@13800000000`, ``, 1), `["13800000000"]`, `[]`, 1),
			check: func(t *testing.T, r request) {
				if _, ok := r.Query["sign"]; ok {
					t.Error("unsigned request has a sign parameter")
				}
			},
		},
		{
			name: "feishu signed", cfg: Config{Type: TypeFeishu, Secret: "fs-secret"},
			path: "/open-apis/bot/v2/hook/abc", reply: response{200, `{"code":0,"data":{},"msg":"success"}`, nil},
			body: `{"timestamp":"` + feishuTS + `","sign":"` + feishuExpectedSign("fs-secret", feishuTS) + `",` + feishuCard,
		},
		{
			name: "feishu unsigned", cfg: Config{Type: TypeFeishu},
			path: "/open-apis/bot/v2/hook/abc", reply: response{200, `{"StatusCode":0,"StatusMessage":"success"}`, nil},
			body: `{` + feishuCard,
		},
		{
			name: "wecom", cfg: Config{Type: TypeWeCom},
			path: "/cgi-bin/webhook/send?key=k1", reply: response{200, `{"errcode":0,"errmsg":"ok"}`, nil}, body: wecomBody,
		},
		{
			name: "slack blocks", cfg: Config{Type: TypeSlack},
			path: "/services/T0/B0/X", reply: response{200, "ok", nil}, body: slackBlocks,
		},
		{
			name: "slack text", cfg: Config{Type: TypeSlack, Format: "text"},
			path: "/services/T0/B0/X", reply: response{200, "ok", nil}, body: slackText,
		},
		{
			name: "webhook signed", cfg: Config{Type: TypeWebhook, Secret: "hook-secret", Headers: map[string]string{"Authorization": "Bearer t"}},
			path: "/hooks/voc", reply: response{204, "", nil}, body: hookBody,
			check: func(t *testing.T, r request) {
				ts := r.Header.Get(HeaderTimestamp)
				if ts != feishuTS {
					t.Errorf("%s = %q, want %s", HeaderTimestamp, ts, feishuTS)
				}
				mac := hmac.New(sha256.New, []byte("hook-secret"))
				mac.Write([]byte(ts + "." + r.Body))
				if got, want := r.Header.Get(HeaderSignature), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
					t.Errorf("signature = %q, want %q", got, want)
				}
				if r.Header.Get("Authorization") != "Bearer t" || r.Header.Get(HeaderAlertID) != "a1b2c3" {
					t.Errorf("headers = %v", r.Header)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiver(t, tc.reply)
			cfg := tc.cfg
			cfg.Name = "test-" + cfg.Type
			cfg.URL = rcv.srv.URL + tc.path
			s, err := New(cfg, Options{Now: func() time.Time { return fixedNow }})
			if err != nil {
				t.Fatal(err)
			}
			n, err := Deliver(context.Background(), s, testMessage(), Retry{})
			if err != nil || n != 1 {
				t.Fatalf("deliver: %d attempts, %v", n, err)
			}
			reqs := rcv.got()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				t.Errorf("method %s content type %q", r.Method, r.Header.Get("Content-Type"))
			}
			if want := strings.SplitN(tc.path, "?", 2)[0]; r.Path != want {
				t.Errorf("path %q, want %q", r.Path, want)
			}
			if r.Body != tc.body {
				t.Errorf("body\n got  %s\n want %s", r.Body, tc.body)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestWebhookPayload(t *testing.T) {
	rcv := newReceiver(t, response{200, "", nil})
	s, err := New(Config{Name: "h", Type: TypeWebhook, URL: rcv.srv.URL}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := testMessage()
	m.Payload = map[string]any{"version": 1, "text": "a<b"}
	if _, err := Deliver(context.Background(), s, m, Retry{}); err != nil {
		t.Fatal(err)
	}
	r := rcv.got()[0]
	if r.Body != `{"text":"a<b","version":1}` {
		t.Errorf("body %s", r.Body)
	}
	if r.Header.Get(HeaderSignature) != "" || r.Header.Get(HeaderTimestamp) != "" {
		t.Error("unsigned webhook sent signature headers")
	}
}

func TestWeComTruncates(t *testing.T) {
	rcv := newReceiver(t, response{200, `{"errcode":0,"errmsg":"ok"}`, nil})
	s, _ := New(Config{Name: "w", Type: TypeWeCom, URL: rcv.srv.URL}, Options{})
	m := testMessage()
	m.Samples = nil
	for range 40 {
		m.Samples = append(m.Samples, strings.Repeat("漏液", 70))
	}
	if _, err := Deliver(context.Background(), s, m, Retry{}); err != nil {
		t.Fatal(err)
	}
	body := rcv.got()[0].Body
	i := strings.Index(body, `"content":"`)
	content := body[i+len(`"content":"`) : len(body)-3]
	if len(content) > 4096 {
		t.Errorf("content is %d bytes, above WeCom's 4096", len(content))
	}
	if !strings.Contains(content, "> 1. ") || strings.Contains(content, "> 40. ") || !strings.Contains(content, "查看详情") {
		t.Errorf("expected the first samples and the link to survive and the last samples to go:\n%s", content)
	}
}

func TestRetries(t *testing.T) {
	fast := Retry{Attempts: 4, Initial: time.Millisecond, Max: 5 * time.Millisecond}
	tests := []struct {
		name      string
		typ       string
		responses []response
		attempts  int
		wantErr   bool
		retryable bool
		code      int
	}{
		{"5xx then ok", TypeWebhook, []response{{503, "busy", nil}, {502, "", nil}, {200, "", nil}}, 3, false, false, 0},
		{"429 with retry-after", TypeSlack, []response{{429, "rate_limited", map[string]string{"Retry-After": "0"}}, {200, "ok", nil}}, 2, false, false, 0},
		{"permanent 4xx", TypeSlack, []response{{404, "no_service", nil}}, 1, true, false, 0},
		{"gives up", TypeWebhook, []response{{500, "", nil}}, 4, true, true, 0},
		{"dingtalk too fast", TypeDingTalk, []response{{200, `{"errcode":130101,"errmsg":"send too fast"}`, nil}, {200, `{"errcode":0,"errmsg":"ok"}`, nil}}, 2, false, false, 0},
		{"dingtalk bad sign", TypeDingTalk, []response{{200, `{"errcode":310000,"errmsg":"sign not match"}`, nil}}, 1, true, false, 310000},
		{"feishu frequency", TypeFeishu, []response{{200, `{"code":11232,"msg":"frequency limited"}`, nil}, {200, `{"code":0,"msg":"success"}`, nil}}, 2, false, false, 0},
		{"feishu bad sign", TypeFeishu, []response{{200, `{"code":19021,"msg":"sign match fail"}`, nil}}, 1, true, false, 19021},
		{"wecom limit", TypeWeCom, []response{{200, `{"errcode":45009,"errmsg":"api freq out of limit"}`, nil}, {200, `{"errcode":0,"errmsg":"ok"}`, nil}}, 2, false, false, 0},
		{"wecom garbage", TypeWeCom, []response{{200, `<html>`, nil}}, 1, true, false, 0},
		{"slack not ok", TypeSlack, []response{{200, `invalid_payload`, nil}}, 1, true, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiver(t, tc.responses...)
			s, err := New(Config{Name: "c", Type: tc.typ, URL: rcv.srv.URL}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			n, err := Deliver(context.Background(), s, testMessage(), fast)
			if n != tc.attempts || len(rcv.got()) != tc.attempts {
				t.Errorf("attempts %d, requests %d, want %d", n, len(rcv.got()), tc.attempts)
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err == nil {
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.Retryable != tc.retryable || e.Code != tc.code {
				t.Errorf("retryable %v code %d, want %v %d (%v)", e.Retryable, e.Code, tc.retryable, tc.code, err)
			}
			if strings.Contains(err.Error(), rcv.srv.URL) {
				t.Errorf("error leaks the webhook URL: %v", err)
			}
		})
	}
}

func TestDeliverUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL + "/hook?access_token=secret-token"
	srv.Close()
	s, _ := New(Config{Name: "gone", Type: TypeDingTalk, URL: addr}, Options{})
	n, err := Deliver(context.Background(), s, testMessage(), Retry{Attempts: 2, Initial: time.Millisecond})
	if n != 2 || !IsRetryable(err) {
		t.Fatalf("attempts %d err %v: want 2 attempts and a retryable error", n, err)
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error leaks the access token: %v", err)
	}
}

func TestDeliverStopsOnCancel(t *testing.T) {
	rcv := newReceiver(t, response{500, "", nil})
	s, _ := New(Config{Name: "c", Type: TypeWebhook, URL: rcv.srv.URL}, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	n, err := Deliver(ctx, s, testMessage(), Retry{Attempts: 10, Initial: time.Hour, Max: time.Hour})
	if n != 1 || err == nil {
		t.Fatalf("attempts %d err %v: want 1 attempt and the error", n, err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"ok", Config{Name: "a", Type: TypeSlack, URL: "https://hooks.slack.com/services/x"}, ""},
		{"no name", Config{Type: TypeSlack, URL: "https://x"}, "name"},
		{"no type", Config{Name: "a", URL: "https://x"}, "type"},
		{"bad type", Config{Name: "a", Type: "dingtak", URL: "https://x"}, "type"},
		{"no url", Config{Name: "a", Type: TypeWeCom}, "url"},
		{"bad url", Config{Name: "a", Type: TypeWeCom, URL: "ftp://x"}, "url"},
		{"secret on slack", Config{Name: "a", Type: TypeSlack, URL: "https://x", Secret: "s"}, "secret"},
		{"headers on dingtalk", Config{Name: "a", Type: TypeDingTalk, URL: "https://x", Headers: map[string]string{"A": "b"}}, "headers"},
		{"bad header", Config{Name: "a", Type: TypeWebhook, URL: "https://x", Headers: map[string]string{"A B": "b"}}, "headers"},
		{"format on feishu", Config{Name: "a", Type: TypeFeishu, URL: "https://x", Format: "text"}, "format"},
		{"bad format", Config{Name: "a", Type: TypeSlack, URL: "https://x", Format: "html"}, "format"},
		{"mentions on wecom", Config{Name: "a", Type: TypeWeCom, URL: "https://x", Mentions: []string{"1"}}, "mentions"},
		{"negative timeout", Config{Name: "a", Type: TypeWeCom, URL: "https://x", Timeout: -1}, "timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want a FieldError on %q", err, tc.field)
			}
		})
	}
	if err := (Retry{Attempts: -1}).Validate(); err == nil {
		t.Error("negative attempts accepted")
	}
	if err := (Retry{Initial: time.Minute, Max: time.Second}).Validate(); err == nil {
		t.Error("initial above max accepted")
	}
}

// hostile are customer-controlled strings that would be markup in a chat
// client's markdown: an image that loads on sight, links (one to
// javascript:), raw HTML, emphasis, code, a line break starting a heading
// and a quote, client tags (<font>, Feishu's <at id=all>, WeCom's <@all>),
// bare URLs and a terminal escape.
var hostile = []string{
	"![x](http://evil/p.png)",
	"[a](javascript:alert(1))",
	"<img src=x onerror=alert(1)>",
	"**bold** __u__ ~~s~~ *i*",
	"`code` ```block```",
	"第一行\n# 标题\n> 引用\n- 列表",
	"<font color=red>红</font> <at id=all></at> <@all>",
	"见 https://evil.example/x 或 WWW.evil.example",
	"&lt;img src=x onerror=alert(1)&gt; \\*x\\*",
	"\x1b[2J\x1b]0;pwned\x07",
}

func hostileMessage() *Message {
	return &Message{
		ID:       "id<img src=x>",
		Title:    "痛点激增：物流/配送慢 · ![x](http://evil/p.png)",
		Severity: SeverityWarning,
		Fields: []Field{
			{Label: "范围", Value: "产品 <img src=x onerror=alert(1)> · 渠道 [a](javascript:alert(1))"},
			{Label: "记录", Value: "**bold**`x`\n# h"},
		},
		Samples: hostile,
		Link:    "https://voc.example.com/drill?alert=a1&product=SKU-(1)",
	}
}

// TestMarkdownInert: in the payload DingTalk, Feishu and WeCom actually
// receive, no customer string produces an image, a link, HTML, emphasis,
// code, a new line or a control character; voc's own link stays the one
// link.
func TestMarkdownInert(t *testing.T) {
	const voc = "[查看详情](https://voc.example.com/drill?alert=a1&product=SKU-%281%29)"
	tests := []struct {
		typ   string
		reply string
		texts func(body map[string]any) []string // the markdown the client renders
		link  bool                               // the link is in the markdown
	}{
		{TypeDingTalk, `{"errcode":0}`, func(b map[string]any) []string {
			return []string{b["markdown"].(map[string]any)["text"].(string)}
		}, true},
		{TypeWeCom, `{"errcode":0}`, func(b map[string]any) []string {
			return []string{b["markdown"].(map[string]any)["content"].(string)}
		}, true},
		{TypeFeishu, `{"code":0}`, func(b map[string]any) []string {
			var out []string
			for _, e := range b["card"].(map[string]any)["elements"].([]any) {
				if txt, ok := e.(map[string]any)["text"].(map[string]any); ok && txt["tag"] == "lark_md" {
					out = append(out, txt["content"].(string))
				}
			}
			return out
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			rcv := newReceiver(t, response{200, tc.reply, nil})
			s, err := New(Config{Name: "c", Type: tc.typ, URL: rcv.srv.URL}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Deliver(context.Background(), s, hostileMessage(), Retry{Attempts: 1}); err != nil {
				t.Fatal(err)
			}
			raw := rcv.got()[0].Body
			var body map[string]any
			if err := json.Unmarshal([]byte(raw), &body); err != nil {
				t.Fatal(err)
			}
			texts := tc.texts(body)
			if len(texts) == 0 {
				t.Fatalf("no markdown in %s", raw)
			}
			md := strings.Join(texts, "\n")
			if tc.link {
				if strings.Count(md, voc) != 1 {
					t.Errorf("voc's link %s is not there once:\n%s", voc, md)
				}
				md = strings.Replace(md, voc, "", 1)
			} else if !strings.Contains(raw, `"url":"https://voc.example.com/drill?alert=a1\u0026product=SKU-(1)"`) &&
				!strings.Contains(raw, `"url":"https://voc.example.com/drill?alert=a1&product=SKU-(1)"`) {
				t.Errorf("no button to voc's link in %s", raw)
			}
			for _, bad := range []string{"![", "](", "[", "]", "<", "`", "~~", "__", "://", "www.", "WWW.", "&lt;", "\x1b", "\x07"} {
				if strings.Contains(md, bad) {
					t.Errorf("markdown holds %q:\n%s", bad, md)
				}
			}
			// The only emphasis is voc's bold labels: ** opens a line.
			for _, line := range strings.Split(md, "\n") {
				line = strings.TrimSpace(line)
				switch {
				case line == "", strings.HasPrefix(line, "### 痛点激增"), strings.HasPrefix(line, "**范围**："),
					strings.HasPrefix(line, "**记录**："), line == "**样例（已脱敏）**":
				case len(line) > 2 && line[0] == '>' && line[1] == ' ' && line[2] >= '1' && line[2] <= '9':
				default:
					t.Errorf("line %q was not written by voc (a customer newline?)", line)
				}
				if i := strings.Index(line, "："); i >= 0 && strings.Contains(line[i:], "*") {
					t.Errorf("emphasis in a value: %q", line)
				}
				if strings.Contains(strings.TrimPrefix(line, "> "), ">") {
					t.Errorf("> inside a line: %q", line)
				}
				if strings.HasPrefix(line, ">") && strings.Contains(line, "*") {
					t.Errorf("emphasis in a sample: %q", line)
				}
			}
			if n := strings.Count(md, "> "); n != len(hostile) {
				t.Errorf("%d quote markers, want one per sample (%d)", n, len(hostile))
			}
		})
	}
}

// TestMarkdownLink: only an http or https link to voc is a link.
func TestMarkdownLink(t *testing.T) {
	for _, link := range []string{"javascript:alert(1)", "data:text/html,<script>", "//evil/x", "http://"} {
		m := testMessage()
		m.Link = link
		if got := markdown(m, "\n"); strings.Contains(got, "](") || strings.Contains(got, "查看详情") {
			t.Errorf("link %q rendered: %s", link, got)
		}
	}
}
