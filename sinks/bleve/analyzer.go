package bleve

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/vocproject/voc/nlp/segment"
)

// Names registered in bleve's analysis registry and used by the index
// mapping. They are written into the index's metadata, so they must never
// change once indexes exist.
const (
	TokenizerType = "voc_gse" // tokenizer type backed by the gse segmenter
	AnalyzerName  = "voc_zh"  // gse tokenizer + lowercase + stop words
	tokenizerName = "voc_zh_tokenizer"
	stopMapName   = "voc_zh_stop_map"
	stopName      = "voc_zh_stop"
)

// ErrNoSegmenter is returned when an index is opened, or text analysed,
// before SetSegmenter was called.
var ErrNoSegmenter = errors.New("bleve: segmenter not set: call SetSegmenter before opening an index")

// current is the segmenter used by every voc_gse tokenizer of the process.
//
// A package-level variable is needed because bleve builds analyzers itself,
// through its global registry, from the JSON analysis config stored in the
// index metadata (that is how an index reopened from disk finds its
// analyzer). That config can hold only JSON values, so there is no way to
// hand a Go object to the tokenizer through it. The application sets the
// Holder once, before opening an index; tokenizers read it on every call,
// so a lexicon reload swapped into the Holder reaches the index too.
var current atomic.Pointer[segment.Holder]

// SetSegmenter sets the segmenter used by the voc_zh analyzer of every index
// in the process. Call it once, before Open; later calls replace the Holder
// (tests use this), texts analysed afterwards use the new one.
func SetSegmenter(h *segment.Holder) {
	register()
	current.Store(h)
}

func segmenter() (*segment.Segmenter, error) {
	h := current.Load()
	if h == nil {
		return nil, ErrNoSegmenter
	}
	s := h.Load()
	if s == nil {
		return nil, ErrNoSegmenter
	}
	return s, nil
}

var registerOnce sync.Once

// register adds the voc_gse tokenizer type to bleve's registry, once.
func register() {
	registerOnce.Do(func() {
		// RegisterTokenizer fails only on a duplicate name, which the Once
		// rules out unless another package took the name: then the index
		// would use a foreign tokenizer, so fail loudly.
		if err := registry.RegisterTokenizer(TokenizerType, newTokenizer); err != nil {
			panic(fmt.Sprintf("bleve: register tokenizer %s: %v", TokenizerType, err))
		}
	})
}

// newTokenizer builds a voc_gse tokenizer from its JSON config:
// "subwords" (bool, default true) also emits the dictionary words inside
// longer words, at the same position (gse/jieba search mode).
func newTokenizer(config map[string]interface{}, _ *registry.Cache) (analysis.Tokenizer, error) {
	if _, err := segmenter(); err != nil {
		return nil, err
	}
	t := &tokenizer{subwords: true}
	if v, ok := config["subwords"]; ok {
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("bleve: tokenizer %s: subwords is %T, want bool", TokenizerType, v)
		}
		t.subwords = b
	}
	return t, nil
}

// tokenizer cuts text with the current segment.Segmenter. Tokens carry byte
// offsets (bleve's Start/End) converted from the segmenter's rune offsets;
// punctuation and whitespace are dropped; placeholders such as <PHONE> are
// one token.
type tokenizer struct{ subwords bool }

func (t *tokenizer) Tokenize(in []byte) analysis.TokenStream {
	seg, err := segmenter()
	if err != nil {
		// Unreachable: newTokenizer refused to build without one, and the
		// Holder is never cleared. Index nothing rather than panic.
		return nil
	}
	return tokenize(seg, in, t.subwords)
}

func tokenize(seg *segment.Segmenter, in []byte, subwords bool) analysis.TokenStream {
	return tokenStream(seg, in, seg.Cut(string(in)), byteOffsets(in), subwords)
}

// byteOffsets returns the byte offset of every rune of in, and len(in) last.
func byteOffsets(in []byte) []int {
	byteAt := make([]int, 0, len(in)+1)
	for i := 0; i < len(in); {
		byteAt = append(byteAt, i)
		_, size := utf8.DecodeRune(in[i:])
		i += size
	}
	return append(byteAt, len(in))
}

