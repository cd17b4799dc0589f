package lexicons

import "io/fs"

// Intents holds intent and escalation cues. (stub: owned by the aspect work)
type Intents struct{}

func loadIntents(fsys fs.FS) (*Intents, error) { return &Intents{}, nil }
