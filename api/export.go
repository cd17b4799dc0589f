package api

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// exportLimit is the most records /export writes.
const exportLimit = 5000

// csvBody is an answer written as CSV instead of JSON.
type csvBody struct {
	name string // file name offered
	rows [][]string
}

// write sends the rows as UTF-8 CSV with a byte order mark (so that
// Excel reads the Chinese text), offered as a download.
func (c *csvBody) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+c.name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	_ = cw.WriteAll(c.rows)
}

// export answers /export: the records search would page through for the
// same filters (pain point, mention filters, sentiment, q as a substring),
// newest first, at most exportLimit, as CSV: one row per record with the
// tags and the mentions that selected it.
func (h *Handler) export(r *request) (any, error) {
	f, text, sent, err := r.recordQuery()
	if err != nil {
		return nil, err
	}
	if f.Mentions, err = r.mentions(); err != nil {
		return nil, err
	}
	page, err := h.cfg.CH.Verbatims(r.ctx, f, text, sent, exportLimit, 0)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"id", "created_at", "channel", "product", "customer_tier", "kind", "rating", "sentiment", "sentiment_score",
		"intent", "pain_points", "mentions", "text"}}
	for _, v := range page.Items {
		var ms []string
		rs := []rune(v.Text)
		for _, m := range v.Mentions {
			label := m.Category + "/" + m.Subcategory
			if w, ok := m.In(rs); ok {
				label += ":" + w
			}
			ms = append(ms, label)
		}
		rating := ""
		if v.Rating > 0 {
			rating = strconv.Itoa(int(v.Rating))
		}
		rows = append(rows, []string{v.ID, v.CreatedAt.UTC().Format(time.RFC3339), v.Channel, v.Product, v.Tier, v.Kind, rating,
			v.SentimentLabel, strconv.FormatFloat(v.Sentiment, 'f', 3, 64), v.Intent, strings.Join(v.PainPoints, ";"), strings.Join(ms, ";"),
			csvSafe(v.Text)})
	}
	return &csvBody{name: fmt.Sprintf("voc-%s-%s.csv", f.From.UTC().Format("20060102"), f.To.UTC().Format("20060102")), rows: rows}, nil
}

// csvSafe keeps a spreadsheet from reading customer text as a formula
// (CSV injection): a leading =, +, -, @, tab or carriage return gets a '.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
