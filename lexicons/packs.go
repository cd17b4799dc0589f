package lexicons

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
)

// A pack is a directory packs/NAME/ of lexicon files for one domain (see
// data/FORMAT.md, section "Packs"): pack.tsv says what it covers and which
// packs it requires; its taxonomy.tsv, domain_words.txt and sentiment.tsv
// are read after the root files of the same kind.
const (
	PacksDir          = "packs"
	PackFile          = "pack.tsv"
	PackSentimentFile = "sentiment.tsv"
)

// DefaultPacks is the selection when none is configured: what a general
// consumer company hears about (orders and delivery, customer service,
// devices, apps).
var DefaultPacks = []string{"ecommerce", "service", "electronics", "app"}

// fileMarker starts a line of a composed file after which the lines of
// the named pack file follow (numbered from 1 again), so that errors and
// tests name the pack's own file and line.
const fileMarker = "#@file "

// composed maps a root file to the file of a pack read after it.
var composed = []struct{ root, pack string }{
	{TaxonomyFile, TaxonomyFile},
	{DomainFile, DomainFile},
	{SentimentVocFile, PackSentimentFile},
}

// Pack describes one pack.
type Pack struct {
	Name        string
	Description string
	Requires    []string
	// Side is the least |score| of a clause whose side a topic mention in
	// it takes (pack.tsv "side": a number in [0, 1], or "off"); NaN when
	// the pack does not say. Reviews state their verdicts (0.2); a forum
	// talks about topics in an emotional tone that judges none (off).
	Side float64
	// Incidental says what becomes of topics named without an opinion in
	// a review that takes a side on something (pack.tsv "incidental":
	// "drop" or "keep"; "" when the pack does not say). A review's topics
	// are what it judges: 装了系统感觉很超值 praises the price, not the
	// system, and 希望物流快一点 beside 质量很好 is a passing wish. A forum
	// post's topics are talked about whatever else it judges (keep).
	Incidental string
}

// DefaultIncidental is Pack.Incidental when no selected pack sets it.
const DefaultIncidental = "drop"

// DefaultSide is Pack.Side when no selected pack sets it.
const DefaultSide = 0.2

