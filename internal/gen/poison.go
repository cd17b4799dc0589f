package gen

import (
	"strings"

	"github.com/vocproject/voc/feedback"
)

// PoisonCase is a message that feedback.Decode must reject with Reason.
type PoisonCase struct {
	Name   string
	Data   []byte
	Reason string // a feedback.Reason* constant
}

// PoisonCases returns bad messages for dead-letter tests, each with the
// reason Decode gives for it (with the default size limit). Ids start with
// "poison-" where the message has a readable id.
func PoisonCases() []PoisonCase {
	big := `{"id":"poison-oversize","kind":"review","text":"` + strings.Repeat("快递太慢了", feedback.DefaultMaxBytes/15+1) + `"}`
	return []PoisonCase{
		{"truncated json", []byte(`{"id":"poison-truncated","kind":"review","text":"物流太慢`), feedback.ReasonBadJSON},
		{"not json", []byte(`快递太慢了，差评`), feedback.ReasonBadJSON},
		{"json array", []byte(`[{"id":"poison-array","text":"质量很差"}]`), feedback.ReasonBadJSON},
		{"invalid utf-8", []byte("{\"id\":\"poison-utf8\",\"text\":\"\xff\xfe\xb1\xa3\xce\xc2\xb1\xad\"}"), feedback.ReasonNotUTF8},
		{"gbk bytes", []byte("{\"id\":\"poison-gbk\",\"text\":\"\xbf\xec\xb5\xdd\xcc\xab\xc2\xfd\"}"), feedback.ReasonNotUTF8},
		{"oversize", []byte(big), feedback.ReasonOversize},
		{"no text", []byte(`{"id":"poison-notext","kind":"review","product":"SKU-1001 保温杯","rating":1}`), feedback.ReasonNoText},
		{"blank text", []byte(`{"id":"poison-blank","kind":"review","text":"   \n\t "}`), feedback.ReasonNoText},
		{"chat with empty turns", []byte(`{"id":"poison-emptyturns","kind":"chat","turns":[{"role":"customer","text":""},{"role":"agent","text":" "}]}`), feedback.ReasonNoText},
		{"rating out of range", []byte(`{"id":"poison-rating","kind":"review","rating":9,"text":"还行"}`), feedback.ReasonBadField},
		{"rating of wrong type", []byte(`{"id":"poison-ratingtype","kind":"review","rating":"five","text":"很好"}`), feedback.ReasonBadField},
		{"nps out of range", []byte(`{"id":"poison-nps","kind":"survey","nps":11,"text":"不错"}`), feedback.ReasonBadField},
		{"unknown tier", []byte(`{"id":"poison-tier","text":"客服态度差","customer":{"id":"C1","tier":"gold"}}`), feedback.ReasonBadField},
		{"unknown turn role", []byte(`{"id":"poison-role","kind":"chat","turns":[{"role":"bot","text":"您好"}]}`), feedback.ReasonBadField},
		{"bad created_at", []byte(`{"id":"poison-time","text":"物流很快","created_at":"yesterday"}`), feedback.ReasonBadJSON},
	}
}

// Poison returns the data of PoisonCases.
func Poison() [][]byte {
	cs := PoisonCases()
	out := make([][]byte, len(cs))
	for i, c := range cs {
		out[i] = c.Data
	}
	return out
}
