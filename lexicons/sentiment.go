package lexicons

import "io/fs"

// Sentiment holds the sentiment word lists. (stub: owned by the sentiment work)
type Sentiment struct{}

func loadSentiment(fsys fs.FS) (*Sentiment, error) { return &Sentiment{}, nil }