// ReadPacks returns the packs of fsys (every directory under packs/ that
// holds a pack.tsv), sorted by name.
func ReadPacks(fsys fs.FS) ([]Pack, error) {
	dirs, err := fs.ReadDir(fsys, PacksDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read packs: %w", err)
	}
	var out []Pack
	var errs Errors
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		name := path.Join(PacksDir, d.Name(), PackFile)
		if _, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		p := Pack{Name: d.Name(), Side: math.NaN()}
		err := ReadLines(fsys, name, false, func(l Line) error {
			switch l.Fields[0] {
			case "description":
				if len(l.Fields) != 2 || l.Fields[1] == "" {
					return l.Errorf("description: want one field of text")
				}
				p.Description = l.Fields[1]
			case "requires":
				if len(l.Fields) != 2 {
					return l.Errorf("requires: want space-separated pack names")
				}
				p.Requires = append(p.Requires, strings.Fields(l.Fields[1])...)
			case "side":
				if len(l.Fields) != 2 {
					return l.Errorf("side: want a number in [0, 1] or off")
				}
				if l.Fields[1] == "off" {
					p.Side = math.Inf(1)
					break
				}
				v, err := strconv.ParseFloat(l.Fields[1], 64)
				if err != nil || v < 0 || v > 1 {
					return l.Errorf("side %q: want a number in [0, 1] or off", l.Fields[1])
				}
				p.Side = v
			case "incidental":
				if len(l.Fields) != 2 || l.Fields[1] != "drop" && l.Fields[1] != "keep" {
					return l.Errorf("incidental: want drop or keep")
				}
				p.Incidental = l.Fields[1]
			default:
				return l.Errorf("unknown key %q (want description, requires, side or incidental)", l.Fields[0])
			}
			return nil
		})
		if err != nil {
			var es Errors
			if errors.As(err, &es) {
				errs = append(errs, es...)
				continue
			}
			return nil, err
		}
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// ResolvePacks expands a selection: each pack comes after the packs it
// requires, each once. An empty selection is DefaultPacks when fsys has
// packs, none otherwise.
func ResolvePacks(fsys fs.FS, names []string) ([]string, error) {
	ps, err := resolve(fsys, names)
	return packNames(ps), err
}

func packNames(ps []Pack) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// resolve is ResolvePacks, returning the packs.
func resolve(fsys fs.FS, names []string) ([]Pack, error) {
	packs, err := ReadPacks(fsys)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		if len(packs) == 0 {
			return nil, nil
		}
		names = DefaultPacks
	}
	byName := map[string]Pack{}
	for _, p := range packs {
		byName[p.Name] = p
	}
	var out []Pack
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name, from string) error
	visit = func(name, from string) error {
		name = strings.TrimSpace(name)
		p, ok := byName[name]
		if !ok {
			known := make([]string, 0, len(packs))
			for _, p := range packs {
				known = append(known, p.Name)
			}
			if from != "" {
				return fmt.Errorf("pack %q (required by %s): no such pack (have: %s)", name, from, strings.Join(known, ", "))
			}
			return fmt.Errorf("pack %q: no such pack (have: %s)", name, strings.Join(known, ", "))
		}
		switch state[name] {
		case 1:
			return fmt.Errorf("pack %q: requires itself through %s", name, from)
		case 2:
			return nil
		}
		state[name] = 1
		for _, r := range p.Requires {
			if err := visit(r, name); err != nil {
				return err
			}
		}
		state[name] = 2
		out = append(out, p)
		return nil
	}
	for _, n := range names {
		if strings.TrimSpace(n) == "" {
			return nil, fmt.Errorf("pack selection %q: empty pack name", strings.Join(names, ","))
		}
		if err := visit(n, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sideOf returns the side setting of a resolved selection: the last pack
// that sets it, else DefaultSide.
func sideOf(packs []Pack) float64 {
	side := DefaultSide
	for _, p := range packs {
		if !math.IsNaN(p.Side) {
			side = p.Side
		}
	}
	return side
}

// incidentalOf returns the incidental setting of a resolved selection: the
// last pack that sets it, else DefaultIncidental.
func incidentalOf(packs []Pack) string {
	v := DefaultIncidental
	for _, p := range packs {
		if p.Incidental != "" {
			v = p.Incidental
		}
	}
	return v
}

// SplitPacks parses a comma-separated selection ("food,hotel").
func SplitPacks(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// Compose returns fsys with the files of the selected packs (resolved with
// ResolvePacks) read after the root files of the same kind, and the
// resolved selection. The composed files hold marker lines that ReadLines
// and ReadTests follow, so that every error and test names the pack's file
// and line.
//
// With no selection, a root taxonomy.tsv that declares categories is a
// complete taxonomy of its own (the layout before packs, kept by many a
// --lexicons directory): no pack is added to it.
func Compose(fsys fs.FS, names []string) (fs.FS, []string, error) {
	c, err := compose(fsys, names)
	if err != nil {
		return nil, nil, err
	}
	return c, packNames(c.packs), nil
}

func compose(fsys fs.FS, names []string) (composedFS, error) {
	var packs []Pack
	if len(names) > 0 || !declaresCategories(fsys) {
		var err error
		if packs, err = resolve(fsys, names); err != nil {
			return composedFS{}, err
		}
	}
	files := map[string][]byte{}
	for _, c := range composed {
		var b bytes.Buffer
		root, err := ReadFile(fsys, c.root)
		exists := err == nil
		switch {
		case exists:
			b.Write(root)
		case !errors.Is(err, fs.ErrNotExist):
			return composedFS{}, err
		}
		for _, p := range packs {
			name := path.Join(PacksDir, p.Name, c.pack)
			data, err := ReadFile(fsys, name)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return composedFS{}, err
			}
			if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
				b.WriteByte('\n')
			}
			b.WriteString(fileMarker + name + "\n")
			b.Write(bytes.TrimPrefix(data, []byte("\uFEFF")))
			exists = true
		}
		if exists {
			files[c.root] = b.Bytes()
		}
	}
	return composedFS{editedFS{FS: fsys, files: files}, packs}, nil
}

// composedFS is a root with its selected packs composed in. Its packs
// directory is hidden from walks (Version hashes what was composed).
type composedFS struct {
	editedFS
	packs []Pack // the resolved selection
}

func (c composedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(c.FS, name)
	if err != nil || name != "." {
		return es, err
	}
	return slices.DeleteFunc(es, func(e fs.DirEntry) bool { return e.IsDir() && e.Name() == PacksDir }), nil
}

// PackFiles returns the files of the named packs in fsys, for checks that
// look at files one by one (provenance, unknown names).
func PackFiles(fsys fs.FS, packs []string) []string {
	var out []string
	for _, p := range packs {
		es, err := fs.ReadDir(fsys, path.Join(PacksDir, p))
		if err != nil {
			continue
		}
		for _, e := range es {
			if !e.IsDir() {
				out = append(out, path.Join(PacksDir, p, e.Name()))
			}
		}
	}
	return out
}

// OwnTaxonomy reports whether the root taxonomy.tsv of fsys declares
// categories: a complete taxonomy of its own, read without packs unless
// packs are selected.
func OwnTaxonomy(fsys fs.FS) bool { return declaresCategories(fsys) }

// declaresCategories reports whether the root taxonomy.tsv of fsys
// declares a category.
func declaresCategories(fsys fs.FS) bool {
	data, err := ReadFile(fsys, TaxonomyFile)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimPrefix(line, "\uFEFF"), "category\t") {
			return true
		}
	}
	return false
}
