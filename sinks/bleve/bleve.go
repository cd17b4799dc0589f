// Package bleve is voc's full-text index: a pipeline.Sink that writes the
// masked, normalized text of every record into a bleve (scorch) index, and a
// Search over it with filters and highlighting (a store/search.Searcher:
// the query, result and field names live there, for readers that need no
// sink).
//
// bleve has no Chinese analyzer. This package registers one, voc_zh: the
// voc_gse tokenizer (the gse segmenter of nlp/segment, in search mode: long
// words are indexed together with the dictionary words inside them) followed
// by lowercasing and a small stop list of particles. The application must
// call SetSegmenter before Open; see SetSegmenter for why this is global.
//
// Only masked text is indexed (nlp.Result.Text): raw text, which may hold
// personal data, never reaches the index.
package bleve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	blv "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	"go.etcd.io/bbolt"

	"github.com/vocproject/voc/pipeline"

	"github.com/vocproject/voc/store/search"
)

// DefaultPath is the default index directory.
const DefaultPath = "./.voc/index"

// DefaultBatchSize is the default largest number of documents in one bleve
// batch.
const DefaultBatchSize = 1000

// ErrReadOnly is returned by WriteBatch on an index opened read-only.
var ErrReadOnly = errors.New("bleve: index is open read-only")

// ErrLocked is returned by Open when another process has the index open.
// bleve's scorch index takes an exclusive file lock, so voc search cannot
// read an index that a running voc run writes; search through that
// process instead.
var ErrLocked = errors.New("bleve: index is locked by another process")

// Config configures the index sink. The zero value means defaults.
type Config struct {
	// Path is the index directory, created when missing. Default
	// DefaultPath.
	Path string
	// BatchSize bounds the documents of one bleve batch (and so the memory
	// of one write); WriteBatch splits larger batches. Default
	// DefaultBatchSize.
	BatchSize int
	// ReadOnly opens an existing index for Search only (voc search).
	ReadOnly bool
	// LockTimeout is how long Open waits for the index lock, which one
	// process holds while it has the index open (default 2s): a second
	// writer, or a reader while voc run writes, fails with ErrLocked
	// instead of hanging.
	LockTimeout time.Duration
}

// Validate reports a bad field.
func (c Config) Validate() error {
	if c.LockTimeout < 0 {
		return fmt.Errorf("bleve: config: lock timeout %s is negative", c.LockTimeout)
	}
	if c.BatchSize < 0 {
		return fmt.Errorf("bleve: config: batch size %d is negative", c.BatchSize)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Path == "" {
		c.Path = DefaultPath
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.LockTimeout == 0 {
		c.LockTimeout = 2 * time.Second
	}
	return c
}

// keywordFieldCount is the number of keyword fields among search.Field*.
const keywordFieldCount = 11

// Sink is the index sink. It is safe for concurrent use: Search may run
// while WriteBatch writes.
type Sink struct {
	cfg Config
	log *slog.Logger

	mu     sync.RWMutex // held for reading by every call, for writing by Close
	idx    blv.Index
	precut precut // the text field from the analysis's words
	closed bool
}

var _ pipeline.Sink = (*Sink)(nil)

// Open opens the index at cfg.Path, creating it with voc's mapping when the
// directory does not exist. SetSegmenter must have been called.
func Open(cfg Config, logger *slog.Logger) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	register()
	if _, err := segmenter(); err != nil {
		return nil, err
	}
	var idx blv.Index
	_, err := os.Stat(filepath.Join(cfg.Path, "index_meta.json"))
	switch {
	case err == nil:
		idx, err = blv.OpenUsing(cfg.Path, map[string]interface{}{
			"read_only":    cfg.ReadOnly,
			"bolt_timeout": cfg.LockTimeout.String(),
		})
		if errors.Is(err, bbolt.ErrTimeout) {
			return nil, fmt.Errorf("bleve: open index %s: %w (waited %s)", cfg.Path, ErrLocked, cfg.LockTimeout)
		}
		if err != nil {
			return nil, fmt.Errorf("bleve: open index %s: %w", cfg.Path, err)
		}
		logger.Info("bleve: opened index", "path", cfg.Path)
	case errors.Is(err, os.ErrNotExist) && cfg.ReadOnly:
		return nil, fmt.Errorf("bleve: open index %s read-only: %w", cfg.Path, err)
	case errors.Is(err, os.ErrNotExist):
		m, err := NewMapping()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Clean(cfg.Path)), 0o755); err != nil {
			return nil, fmt.Errorf("bleve: create index directory: %w", err)
		}
		idx, err = blv.New(cfg.Path, m)
		if err != nil {
			return nil, fmt.Errorf("bleve: create index %s: %w", cfg.Path, err)
		}
		logger.Info("bleve: created index", "path", cfg.Path)
	default:
		return nil, fmt.Errorf("bleve: open index %s: %w", cfg.Path, err)
	}
	return &Sink{cfg: cfg, log: logger, idx: idx, precut: newPrecut(idx.Mapping())}, nil
}

