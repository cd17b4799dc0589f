package lexicons

import "io/fs"

// Taxonomy is the pain-point taxonomy. (stub: owned by the aspect work)
type Taxonomy struct{}

func loadTaxonomy(fsys fs.FS) (*Taxonomy, error) { return &Taxonomy{}, nil }
