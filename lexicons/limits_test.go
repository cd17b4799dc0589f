package lexicons

import (
	"errors"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"
)

// endlessFS serves the embedded lexicons with one file replaced by an
// endless stream of pattern, like a lexicon directory whose sentiment.tsv
// is a link to /dev/zero.
type endlessFS struct {
	name    string
	pattern []byte
	mode    fs.FileMode
	size    int64 // what Stat reports
}

func (e endlessFS) Open(name string) (fs.File, error) {
	if name == e.name {
		return &endlessFile{e: e}, nil
	}
	return Embedded().Open(name)
}

func (e endlessFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(Embedded(), name) }

type endlessFile struct {
	e   endlessFS
	off int
}

func (f *endlessFile) Stat() (fs.FileInfo, error) { return endlessInfo{f.e}, nil }
func (f *endlessFile) Close() error               { return nil }
func (f *endlessFile) Read(p []byte) (int, error) {
	pat := f.e.pattern
	n := copy(p, pat[f.off%len(pat):])
	for n < len(p) {
		n += copy(p[n:], p[:n]) // p[:n] repeats the pattern from its start
	}
	f.off += len(p)
	return len(p), nil
}

type endlessInfo struct{ e endlessFS }

func (i endlessInfo) Name() string       { return i.e.name }
func (i endlessInfo) Size() int64        { return i.e.size }
func (i endlessInfo) Mode() fs.FileMode  { return i.e.mode }
func (i endlessInfo) ModTime() time.Time { return time.Time{} }
func (i endlessInfo) IsDir() bool        { return false }
func (i endlessInfo) Sys() any           { return nil }

// allocated runs fn and returns the bytes it allocated.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestReadLimits: a lexicon file that never ends is refused quickly, with
// bounded memory and an error naming it: at the first line above
// MaxLineBytes (zeros, like /dev/zero) or past MaxFileBytes (short lines),
// or at once when its size is known to be too large.
func TestReadLimits(t *testing.T) {
	tests := []struct {
		name    string
		fsys    endlessFS
		want    string // prefix of the error
		maxHeld uint64 // bytes the read may allocate
	}{
		{"dev zero", endlessFS{name: SentimentFile, pattern: []byte{0}, mode: fs.ModeDevice | fs.ModeCharDevice},
			SentimentFile + ":1: too large: line longer than", 8 * MaxLineBytes},
		{"endless lines", endlessFS{name: SentimentFile, pattern: []byte("好\t1\n")},
			SentimentFile + ": too large: more than the 64 MiB", 3 * MaxFileBytes},
		{"size known", endlessFS{name: TaxonomyFile, pattern: []byte("\n"), size: MaxFileBytes + 1},
			TaxonomyFile + ": too large: 67108865 bytes, above the 64 MiB", 1 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			start := time.Now()
			held := allocated(func() { err = ReadLines(tc.fsys, tc.fsys.name, false, func(Line) error { return nil }) })
			var es Errors
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !errors.As(err, &es) || len(es) != 1 || !errors.Is(es[0], ErrTooLarge) {
				t.Fatalf("err = %v, want %q… wrapping ErrTooLarge", err, tc.want)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("refused after %s", d)
			}
			if held > tc.maxHeld {
				t.Errorf("read allocated %d MiB, want at most %d MiB", held>>20, tc.maxHeld>>20)
			}
			// The loader and the validator report it the same way.
			if _, err := Load(tc.fsys); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v, want %q", err, tc.want)
			}
			v := Validate(tc.fsys)
			found := false
			for _, p := range v.Problems {
				found = found || (!p.Warning && strings.HasPrefix(p.String(), strings.SplitN(tc.want, ": too large", 2)[0]) && strings.Contains(p.Msg, "too large"))
			}
			if !found {
				t.Errorf("Validate does not report it: %v", v.Problems)
			}
		})
	}
}

// TestUnprintableTerms: a term that is not UTF-8 or holds NUL, ESC, DEL
// or a C1 control is an error at its file and line, and no message holds
// the raw byte.
func TestUnprintableTerms(t *testing.T) {
	tests := []struct{ name, line, want string }{
		{"invalid UTF-8", "坏\xff了\t-1", `sentiment_voc.tsv:3: not UTF-8: "坏\xff了"`},
		{"NUL", "坏\x00了\t-1", `sentiment_voc.tsv:3: control character U+0000 in "坏\x00了"`},
		{"escape sequence", "坏\x1b[2J\x1b]0;pwned\x07\t-1", `sentiment_voc.tsv:3: control character U+001B in "坏\x1b[2J\x1b]0;pwned\a"`},
		{"C1 CSI", "坏\u009b31m\t-1", `sentiment_voc.tsv:3: control character U+009B in "坏\u009b31m"`},
		{"DEL in the weight", "坏了\t-1\x7f", `sentiment_voc.tsv:3: control character U+007F in "-1\x7f"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := fs.ReadFile(Embedded(), SentimentVocFile)
			if err != nil {
				t.Fatal(err)
			}
			fsys := overlayFS{top: fstest.MapFS{SentimentVocFile: {Data: append([]byte("# source: test\n\n"+tc.line+"\n"), data...)}}, base: Embedded()}
			_, err = Load(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: %v\nwant %s", err, tc.want)
			}
			v := Validate(fsys)
			msgs := []string{err.Error()}
			for _, p := range v.Problems {
				msgs = append(msgs, p.String())
			}
			for _, m := range msgs {
				if !utf8.ValidString(m) {
					t.Errorf("message is not UTF-8: %q", m)
				}
				for _, r := range m {
					if (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) {
						t.Errorf("message holds %U: %q", r, m)
					}
				}
			}
			for _, e := range v.Entries {
				if e.File == SentimentVocFile && e.Line == 3 {
					t.Errorf("the line's term is an entry: %q", e.Term)
				}
			}
		})
	}
}

var _ io.Reader = (*endlessFile)(nil)