// tokenStream turns the words of in (rune offsets; byteAt from byteOffsets)
// into bleve tokens.
func tokenStream(seg *segment.Segmenter, in []byte, toks []segment.Token, byteAt []int, subwords bool) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(toks)+len(toks)/4)
	pos := 0
	for _, tk := range toks {
		if tk.Start < 0 || tk.End > len(byteAt)-1 || tk.Start >= tk.End {
			continue
		}
		bs, be := byteAt[tk.Start], byteAt[tk.End]
		word := in[bs:be]
		typ, keep := tokenType(word, tk.POS)
		if !keep {
			continue
		}
		pos++
		if subwords && typ == analysis.Ideographic && tk.End-tk.Start > 2 {
			out = appendSubwords(seg, out, in, byteAt, tk.Start, tk.End, pos)
		}
		out = append(out, &analysis.Token{Start: bs, End: be, Term: word, Position: pos, Type: typ})
	}
	return out
}

// appendSubwords adds the dictionary words of 2 and 3 runes inside the word
// at runes [start,end), at the word's position, so that a query for 保温
// finds 保温杯. A piece is a dictionary word when the segmenter keeps it
// whole and knows its part of speech (words found by the HMM have none).
func appendSubwords(seg *segment.Segmenter, out analysis.TokenStream, in []byte, byteAt []int, start, end, pos int) analysis.TokenStream {
	n := end - start
	for size := 2; size <= 3 && size < n; size++ {
		for i := start; i+size <= end; i++ {
			piece := in[byteAt[i]:byteAt[i+size]]
			cut := seg.Cut(string(piece))
			if len(cut) != 1 || cut[0].POS == "" {
				continue
			}
			out = append(out, &analysis.Token{Start: byteAt[i], End: byteAt[i+size], Term: piece, Position: pos, Type: analysis.Ideographic})
		}
	}
	return out
}

// tokenType classifies a token; keep is false for tokens made only of
// punctuation, spaces or control characters.
func tokenType(word []byte, pos string) (typ analysis.TokenType, keep bool) {
	if pos == segment.POSPlaceholder {
		return analysis.AlphaNumeric, true
	}
	han, alpha, digit, other := false, false, false, false
	for i := 0; i < len(word); {
		r, size := utf8.DecodeRune(word[i:])
		i += size
		switch {
		case unicode.Is(unicode.Han, r):
			han = true
		case unicode.IsLetter(r):
			alpha = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError:
		default:
			other = true // symbols, emoji
		}
	}
	switch {
	case han:
		return analysis.Ideographic, true
	case alpha:
		return analysis.AlphaNumeric, true
	case digit:
		return analysis.Numeric, true
	case other:
		return analysis.Single, true
	}
	return 0, false
}

// stopWords are particles that carry no meaning for search; dropping them
// keeps AND queries such as 快递太慢了 from requiring the 了.
var stopWords = []string{"的", "了", "吗", "呢", "啊", "吧", "呀", "哦", "嘛", "么", "啦", "哈", "嗯", "噢", "呃", "地", "得", "着"}

// analysisConfig adds the voc_zh analyzer to a mapping's custom analysis.
func analysisConfig(add func(kind, name string, config map[string]interface{}) error) error {
	stops := make([]interface{}, len(stopWords))
	for i, w := range stopWords {
		stops[i] = w
	}
	steps := []struct {
		kind, name string
		config     map[string]interface{}
	}{
		{"tokenizer", tokenizerName, map[string]interface{}{"type": TokenizerType, "subwords": true}},
		{"token_map", stopMapName, map[string]interface{}{"type": tokenmap.Name, "tokens": stops}},
		{"token_filter", stopName, map[string]interface{}{"type": stop.Name, "stop_token_map": stopMapName}},
		{"analyzer", AnalyzerName, map[string]interface{}{
			"type":          custom.Name,
			"tokenizer":     tokenizerName,
			"token_filters": []interface{}{lowercase.Name, stopName},
		}},
	}
	for _, s := range steps {
		if err := add(s.kind, s.name, s.config); err != nil {
			return fmt.Errorf("bleve: add %s %s: %w", s.kind, s.name, err)
		}
	}
	return nil
}
