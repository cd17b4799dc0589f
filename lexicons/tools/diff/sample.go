package diff

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vocproject/voc/feedback"
	"github.com/vocproject/voc/nlp"
)

// LineError is a sample line that could not be read.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

func (e *LineError) Unwrap() error { return e.Err }

// ReadSample reads a sample: JSON Lines of feedback messages (a line that
// starts with '{'; schema of package feedback) or one text per line. Blank
// lines are skipped; lines that cannot be read are returned as LineErrors
// and left out. maxBytes bounds a line (0: feedback.DefaultMaxBytes). The
// error is a read error of r.
func ReadSample(r io.Reader, maxBytes int) ([]Record, []*LineError, error) {
	if maxBytes <= 0 {
		maxBytes = feedback.DefaultMaxBytes
	}
	var recs []Record
	var bad []*LineError
	br := bufio.NewReaderSize(r, 64<<10)
	for no := 1; ; no++ {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			if rec, lerr := parseLine(no, line, maxBytes); lerr != nil {
				bad = append(bad, lerr)
			} else if rec != nil {
				recs = append(recs, *rec)
			}
		}
		if err == io.EOF {
			return recs, bad, nil
		}
		if err != nil {
			return recs, bad, fmt.Errorf("read sample: %w", err)
		}
	}
}

func parseLine(no int, line []byte, maxBytes int) (*Record, *LineError) {
	line = bytes.TrimRight(line, "\r\n")
	if no == 1 {
		line = bytes.TrimPrefix(line, []byte("\uFEFF"))
	}
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 {
		return nil, nil
	}
	if len(line) > maxBytes {
		return nil, &LineError{no, fmt.Errorf("line is %d bytes, limit %d", len(line), maxBytes)}
	}
	if trimmed[0] != '{' {
		if !utf8.Valid(trimmed) {
			return nil, &LineError{no, fmt.Errorf("not UTF-8")}
		}
		return &Record{Line: no, Text: strings.TrimSpace(string(trimmed))}, nil
	}
	m, _, err := feedback.Decode(trimmed, maxBytes)
	if err != nil {
		return nil, &LineError{no, err}
	}
	rec := &Record{Line: no, ID: m.ID, Text: m.Text, Rating: m.Rating, CreatedAt: m.CreatedAt, Conversational: m.IsConversational()}
	for _, t := range m.Turns {
		rec.Turns = append(rec.Turns, nlp.Turn{Role: t.Role, Text: t.Text})
	}
	return rec, nil
}
