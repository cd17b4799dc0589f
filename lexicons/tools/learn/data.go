package learn

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Example is one labelled text.
type Example struct {
	Text  string
	Label bool // true: positive
}

// ReadFile reads labelled texts from a CSV (.csv), TSV (.tsv, .txt) or JSON
// Lines (.jsonl, .json) file with a header row (CSV, TSV) naming textCol
// and labelCol. Labels are 1/0, positive/negative, pos/neg, true/false.
func ReadFile(path, textCol, labelCol string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("learn: read %s: %w", path, err)
	}
	defer f.Close()
	name := filepath.Base(path)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return readDelimited(f, name, ',', textCol, labelCol)
	case ".tsv", ".txt":
		return readTSV(f, name, textCol, labelCol)
	case ".jsonl", ".json", ".ndjson":
		return readJSONL(f, name, textCol, labelCol)
	}
	return nil, fmt.Errorf("learn: read %s: unknown format (want .csv, .tsv or .jsonl)", path)
}

// ParseLabel parses a binary sentiment label.
func ParseLabel(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "positive", "pos", "true", "正面", "+1":
		return true, nil
	case "0", "negative", "neg", "false", "负面", "-1":
		return false, nil
	}
	return false, fmt.Errorf("label %q: want 1/0, positive/negative, pos/neg or true/false", s)
}

func readDelimited(r io.Reader, name string, sep rune, textCol, labelCol string) ([]Example, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("learn: read %s: header: %w", name, err)
	}
	ti, li, err := headerColumns(name, head, textCol, labelCol)
	if err != nil {
		return nil, err
	}
	var out []Example
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("learn: read %s: %w", name, err)
		}
		if len(rec) <= ti || len(rec) <= li {
			return nil, fmt.Errorf("learn: read %s:%d: %d fields, want at least %d", name, line, len(rec), max(ti, li)+1)
		}
		lab, err := ParseLabel(rec[li])
		if err != nil {
			return nil, fmt.Errorf("learn: read %s:%d: %w", name, line, err)
		}
		text := strings.TrimSpace(strings.TrimPrefix(rec[ti], "\uFEFF"))
		if text == "" {
			continue
		}
		out = append(out, Example{Text: text, Label: lab})
	}
	return out, nil
}

func readJSONL(r io.Reader, name, textCol, labelCol string) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	var out []Example
	for no := 1; sc.Scan(); no++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			return nil, fmt.Errorf("learn: read %s:%d: %w", name, no, err)
		}
		var text string
		var lv any
		for _, c := range strings.Split(textCol, ",") {
			if t, ok := m[strings.TrimSpace(c)].(string); ok {
				text = t
				break
			}
		}
		for _, c := range strings.Split(labelCol, ",") {
			if v, ok := m[strings.TrimSpace(c)]; ok {
				lv = v
				break
			}
		}
		var ls string
		switch v := lv.(type) {
		case string:
			ls = v
		case float64:
			ls = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			ls = strconv.FormatBool(v)
		default:
			return nil, fmt.Errorf("learn: read %s:%d: no label field %q", name, no, labelCol)
		}
		lab, err := ParseLabel(ls)
		if err != nil {
			return nil, fmt.Errorf("learn: read %s:%d: %w", name, no, err)
		}
		if text = strings.TrimSpace(text); text != "" {
			out = append(out, Example{Text: text, Label: lab})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("learn: read %s: %w", name, err)
	}
	return out, nil
}

// readTSV reads TAB-separated lines without quoting (ChnSentiCorp texts hold
// bare quotes).
func readTSV(r io.Reader, name, textCol, labelCol string) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	ti, li := -1, -1
	var out []Example
	for no := 1; sc.Scan(); no++ {
		rec := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if no == 1 {
			var err error
			if ti, li, err = headerColumns(name, rec, textCol, labelCol); err != nil {
				return nil, err
			}
			continue
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) <= ti || len(rec) <= li {
			return nil, fmt.Errorf("learn: read %s:%d: %d fields, want at least %d", name, no, len(rec), max(ti, li)+1)
		}
		lab, err := ParseLabel(rec[li])
		if err != nil {
			return nil, fmt.Errorf("learn: read %s:%d: %w", name, no, err)
		}
		if text := strings.TrimSpace(rec[ti]); text != "" {
			out = append(out, Example{Text: text, Label: lab})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("learn: read %s: %w", name, err)
	}
	if ti < 0 {
		return nil, fmt.Errorf("learn: read %s: empty file", name)
	}
	return out, nil
}

// isCol reports whether header h is one of the comma-separated names.
func isCol(h, names string) bool {
	for _, n := range strings.Split(names, ",") {
		if strings.TrimSpace(n) == h {
			return true
		}
	}
	return false
}

// headerColumns returns the indexes of the text and label columns in the
// header row head of file name.
func headerColumns(name string, head []string, textCol, labelCol string) (ti, li int, err error) {
	ti, li = -1, -1
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		if ti < 0 && isCol(h, textCol) {
			ti = i
		}
		if li < 0 && isCol(h, labelCol) {
			li = i
		}
	}
	if ti < 0 || li < 0 {
		return -1, -1, fmt.Errorf("learn: read %s: header %q lacks text column %q or label column %q", name, head, textCol, labelCol)
	}
	return ti, li, nil
}
