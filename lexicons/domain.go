package lexicons

import (
	"io/fs"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DomainFile holds extra words for the segmenter (see data/FORMAT.md).
const DomainFile = "domain_words.txt"

// DomainWord is a word added to the segmenter's dictionary.
type DomainWord struct {
	Word string
	Freq float64 // 0 means a default frequency
	POS  string  // optional part of speech
}

func loadDomain(fsys fs.FS) ([]DomainWord, error) {
	var out []DomainWord
	seen := map[string]struct {
		file string
		line int
	}{}
	err := ReadLines(fsys, DomainFile, true, func(l Line) error {
		f := l.Fields
		if len(f) > 3 || f[0] == "" {
			return l.Errorf("want word[, frequency[, part of speech]]")
		}
		if strings.ContainsAny(f[0], " \t") || utf8.RuneCountInString(f[0]) > maxTermRunes {
			return l.Errorf("word %q: no spaces, at most %d characters", f[0], maxTermRunes)
		}
		if prev, ok := seen[f[0]]; ok {
			if prev.file != l.File {
				return nil // listed by a file read before (a pack's words after the root's)
			}
			return l.Errorf("word %q already listed at line %d", f[0], prev.line)
		}
		seen[f[0]] = struct {
			file string
			line int
		}{l.File, l.No}
		w := DomainWord{Word: f[0]}
		if len(f) >= 2 && f[1] != "" {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil || v < 0 || v > 1e7 {
				return l.Errorf("frequency %q is not a number in [0, 1e7]", f[1])
			}
			w.Freq = v
		}
		if len(f) == 3 {
			if f[2] == "" || strings.ContainsAny(f[2], " ") || len(f[2]) > 8 {
				return l.Errorf("part of speech %q: want a short tag such as n, v, a", f[2])
			}
			w.POS = f[2]
		}
		out = append(out, w)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
