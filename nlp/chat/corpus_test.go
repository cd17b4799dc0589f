package chat_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/internal/gen"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/chat"
)

// genChats returns the chat transcripts of a small generated gen.
func genChats(tb testing.TB, days int) []feedback.Message {
	tb.Helper()
	g, err := gen.New(gen.Config{Seed: 7, Days: days, PerDay: 150, Channels: []string{gen.ChannelChat, gen.ChannelEcommerce}, ChatShare: 0.6})
	if err != nil {
		tb.Fatal(err)
	}
	var out []feedback.Message
	for _, m := range g.All() {
		if m.IsChat() {
			out = append(out, m)
		}
	}
	return out
}

func inputTurns(m feedback.Message) []inputTurn {
	out := make([]inputTurn, len(m.Turns))
	for i, t := range m.Turns {
		out[i] = inputTurn{Role: t.Role, Text: t.Text, At: t.At}
	}
	return out
}

// TestGeneratedChats runs the demo generator's chats: an angry ending
// (CSAT 1-2 in the generator) must read as unresolved and risky, a calm
// one (CSAT 4-5) as resolved; the agents always greet.
func TestGeneratedChats(t *testing.T) {
	an, ca := setup(t)
	chats := genChats(t, 3)
	if len(chats) < 100 {
		t.Fatalf("%d generated chats, want at least 100", len(chats))
	}
	type tally struct{ n, resolved, unresolved, escalatedOrTransferred int }
	var low, high tally
	var riskLow, riskHigh float64
	for _, m := range chats {
		cr, c := converse(an, ca, inputTurns(m), "", m.CSAT)
		checkInvariants(t, cr, c)
		if c.CSAT != m.CSAT {
			t.Errorf("%s: csat %d, want %d", m.ID, c.CSAT, m.CSAT)
		}
		if c.FirstResponseSec == nil || c.AvgResponseSec == nil || c.HandleTimeSec == nil {
			t.Errorf("%s: generated chats have timestamps, got first %v avg %v handle %v", m.ID, c.FirstResponseSec, c.AvgResponseSec, c.HandleTimeSec)
		}
		for _, v := range c.Violations {
			if v.Rule == "问候" {
				t.Errorf("%s: greeting reported missing in %q", m.ID, m.Turns[v.Turn].Text)
			}
		}
		tl, risk := &high, &riskHigh
		switch {
		case m.CSAT <= 2:
			tl, risk = &low, &riskLow
		case m.CSAT == 3:
			continue
		}
		tl.n++
		*risk += c.EscalationRisk
		switch c.Resolution {
		case nlp.Resolved:
			tl.resolved++
		case nlp.Unresolved:
			tl.unresolved++
		}
		if c.Transfers > 0 || c.Escalated {
			tl.escalatedOrTransferred++
		}
	}
	t.Logf("%d chats; csat 1-2: %+v mean risk %.2f; csat 4-5: %+v mean risk %.2f", len(chats), low, riskLow/float64(low.n), high, riskHigh/float64(high.n))
	if low.n == 0 || high.n == 0 {
		t.Fatalf("csat 1-2: %d chats, 4-5: %d", low.n, high.n)
	}
	if share := float64(low.unresolved) / float64(low.n); share < 0.9 {
		t.Errorf("angry endings: %.2f unresolved, want >= 0.9", share)
	}
	if share := float64(low.escalatedOrTransferred) / float64(low.n); share < 0.9 {
		t.Errorf("angry endings (handed to a specialist): %.2f transferred or escalated, want >= 0.9", share)
	}
	if share := float64(high.resolved) / float64(high.n); share < 0.9 {
		t.Errorf("calm endings: %.2f resolved, want >= 0.9", share)
	}
	if riskLow/float64(low.n) < 2*riskHigh/float64(high.n)+0.1 {
		t.Errorf("mean escalation risk of angry endings %.2f is not well above calm ones %.2f", riskLow/float64(low.n), riskHigh/float64(high.n))
	}
}

// jddcPath is the shared JD customer-service data (see the README of the
// shared data beside the repository); the smoke test skips when it is absent.
var jddcPath = filepath.Join(gen.SharedDir(), "chats", "jddc2018", "train.enc")

// jddcChats reads up to max excerpts (0: all), each the context of
// train.enc followed by the agent's reply of the same line of train.dec.
// The context loses speaker boundaries (turns joined by commas), so roles
// are guessed from JD agents' style: an agent piece addresses the customer
// (亲, 您, 妹子 …).
func jddcChats(tb testing.TB, max int) [][]inputTurn {
	f, err := os.Open(jddcPath)
	if err != nil {
		tb.Skipf("JDDC data absent: %v", err)
	}
	defer f.Close()
	fd, err := os.Open(strings.TrimSuffix(jddcPath, ".enc") + ".dec")
	if err != nil {
		tb.Skipf("JDDC data absent: %v", err)
	}
	defer fd.Close()
	agentCues := []string{"亲", "您", "妹子", "小妹", "客官", "请问还有", "有什么问题我可以帮", "稍等", "为您", "给您", "帮您", "#E-s"}
	var out [][]inputTurn
	sc, scd := bufio.NewScanner(f), bufio.NewScanner(fd)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	scd.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() && scd.Scan() && (max == 0 || len(out) < max) {
		var turns []inputTurn
		for _, piece := range strings.Split(sc.Text(), ",") {
			piece = strings.TrimSpace(piece)
			if piece == "" {
				continue
			}
			role := "customer"
			for _, cue := range agentCues {
				if strings.Contains(piece, cue) {
					role = "agent"
					break
				}
			}
			turns = append(turns, inputTurn{Role: role, Text: piece})
		}
		if reply := strings.Trim(scd.Text(), ", "); reply != "" {
			turns = append(turns, inputTurn{Role: "agent", Text: reply})
		}
		if len(turns) > 0 {
			out = append(out, turns)
		}
	}
	return out
}

