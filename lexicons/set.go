package lexicons

import (
	"errors"
	"io/fs"
)

// Set is a complete, validated set of lexicons. It is immutable once loaded:
// to change lexicons, load a new Set and swap it in.
type Set struct {
	// Version is a content hash of all files read (the root files and the
	// selected packs), recorded with every result.
	Version string
	// Packs is the pack selection, resolved: each pack after the packs it
	// requires (packs.go).
	Packs []string
	// Side is the least |score| of a clause whose side a topic mention in
	// it takes (+Inf: never), from the selected packs (Pack.Side).
	Side float64
	// KeepIncidental keeps the topics named without an opinion in a review
	// that takes a side on something (Pack.Incidental "keep"); by default
	// they are dropped.
	KeepIncidental bool

	Sentiment *Sentiment // sentiment.go
	Taxonomy  *Taxonomy  // taxonomy.go
	Intents   *Intents   // intent.go
	// Domain are extra words for the segmenter (domain.go); the aspect and
	// opinion terms of the taxonomy are added to the segmenter as well.
	Domain []DomainWord
	// Compliance holds the agent compliance rules and the conversation cues
	// of chats (compliance.go); empty when the optional file is absent.
	Compliance *Compliance
}

// Load reads and validates every lexicon file of fsys (Embedded, Overlay or
// any directory) with the default pack selection. It reports all problems
// found, each naming file and line.
func Load(fsys fs.FS) (*Set, error) { return LoadPacks(fsys, nil) }

// LoadPacks is Load with a pack selection (nil: DefaultPacks).
func LoadPacks(fsys fs.FS, packs []string) (*Set, error) {
	cfs, err := compose(fsys, packs)
	if err != nil {
		return nil, err
	}
	return loadComposed(cfs)
}

// loadComposed reads the lexicons of a root with its packs composed in.
func loadComposed(cfs composedFS) (*Set, error) {
	s, err := load(cfs)
	if err != nil {
		return nil, err
	}
	s.Packs = packNames(cfs.packs)
	s.Side = sideOf(cfs.packs)
	s.KeepIncidental = incidentalOf(cfs.packs) == "keep"
	return s, nil
}

// load reads the lexicons of a composed file system.
func load(fsys fs.FS) (*Set, error) {
	var s Set
	var errs [6]error // each file's, all reported (errors.Join drops the nils)
	s.Version, errs[0] = version(fsys)
	s.Sentiment, errs[1] = loadSentiment(fsys)
	s.Taxonomy, errs[2] = loadTaxonomy(fsys)
	s.Intents, errs[3] = loadIntents(fsys)
	s.Domain, errs[4] = loadDomain(fsys)
	s.Compliance, errs[5] = loadCompliance(fsys)
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	s.Sentiment.dropAspects(s.Taxonomy)
	return &s, nil
}

// LoadDefault loads the embedded lexicons, or dir over them when dir is
// set, with the default pack selection.
func LoadDefault(dir string) (*Set, error) { return LoadDefaultPacks(dir, nil) }

// LoadDefaultPacks is LoadDefault with a pack selection (nil: DefaultPacks).
func LoadDefaultPacks(dir string, packs []string) (*Set, error) {
	return LoadPacks(Dir(dir), packs)
}

// Dir returns the embedded lexicons, or dir over them when dir is set.
func Dir(dir string) fs.FS {
	if dir == "" {
		return Embedded()
	}
	return Overlay(dir)
}