// NewMapping returns voc's index mapping: a static document mapping (no
// dynamic fields) with the fields named by the Field constants.
func NewMapping() (*mapping.IndexMappingImpl, error) {
	im := blv.NewIndexMapping()
	err := analysisConfig(func(kind, name string, config map[string]interface{}) error {
		switch kind {
		case "tokenizer":
			return im.AddCustomTokenizer(name, config)
		case "token_map":
			return im.AddCustomTokenMap(name, config)
		case "token_filter":
			return im.AddCustomTokenFilter(name, config)
		case "analyzer":
			return im.AddCustomAnalyzer(name, config)
		}
		return fmt.Errorf("unknown analysis kind %q", kind)
	})
	if err != nil {
		return nil, err
	}
	text := func() *mapping.FieldMapping {
		f := blv.NewTextFieldMapping()
		f.Analyzer = AnalyzerName
		f.Store = true
		f.IncludeTermVectors = true
		f.IncludeInAll = false
		f.DocValues = false // searched and highlighted, never sorted or faceted
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := blv.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = true
		f.IncludeInAll = false
		f.DocValues = false // filtered on, never sorted or faceted
		return f
	}
	// Numbers and the flag are shown with hits, never queried: stored only.
	// (An indexed numeric field adds a dozen precision-step terms per value;
	// not indexing them more than halves the cost of building segments.)
	num := func() *mapping.FieldMapping {
		f := blv.NewNumericFieldMapping()
		f.Store = true
		f.Index = false
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	doc := blv.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(search.FieldText, text())
	doc.AddFieldMappingsAt(search.FieldAgentText, text())
	for _, name := range []string{search.FieldKind, search.FieldChannel, search.FieldProduct, search.FieldTier, search.FieldRegion, search.FieldIntent,
		search.FieldSentiment, search.FieldCategories, search.FieldPainPoints, search.FieldPII, search.FieldLexicon} {
		doc.AddFieldMappingsAt(name, kw())
	}
	created := blv.NewDateTimeFieldMapping()
	created.Store = true
	created.IncludeInAll = false
	doc.AddFieldMappingsAt(search.FieldCreatedAt, created)
	for _, name := range []string{search.FieldScore, search.FieldRating, search.FieldCSAT, search.FieldNPS} {
		doc.AddFieldMappingsAt(name, num())
	}
	esc := blv.NewBooleanFieldMapping()
	esc.Store = true
	esc.Index = false
	esc.IncludeInAll = false
	esc.DocValues = false
	doc.AddFieldMappingsAt(search.FieldEscalation, esc)

	// No _all field: every query names its field.
	doc.AddSubDocumentMapping("_all", blv.NewDocumentDisabledMapping())
	im.DefaultMapping = doc
	im.DefaultAnalyzer = AnalyzerName
	im.IndexDynamic = false
	im.StoreDynamic = false
	im.DocValuesDynamic = false
	if err := im.Validate(); err != nil {
		return nil, fmt.Errorf("bleve: validate mapping: %w", err)
	}
	return im, nil
}

// WriteBatch indexes the records under their ids, in bleve batches of at
// most Config.BatchSize documents. Writing an id again replaces its
// document, so a redelivered batch leaves the index as it was. Records with
// Err set (dead letters) are skipped. When WriteBatch returns nil every
// document is persisted (scorch's safe batches wait for the segment to be
// written). On error, part of the records may have been written; writing
// the batch again is safe. It does not retain batch.
func (s *Sink) WriteBatch(ctx context.Context, batch []*pipeline.Record) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return search.ErrClosed
	}
	if s.cfg.ReadOnly {
		return ErrReadOnly
	}
	b := s.idx.NewBatch()
	n := 0
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("bleve: write batch: %w", err)
		}
		if err := s.idx.Batch(b); err != nil {
			return fmt.Errorf("bleve: write batch of %d documents: %w", b.Size(), err)
		}
		n += b.Size()
		b.Reset()
		return nil
	}
	for _, rec := range batch {
		if rec == nil || rec.Err != nil {
			continue
		}
		if rec.ID == "" {
			return fmt.Errorf("bleve: write batch: record at %s/%d/%d: %w", rec.Msg.Pos.Topic, rec.Msg.Pos.Partition, rec.Msg.Pos.Offset, errNoID)
		}
		doc := document.NewDocument(rec.ID)
		if err := s.idx.Mapping().MapDocument(doc, fields(rec)); err != nil {
			return fmt.Errorf("bleve: index record %q: %w: %w", rec.ID, errMapping, err)
		}
		if rec.Analysis != nil {
			s.precut.use(doc, rec.Analysis.Tokens)
		}
		if err := b.IndexAdvanced(doc); err != nil {
			return fmt.Errorf("bleve: index record %q: %w", rec.ID, err)
		}
		if b.Size() >= s.cfg.BatchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	s.log.Debug("bleve: indexed", "documents", n)
	return nil
}

var _ pipeline.Retryable = (*Sink)(nil)

// errNoID is returned by WriteBatch for a record without an id.
var errNoID = errors.New("record has no id")