// TestJDDCSmoke runs real JD customer-service excerpts: nothing may break
// (spans, counts, ranges), and the signals are logged for a look.
func TestJDDCSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	max := 1000
	if os.Getenv("VOC_JDDC_ALL") != "" {
		max = 0
	}
	chats := jddcChats(t, max)
	an, ca := setup(t)
	res := map[string]int{}
	rules := map[string]int{}
	var transfers, repeatQ, repeatD, escalated, withPain, turns int
	start := time.Now()
	for _, in := range chats {
		cr, c := converse(an, ca, in, "", 0)
		checkInvariants(t, cr, c)
		turns += len(in)
		res[c.Resolution+"/"+c.ResolutionReason]++
		for _, v := range c.Violations {
			rules[v.Kind+"/"+v.Rule]++
		}
		if c.Transfers > 0 {
			transfers++
		}
		if c.RepeatedQuestions > 0 {
			repeatQ++
		}
		if c.RepeatedDemands > 0 {
			repeatD++
		}
		if c.Escalated {
			escalated++
		}
		if len(c.PainPoints) > 0 {
			withPain++
		}
		if c.FirstResponseSec != nil || c.HandleTimeSec != nil {
			t.Errorf("service times without timestamps: %+v", c)
		}
	}
	n := len(chats)
	pct := func(k int) string { return fmt.Sprintf("%d (%.1f%%)", k, 100*float64(k)/float64(n)) }
	t.Logf("%d JDDC excerpts, %d turns, %v", n, turns, time.Since(start).Round(time.Millisecond))
	t.Logf("resolution: %v", res)
	t.Logf("with transfers %s, repeated questions %s, repeated demands %s, escalated %s, with pain points %s",
		pct(transfers), pct(repeatQ), pct(repeatD), pct(escalated), pct(withPain))
	t.Logf("violations by rule: %v", rules)
	if withPain < n/10 {
		t.Errorf("only %d of %d excerpts with a pain point", withPain, n)
	}
}

// BenchmarkChatVsReviews compares analysing generated chats (per turn,
// then as a conversation) with analysing reviews of the same total text
// length, alternating the two on the same machine load. chat-%-of-review
// is the chats' text throughput relative to the reviews'.
func BenchmarkChatVsReviews(b *testing.B) {
	an, ca := setup(b)
	chats := genChats(b, 2)
	chatBytes := 0
	for _, m := range chats {
		for _, t := range m.Turns {
			chatBytes += len(t.Text)
		}
	}
	// Reviews of the generated feed, repeated, cut to the chats' length.
	g, err := gen.New(gen.Config{Seed: 8, Days: 3, PerDay: 150, Channels: []string{gen.ChannelEcommerce}})
	if err != nil {
		b.Fatal(err)
	}
	all := g.All()
	var reviews []string
	for n, i := 0, 0; n < chatBytes && i < 100*len(all); i++ {
		s := all[i%len(all)].Text
		if rest := chatBytes - n; len(s) > rest {
			for rest > 0 && !utf8.RuneStart(s[rest]) {
				rest--
			}
			s = s[:rest]
		}
		if s != "" {
			reviews = append(reviews, s)
			n += len(s)
		}
	}
	msgs := make([][]inputTurn, len(chats))
	for i, m := range chats {
		msgs[i] = inputTurns(m)
	}
	var tc, tr time.Duration
	b.SetBytes(int64(2 * chatBytes))
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		for _, in := range msgs {
			converse(an, ca, in, "", 0)
		}
		t1 := time.Now()
		for _, s := range reviews {
			an.Analyze(s, nlp.Options{})
		}
		tr += time.Since(t1)
		tc += t1.Sub(t0)
	}
	b.ReportMetric(float64(len(msgs)*b.N)/tc.Seconds(), "chats/s")
	b.ReportMetric(float64(len(reviews)*b.N)/tr.Seconds(), "reviews/s")
	b.ReportMetric(float64(chatBytes*b.N)/1e6/tc.Seconds(), "chat-MB/s")
	b.ReportMetric(float64(chatBytes*b.N)/1e6/tr.Seconds(), "review-MB/s")
	b.ReportMetric(100*tr.Seconds()/tc.Seconds(), "chat-%-of-review")
}

// BenchmarkConversation measures the conversation step alone (after the
// per-turn analysis), per chat.
func BenchmarkConversation(b *testing.B) {
	an, ca := setup(b)
	chats := genChats(b, 1)
	var turns [][]chat.Turn
	for _, m := range chats {
		cr, _ := converse(an, ca, inputTurns(m), "", 0)
		ct := make([]chat.Turn, len(m.Turns))
		for i := range ct {
			ct[i] = chat.Turn{TurnResult: cr.Turns[i], At: m.Turns[i].At}
		}
		turns = append(turns, ct)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, ts := range turns {
			ca.Analyze(ts, chat.Options{})
		}
	}
	b.ReportMetric(float64(len(turns)*b.N)/b.Elapsed().Seconds(), "chats/s")
}
