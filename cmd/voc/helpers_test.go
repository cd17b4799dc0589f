package main

import (
	"sync"
	"testing"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/nlp/analyzer"
)

var (
	anOnce sync.Once
	an     *analyzer.Analyzer
	anErr  error
)

// testAnalyzer returns the process-wide analyzer over the shipped lexicons
// (the segmenter dictionary loads once per test binary).
func testAnalyzer(t testing.TB) *analyzer.Analyzer {
	t.Helper()
	anOnce.Do(func() {
		var set *lexicons.Set
		set, anErr = lexicons.Load(lexicons.Embedded())
		if anErr == nil {
			an, anErr = analyzer.New(set, nil)
		}
	})
	if anErr != nil {
		t.Fatal(anErr)
	}
	return an
}
