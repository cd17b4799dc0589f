package bleve

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/vocproject/voc/nlp"

	"github.com/vocproject/voc/store/search"
)

// The analysis of a record has already segmented the text the index stores
// (nlp.Result.Tokens), and segmenting is the largest part of the voc_zh
// analyzer's cost. So the text field of a record is analysed from those
// words: the same token stream as voc_zh gives — subwords, token types,
// lowercase, stop words — without cutting the text again. When the words do
// not fit the text (another producer of records, a text changed after the
// analysis), the field falls back to the voc_zh analyzer.

// precut builds documents whose text field is analysed from the record's
// words. Its zero value (no filters found) analyses every field with the
// mapping's analyzers.
type precut struct {
	filters []analysis.TokenFilter // voc_zh's filters, in order
	ok      bool
}

// newPrecut takes voc_zh's token filters from the mapping, so that the
// pre-cut stream is filtered exactly as the index's own analyzer filters.
func newPrecut(m mapping.IndexMapping) precut {
	an, ok := m.AnalyzerNamed(AnalyzerName).(*analysis.DefaultAnalyzer)
	if !ok || an == nil {
		return precut{}
	}
	return precut{filters: an.TokenFilters, ok: true}
}

// use replaces doc's text field by one analysed from words, when there are
// words to use.
func (p precut) use(doc *document.Document, words []nlp.Token) {
	if !p.ok || len(words) == 0 {
		return
	}
	for i, f := range doc.Fields {
		tf, ok := f.(*document.TextField)
		if !ok || tf.Name() != search.FieldText {
			continue
		}
		doc.Fields[i] = document.NewTextFieldCustom(tf.Name(), tf.ArrayPositions(), tf.Value(), tf.Options(),
			&cutAnalyzer{words: words, filters: p.filters})
	}
}

// cutAnalyzer is voc_zh over words cut beforehand.
type cutAnalyzer struct {
	words   []nlp.Token
	filters []analysis.TokenFilter
}

func (a *cutAnalyzer) Analyze(in []byte) analysis.TokenStream {
	seg, err := segmenter()
	if err != nil {
		return nil // as the voc_zh tokenizer: unreachable once an index is open
	}
	byteAt := byteOffsets(in)
	var ts analysis.TokenStream
	if wordsFit(in, byteAt, a.words) {
		ts = tokenStream(seg, in, a.words, byteAt, true)
	} else {
		ts = tokenize(seg, in, true)
	}
	for _, f := range a.filters {
		ts = f.Filter(ts)
	}
	return ts
}

// wordsFit reports whether every word is in range, in order and spells the
// text at its offsets.
func wordsFit(in []byte, byteAt []int, words []nlp.Token) bool {
	runes, prev := len(byteAt)-1, 0
	for _, w := range words {
		if w.Start < prev || w.End <= w.Start || w.End > runes {
			return false
		}
		if string(in[byteAt[w.Start]:byteAt[w.End]]) != w.Text {
			return false
		}
		prev = w.End
	}
	return true
}
