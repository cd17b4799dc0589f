package feedback

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		max    int
		id     string
		reason string
		field  string
	}{
		{name: "review", in: `{"id":"r1","kind":"review","rating":5,"text":"很好","created_at":"2025-03-03T10:00:00+08:00","customer":{"id":"c","tier":"vip"}}`, id: "r1"},
		{name: "chat", in: `{"id":"c1","kind":"chat","turns":[{"role":"customer","text":"在吗"},{"role":"agent","text":"您好"}]}`, id: "c1"},
		{name: "survey with nps 0", in: `{"id":"s1","kind":"survey","nps":0,"text":"不推荐"}`, id: "s1"},
		{name: "no id is fine", in: `{"text":"物流很快"}`, id: ""},
		{name: "truncated", in: `{"id":"x","text":"物流`, reason: ReasonBadJSON},
		{name: "array", in: `[{"text":"a"}]`, reason: ReasonBadJSON},
		{name: "not utf-8", in: "{\"id\":\"u\",\"text\":\"\xff\xfe\"}", id: "u", reason: ReasonNotUTF8},
		{name: "oversize", in: `{"id":"big","text":"` + strings.Repeat("长", 100) + `"}`, max: 100, id: "big", reason: ReasonOversize},
		{name: "no text", in: `{"id":"n","rating":3}`, id: "n", reason: ReasonNoText, field: "text"},
		{name: "blank turns", in: `{"id":"b","turns":[{"role":"customer","text":"  "}]}`, id: "b", reason: ReasonNoText},
		{name: "markup only", in: `{"id":"m","text":"<b></b>"}`, id: "m", reason: ReasonNoText, field: "text"},
		{name: "zero width only", in: `{"id":"z","text":"\u200b\u200d\ufeff"}`, id: "z", reason: ReasonNoText, field: "text"},
		{name: "nul only", in: `{"id":"0","text":"\u0000"}`, id: "0", reason: ReasonNoText, field: "text"},
		{name: "escaped markup only", in: `{"id":"e","text":"&lt;p&gt;&nbsp;&lt;/p&gt;"}`, id: "e", reason: ReasonNoText, field: "text"},
		{name: "markup only turns", in: `{"id":"t","turns":[{"role":"customer","text":"<br>"},{"role":"agent","text":"\u200b"}]}`, id: "t", reason: ReasonNoText, field: "text"},
		{name: "markup around text", in: `{"id":"k","text":"<b>好</b>"}`, id: "k"},
		{name: "one turn with text", in: `{"id":"o","turns":[{"role":"customer","text":"<br>"},{"role":"agent","text":"您好"}]}`, id: "o"},
		{name: "rating range", in: `{"id":"r","rating":6,"text":"好"}`, id: "r", reason: ReasonBadField, field: "rating"},
		{name: "rating type", in: `{"id":"r","rating":"5","text":"好"}`, id: "r", reason: ReasonBadField, field: "rating"},
		{name: "csat range", in: `{"id":"r","csat":0,"text":"好"}`, id: "r"},
		{name: "nps range", in: `{"id":"r","nps":11,"text":"好"}`, id: "r", reason: ReasonBadField, field: "nps"},
		{name: "tier", in: `{"id":"r","text":"好","customer":{"tier":"gold"}}`, id: "r", reason: ReasonBadField, field: "customer.tier"},
		{name: "role", in: `{"id":"r","turns":[{"role":"bot","text":"好"}]}`, id: "r", reason: ReasonBadField, field: "turns[0].role"},
		{name: "numeric id peeked", in: `{"id":42,"text":""}`, id: "42", reason: ReasonBadField},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, id, err := Decode([]byte(tc.in), tc.max)
			if id != tc.id {
				t.Errorf("id %q, want %q", id, tc.id)
			}
			if tc.reason == "" {
				if err != nil || m == nil {
					t.Fatalf("err %v", err)
				}
				return
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Reason != tc.reason {
				t.Fatalf("err %v, want reason %s", err, tc.reason)
			}
			if tc.field != "" && de.Field != tc.field {
				t.Errorf("field %q, want %q", de.Field, tc.field)
			}
			if m != nil {
				t.Errorf("message returned with an error")
			}
		})
	}
}

func TestExtraPassesThrough(t *testing.T) {
	m, _, err := Decode([]byte(`{"id":"r","text":"好","order_id":"O-1","tags":["a","b"]}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.MarshalWith(map[string]any{"sentiment": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back["order_id"] != "O-1" || len(back["tags"].([]any)) != 2 || back["sentiment"] != 0.5 || back["text"] != "好" {
		t.Errorf("round trip %s", out)
	}
}

// FuzzDecode: Decode never panics, returns either a valid message or a
// DecodeError with a known reason, and a decoded message re-encodes and
// decodes to the same text.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"id":"a","text":"物流很快"}`, `{"turns":[{"role":"agent","text":"您好"},{"role":"customer","text":"退款"}]}`,
		`{"nps":5,"text":"x","customer":{"tier":"vip"}}`, `[1,2]`, `{"rating":"x"}`, "\xff", `{"created_at":"2025-01-01T00:00:00Z","text":"a"}`} {
		f.Add([]byte(s))
	}
	reasons := map[string]bool{ReasonBadJSON: true, ReasonNotUTF8: true, ReasonOversize: true, ReasonNoText: true, ReasonBadField: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _, err := Decode(data, 4096)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || !reasons[de.Reason] {
				t.Fatalf("error %v is not a DecodeError with a known reason", err)
			}
			return
		}
		if !utf8.Valid(data) {
			t.Fatal("invalid UTF-8 accepted")
		}
		out, err := m.MarshalWith(nil)
		if err != nil {
			t.Fatal(err)
		}
		m2, _, err := Decode(out, 1<<20)
		if err != nil {
			t.Fatalf("re-decode %s: %v", out, err)
		}
		if m2.Text != m.Text || len(m2.Turns) != len(m.Turns) || m2.ID != m.ID {
			t.Fatalf("round trip changed the message: %s", out)
		}
	})
}

func TestIsConversational(t *testing.T) {
	tests := []struct {
		m    Message
		want bool
	}{
		{Message{Kind: KindReview, Text: "x"}, false},
		{Message{Kind: KindSurvey, Text: "x"}, false},
		{Message{Text: "x"}, false},
		{Message{Kind: KindEmail, Text: "x"}, true},
		{Message{Kind: KindCall, Text: "x"}, true},
		{Message{Kind: KindChat, Text: "x"}, true},
		{Message{Turns: []Turn{{Role: "customer", Text: "x"}}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.m.Kind+"/"+strconv.Itoa(len(tc.m.Turns)), func(t *testing.T) {
			if got := tc.m.IsConversational(); got != tc.want {
				t.Errorf("IsConversational() = %v, want %v", got, tc.want)
			}
		})
	}
}
