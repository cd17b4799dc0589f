package pii

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vocproject/voc/nlp/normalize"
)

// probe is one line of testdata/probes.tsv: the text and its marked spans.
type probe struct {
	line  int
	text  string
	marks []mark
}

// mark is a marked span of a probe, in runes of its text; kind "-" is text
// that must be left alone.
type mark struct {
	kind       string
	start, end int
}

func loadProbes(t *testing.T) []probe {
	t.Helper()
	f, err := os.Open("testdata/probes.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ps []probe
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		p := probe{line: n}
		var b strings.Builder
		runes := 0
		for l != "" {
			i := strings.Index(l, "⟦")
			if i < 0 {
				b.WriteString(l)
				break
			}
			b.WriteString(l[:i])
			runes += utf8.RuneCountInString(l[:i])
			l = l[i+len("⟦"):]
			bar, end := strings.Index(l, "|"), strings.Index(l, "⟧")
			if bar < 0 || end < bar {
				t.Fatalf("probes.tsv:%d: bad mark", n)
			}
			m := mark{kind: l[:bar], start: runes}
			runes += utf8.RuneCountInString(l[bar+1 : end])
			m.end = runes
			b.WriteString(l[bar+1 : end])
			p.marks = append(p.marks, m)
			l = l[end+len("⟧"):]
		}
		p.text = b.String()
		ps = append(ps, p)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestProbes measures masking on the labelled probes as the analyzer runs
// it, on normalized text: recall is the share of marked personal data
// masked whole, the false-positive rate the share of non-personal spans
// (marked "-", and any other text that got masked) masked even in part.
func TestProbes(t *testing.T) {
	ps := loadProbes(t)
	var pos, hit, wrongKind, neg, fp, spurious int
	for _, p := range ps {
		nt := normalize.Normalize(p.text)
		spans := find(nt.S)
		// kind of every normalized rune, none when not masked
		cov := make([]kind, utf8.RuneCountInString(nt.S))
		byteToRune := make([]int, len(nt.S)+1)
		r := 0
		for i := range nt.S {
			byteToRune[i] = r
			r++
		}
		byteToRune[len(nt.S)] = r
		for _, sp := range spans {
			for i := byteToRune[sp.b]; i < byteToRune[sp.e]; i++ {
				cov[i] = sp.k
			}
		}
		runes := []rune(nt.S)
		in := func(m mark, i int) bool { return nt.Orig[i] >= m.start && nt.Orig[i] < m.end }
		for _, m := range p.marks {
			all, any, kinds := true, false, map[kind]bool{}
			for i := range runes {
				if !in(m, i) || runes[i] == ' ' {
					continue
				}
				if cov[i] == none {
					all = false
				} else {
					any = true
					kinds[cov[i]] = true
				}
			}
			if m.kind == "-" {
				neg++
				if any {
					fp++
					t.Logf("probes.tsv:%d: false positive %q in %q", p.line, string([]rune(p.text)[m.start:m.end]), nt.S)
				}
				continue
			}
			pos++
			if all {
				hit++
				if len(kinds) != 1 || !kinds[kindOf(m.kind)] {
					wrongKind++
					t.Logf("probes.tsv:%d: %s masked as another kind in %q", p.line, m.kind, nt.S)
				}
			} else {
				t.Logf("probes.tsv:%d: missed %s %q in %q", p.line, m.kind, string([]rune(p.text)[m.start:m.end]), nt.S)
			}
		}
		// masked text outside every mark
		for _, sp := range spans {
			marked := false
			for i := byteToRune[sp.b]; i < byteToRune[sp.e] && !marked; i++ {
				for _, m := range p.marks {
					if in(m, i) {
						marked = true
						break
					}
				}
			}
			if !marked {
				spurious++
				t.Logf("probes.tsv:%d: unmarked %q masked as %s in %q", p.line, nt.S[sp.b:sp.e], names[sp.k], nt.S)
			}
		}
	}
	recall := float64(hit) / float64(pos)
	fpRate := float64(fp+spurious) / float64(neg+spurious)
	t.Logf("%d probes: recall %.3f (%d of %d personal spans masked, %d as another kind), false positives %.3f (%d of %d non-personal spans masked, %d of them unmarked)",
		len(ps), recall, hit, pos, wrongKind, fpRate, fp+spurious, neg+spurious, spurious)
	if len(ps) < 150 {
		t.Errorf("%d probes, want at least 150", len(ps))
	}
	if recall < 0.95 {
		t.Errorf("recall %.3f < 0.95", recall)
	}
	if fpRate > 0.02 {
		t.Errorf("false-positive rate %.3f > 0.02", fpRate)
	}
}

func kindOf(name string) kind {
	for k, n := range names {
		if n == name {
			return kind(k)
		}
	}
	return none
}