// Retryable reports whether writing a batch again may succeed after err
// (pipeline.Retryable). A closed or read-only index and a record without an
// id or with a field the mapping refuses are permanent; I/O errors (a full
// disk) are transient: the write succeeds once space is freed.
func (s *Sink) Retryable(err error) bool {
	return !errors.Is(err, search.ErrClosed) && !errors.Is(err, ErrReadOnly) &&
		!errors.Is(err, errNoID) && !errors.Is(err, errMapping)
}

// errMapping wraps an error of mapping a record to a document.
var errMapping = errors.New("cannot map the record to a document")

// replicaKey is the index's internal key holding its replica id.
var replicaKey = []byte("voc_replica_id")

// ReplicaID returns the index's id: random, made when it is first asked
// for and stored in the index, so that it lives and dies with the index
// directory. voc run's replica mode names the consumer group that feeds
// this index after it: a new (or wiped) index gets a new group, which
// reads every partition from the start, and two index directories never
// share a group. On a read-only index without one it returns "".
func (s *Sink) ReplicaID() (string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return "", search.ErrClosed
	}
	v, err := s.idx.GetInternal(replicaKey)
	if err != nil {
		return "", fmt.Errorf("bleve: read replica id: %w", err)
	}
	if len(v) > 0 || s.cfg.ReadOnly {
		return string(v), nil
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("bleve: make replica id: %w", err)
	}
	id := hex.EncodeToString(b[:])
	if err := s.idx.SetInternal(replicaKey, []byte(id)); err != nil {
		return "", fmt.Errorf("bleve: store replica id: %w", err)
	}
	return id, nil
}

// Count returns the number of documents in the index.
func (s *Sink) Count() (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0, search.ErrClosed
	}
	n, err := s.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("bleve: count documents: %w", err)
	}
	return n, nil
}

// Close waits for running calls and closes the index. Later calls return
// search.ErrClosed; closing twice is a no-op.
func (s *Sink) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if err := s.idx.Close(); err != nil {
		return fmt.Errorf("bleve: close index %s: %w", s.cfg.Path, err)
	}
	return nil
}

// fields maps a record to the indexed fields. Only masked text is used.
func fields(rec *pipeline.Record) map[string]interface{} {
	d := make(map[string]interface{}, keywordFieldCount+8)
	put := func(k, v string) {
		if v != "" {
			d[k] = v
		}
	}
	if rec.LexiconVersion != "" {
		d[search.FieldLexicon] = rec.LexiconVersion
	}
	created := rec.Msg.Time
	if f := rec.Feedback; f != nil {
		put(search.FieldKind, f.Kind)
		put(search.FieldChannel, f.Channel)
		put(search.FieldProduct, f.Product)
		put(search.FieldTier, f.Customer.Tier)
		put(search.FieldRegion, f.Region)
		if f.Rating != 0 {
			d[search.FieldRating] = float64(f.Rating)
		}
		if f.CSAT != 0 {
			d[search.FieldCSAT] = float64(f.CSAT)
		}
		if f.NPS != nil {
			d[search.FieldNPS] = float64(*f.NPS)
		}
		if !f.CreatedAt.IsZero() {
			created = f.CreatedAt
		}
		if f.Kind == "" && f.IsChat() {
			d[search.FieldKind] = "chat"
		}
	}
	if !created.IsZero() {
		d[search.FieldCreatedAt] = created.UTC()
	}
	if a := rec.Analysis; a != nil {
		put(search.FieldText, a.Text)
		put(search.FieldIntent, a.Intent)
		put(search.FieldSentiment, a.Sentiment.Label)
		d[search.FieldScore] = a.Sentiment.Score
		d[search.FieldEscalation] = a.Escalation
		var cats, pains []string
		seenC, seenP := map[string]bool{}, map[string]bool{}
		add := func(list *[]string, seen map[string]bool, v string) {
			if v != "" && !seen[v] {
				seen[v] = true
				*list = append(*list, v)
			}
		}
		for _, asp := range a.Aspects {
			full := asp.Category
			if asp.Subcategory != "" {
				full += "/" + asp.Subcategory
			}
			add(&cats, seenC, asp.Category)
			add(&cats, seenC, full)
			if asp.Polarity == "negative" {
				add(&pains, seenP, asp.Category)
				add(&pains, seenP, full)
			}
		}
		if len(cats) > 0 {
			d[search.FieldCategories] = cats
		}
		if len(pains) > 0 {
			d[search.FieldPainPoints] = pains
		}
		if len(a.PII) > 0 {
			d[search.FieldPII] = append([]string(nil), a.PII...)
		}
	}
	var agent []byte
	for _, t := range rec.Turns {
		if t.Role == "agent" && t.Text != "" {
			if len(agent) > 0 {
				agent = append(agent, '\n')
			}
			agent = append(agent, t.Text...)
		}
	}
	if len(agent) > 0 {
		d[search.FieldAgentText] = string(agent)
	}
	return d
}

// parseTime reads a stored datetime field.
func parseTime(v interface{}) time.Time {
	s, ok := v.(string)
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
