package lexicons

import "io/fs"

// DomainWord is a word added to the segmenter's dictionary.
type DomainWord struct {
	Word string
	Freq float64 // 0 means a default frequency
	POS  string  // optional part of speech
}

func loadDomain(fsys fs.FS) ([]DomainWord, error) { return nil, nil }
