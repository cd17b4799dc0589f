package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vocproject/voc/lexicons"
	"github.com/vocproject/voc/lexicons/tools/check"
	"github.com/vocproject/voc/nlp"
	"github.com/vocproject/voc/nlp/analyzer"
)

// embeddedName on the command line names the shipped lexicons alone.
const embeddedName = "embedded"

// lexiconDir is a lexicon directory argument: files of Dir over the shipped
// lexicons, or the shipped lexicons alone when Dir is "".
type lexiconDir struct{ Dir string }

// parseLexiconDir checks a DIR argument ("" or "embedded": shipped only).
func parseLexiconDir(arg string) (lexiconDir, error) {
	if arg == "" || arg == embeddedName {
		return lexiconDir{}, nil
	}
	st, err := os.Stat(arg)
	if err != nil {
		return lexiconDir{}, fmt.Errorf("lexicon directory: %w", err)
	}
	if !st.IsDir() {
		return lexiconDir{}, fmt.Errorf("lexicon directory %s: not a directory", arg)
	}
	return lexiconDir{Dir: arg}, nil
}

func (d lexiconDir) FS() fs.FS {
	if d.Dir == "" {
		return lexicons.Embedded()
	}
	return lexicons.Overlay(d.Dir)
}

// own reports whether file comes from Dir rather than the shipped set.
func (d lexiconDir) own(file string) bool {
	if d.Dir == "" || file == "" {
		return d.Dir == ""
	}
	_, err := os.Stat(filepath.Join(d.Dir, file))
	return err == nil
}

// display names file for people: DIR/file, or embedded/file for a shipped
// file (lexicons/data/file in the source tree).
func (d lexiconDir) display(file string) string {
	switch {
	case file == "":
		return ""
	case d.Dir != "" && d.own(file):
		return filepath.Join(d.Dir, file)
	}
	return embeddedName + "/" + file
}

func (d lexiconDir) String() string {
	if d.Dir == "" {
		return "the shipped lexicons"
	}
	return d.Dir + " over the shipped lexicons"
}

// problemJSON is one problem in --format json.
type problemJSON struct {
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Severity string `json:"severity"`
	Check    string `json:"check"`
	Message  string `json:"message"`
}

// validate is "voc lexicon validate [DIR]".
func (c *lexiconCmd) validate(ctx context.Context, args []string) error {
	fl := newFlagSet("voc lexicon validate", c.env,
		"usage: voc lexicon validate [--all] [--format text|json] [--pack NAME[,NAME]] [DIR]",
		"\nLoads DIR over the shipped lexicons (the shipped ones alone without DIR) and reports every problem",
		"with file and line: errors (bad syntax, unknown categories, duplicates the loader rejects, conflicting",
		"polarities, bad test lines) and warnings (entries that can never or hardly ever match: hidden by",
		"another entry, changed by normalization, cut apart by the segmenter). Exit status 1 on errors.\n\nflags:")
	all := fl.Bool("all", false, "also show the warnings about shipped files DIR does not replace")
	format := fl.String("format", "text", "output `format`: text or json")
	pack := fl.String("pack", "", "validate this pack selection (`NAME[,NAME]`, each with the packs it requires); default: every pack of DIR and the shipped ones, each with what it requires")
	dir, err := parseArgs(fl, args)
	if err != nil {
		return err
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	start := time.Now()
	sels, err := selections(dir.FS(), *pack)
	if err != nil {
		return err
	}
	var v *check.Validation
	seen := map[string]bool{}
	for _, sel := range sels {
		one, err := check.ValidatePacks(dir.FS(), sel.packs)
		if err != nil {
			return err
		}
		// each selection answers for its own files: a later pack hiding an
		// entry of the pack it builds on does so on purpose
		one.Problems = slices.DeleteFunc(one.Problems, func(p lexicons.Problem) bool { return p.File != "" && !sel.owns(p.File) })
		if v == nil {
			v = one
			for _, p := range v.Problems {
				seen[p.String()] = true
			}
			continue
		}
		for _, p := range one.Problems {
			if !seen[p.String()] {
				seen[p.String()] = true
				v.Problems = append(v.Problems, p)
			}
		}
		if v.Set == nil {
			v.Set = one.Set
		}
	}
	lexicons.SortProblems(v.Problems)
	took := time.Since(start)
	var shown []lexicons.Problem
	hidden := 0
	errs, warns := 0, 0
	for _, p := range v.Problems {
		if p.Warning && !*all && !dir.own(p.File) {
			hidden++
			continue
		}
		shown = append(shown, p)
		if p.Warning {
			warns++
		} else {
			errs++
		}
	}
	if *format == "json" {
		out := make([]problemJSON, 0, len(shown))
		for _, p := range shown {
			sev := "error"
			if p.Warning {
				sev = "warning"
			}
			out = append(out, problemJSON{File: dir.display(p.File), Line: p.Line, Severity: sev, Check: p.Check, Message: p.Msg})
		}
		if err := writeJSON(c.env.Stdout, out); err != nil {
			return err
		}
	} else {
		for _, p := range shown {
			p.File = dir.display(p.File)
			fmt.Fprintln(c.env.Stdout, p.String())
		}
		// the counts first: what follows the first ';' varies with the
		// shipped files and the machine
		summary := fmt.Sprintf("%s: %s, %s", dir, plural(errs, "error"), plural(warns, "warning"))
		if hidden > 0 {
			summary += fmt.Sprintf("; %s in shipped files not shown (--all)", plural(hidden, "warning"))
		}
		if v.Set != nil && len(sels) == 1 {
			summary += fmt.Sprintf("; version %s, packs %s, %s", v.Set.Version, strings.Join(v.Set.Packs, ","), v.Set.Taxonomy)
		} else if len(sels) > 1 {
			summary += fmt.Sprintf("; %d pack selections", len(sels))
		}
		fmt.Fprintf(c.env.Stdout, "%s; checked in %s\n", summary, took.Round(time.Millisecond))
	}
	if errs > 0 {
		return fmt.Errorf("%s", plural(errs, "error"))
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// parseArgs parses flags and at most one DIR argument, flags allowed
// after it too.
func parseArgs(fl *flag.FlagSet, args []string) (lexiconDir, error) {
	pos, err := parseInterleaved(fl, args)
	if err != nil {
		return lexiconDir{}, err
	}
	if len(pos) > 1 {
		return lexiconDir{}, fmt.Errorf("%w: want at most one lexicon directory, got %q", errUsage, pos)
	}
	arg := ""
	if len(pos) == 1 {
		arg = pos[0]
	}
	return parseLexiconDir(arg)
}

// parseInterleaved parses flags that may come before, between and after
// the positional arguments, which it returns.
func parseInterleaved(fl *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fl, args); err != nil {
			return nil, err
		}
		if fl.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fl.Arg(0))
		args = fl.Args()[1:]
	}
}

// test is "voc lexicon test [DIR]".
func (c *lexiconCmd) test(ctx context.Context, args []string) error {
	fl := newFlagSet("voc lexicon test", c.env,
		"usage: voc lexicon test [-v] [--run REGEXP] [--pack NAME[,NAME]] [DIR]",
		"\nRuns the #test lines of every lexicon file (DIR over the shipped lexicons; see FORMAT.md, section",
		"\"Tests\") and prints each failure with file and line. Exit status 1 when a test fails.\n\nflags:")
	verbose := fl.Bool("v", false, "print passing tests too")
	run := fl.String("run", "", "run only the tests whose text or file:line matches this `regexp`")
	pack := fl.String("pack", "", "run the tests of this pack selection (`NAME[,NAME]`, each with the packs it requires) against it; default: each pack's tests against that pack (with what it requires), the root files' tests against the default selection")
	dir, err := parseArgs(fl, args)
	if err != nil {
		return err
	}
	var re *regexp.Regexp
	if *run != "" {
		if re, err = regexp.Compile(*run); err != nil {
			return fmt.Errorf("%w: --run: %w", errUsage, err)
		}
	}
	fsys := dir.FS()
	sels, err := testSelections(fsys, *pack)
	if err != nil {
		return err
	}
	passed, failed, todo, bad := 0, 0, 0, 0
	files := map[string]bool{}
	for _, sel := range sels {
		set, err := lexicons.LoadPacks(fsys, sel.packs)
		if err != nil {
			return fmt.Errorf("load %s (packs %s): %w", dir, packsOrDefault(sel.packs), err)
		}
		cfs, _, err := lexicons.Compose(fsys, sel.packs)
		if err != nil {
			return err
		}
		cases, err := lexicons.ReadTests(cfs)
		if err != nil {
			var es lexicons.Errors
			if !errors.As(err, &es) {
				return err
			}
			for _, e := range es {
				if sel.owns(e.File) {
					fmt.Fprintf(c.env.Stdout, "%s:%d: FAIL %v\n", dir.display(e.File), e.Line, e.Err)
					bad++
				}
			}
		}
		an, err := analyzer.New(set, nil)
		if err != nil {
			return err
		}
		p, f, td, err := c.runTests(ctx, dir, an, cases, sel, re, *verbose, files)
		if err != nil {
			return err
		}
		passed, failed, todo = passed+p, failed+f, todo+td
	}
	failed += bad
	summary := fmt.Sprintf("%s: %d passed, %d failed", dir, passed, failed)
	if todo > 0 {
		summary += fmt.Sprintf(", %d todo (known gaps, -v shows them)", todo)
	}
	fmt.Fprintf(c.env.Stdout, "%s (%s in %s)\n", summary, plural(passed+failed+todo-bad, "test"), plural(len(files), "file"))
	if failed > 0 {
		return fmt.Errorf("%s failed", plural(failed, "test"))
	}
	if passed == 0 {
		return errors.New("no tests ran")
	}
	return nil
}

// runTests runs the cases of sel's own files with an.
func (c *lexiconCmd) runTests(ctx context.Context, dir lexiconDir, an *analyzer.Analyzer, cases []lexicons.TestCase, sel selection, re *regexp.Regexp, verbose bool, files map[string]bool) (passed, failed, todo int, err error) {
	for _, tc := range cases {
		if !sel.owns(tc.File) {
			continue
		}
		loc := fmt.Sprintf("%s:%d", dir.display(tc.File), tc.Line)
		if re != nil && !re.MatchString(tc.Text) && !re.MatchString(loc) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return 0, 0, 0, err
		}
		files[tc.File] = true
		o := check.Run(an, tc)
		switch {
		case len(o.Failures) == 0 && tc.Todo:
			passed++
			fmt.Fprintf(c.env.Stdout, "%s: ok   %s (a todo test that passes: drop todo)\n", loc, tc.Text)
		case len(o.Failures) == 0:
			passed++
			if verbose {
				fmt.Fprintf(c.env.Stdout, "%s: ok   %s\n", loc, tc.Text)
			}
		case tc.Todo:
			todo++
			if verbose {
				fmt.Fprintf(c.env.Stdout, "%s: TODO %s\n\t%s\n\tgot: %s\n", loc, tc.Text, strings.Join(o.Failures, "; "), describeResult(o.Result))
			}
		default:
			failed++
			fmt.Fprintf(c.env.Stdout, "%s: FAIL %s\n\t%s\n\tgot: %s\n", loc, tc.Text, strings.Join(o.Failures, "; "), describeResult(o.Result))
		}
	}
	return passed, failed, todo, nil
}

// selection is one pack selection to validate or test, and the files whose
// tests run against it.
type selection struct {
	packs []string // nil: the default
	own   string   // "packs/NAME/": the tests of that pack; "": of every file not in a pack; "*": all
	skip  []string // "packs/NAME/": packs whose tests run in a selection of their own
}

func (s selection) owns(file string) bool {
	for _, p := range s.skip {
		if strings.HasPrefix(file, p) {
			return false
		}
	}
	switch s.own {
	case "*":
		return true
	case "":
		return !strings.HasPrefix(file, lexicons.PacksDir+"/")
	}
	return strings.HasPrefix(file, s.own)
}

// selections returns what to check: the selection flag alone, or the
// default selection (for the root files) and each pack with the packs it
// requires (for its own files).
func selections(fsys fs.FS, flag string) ([]selection, error) {
	if flag != "" {
		packs := lexicons.SplitPacks(flag)
		if _, err := lexicons.ResolvePacks(fsys, packs); err != nil {
			return nil, fmt.Errorf("%w: --pack: %w", errUsage, err)
		}
		return []selection{{packs: packs, own: "*"}}, nil
	}
	if lexicons.OwnTaxonomy(fsys) {
		// a taxonomy.tsv with categories of its own (the layout before
		// packs): it is checked alone
		return []selection{{own: "*"}}, nil
	}
	packs, err := lexicons.ReadPacks(fsys)
	if err != nil {
		return nil, err
	}
	out := []selection{{}}
	for _, p := range packs {
		out = append(out, selection{packs: []string{p.Name}, own: lexicons.PacksDir + "/" + p.Name + "/"})
	}
	return out, nil
}

// testSelections is selections for "voc lexicon test": with --pack, the
// tests of a pack that the named ones only require run with that pack and
// its own requirements, as without --pack. A later pack changes readings on
// purpose (electronics reads 手机很卡 as 性能, ecommerce's test as 功能), so
// the required pack's tests describe its own selection.
func testSelections(fsys fs.FS, flag string) ([]selection, error) {
	sels, err := selections(fsys, flag)
	if err != nil || flag == "" {
		return sels, err
	}
	named := lexicons.SplitPacks(flag)
	all, err := lexicons.ResolvePacks(fsys, named)
	if err != nil {
		return nil, fmt.Errorf("%w: --pack: %w", errUsage, err)
	}
	for _, p := range all {
		if slices.Contains(named, p) {
			continue
		}
		dir := lexicons.PacksDir + "/" + p + "/"
		sels[0].skip = append(sels[0].skip, dir)
		sels = append(sels, selection{packs: []string{p}, own: dir})
	}
	return sels, nil
}

// describeResult summarises an analysis for a failed test.
func describeResult(r *nlp.Result) string {
	var parts []string
	for _, a := range r.Aspects {
		parts = append(parts, fmt.Sprintf("%s (%s)", check.FormatAspect(a), a.Opinion))
	}
	if len(parts) == 0 {
		parts = append(parts, "no aspects")
	}
	s := strings.Join(parts, " ") + fmt.Sprintf(", sentiment=%s (%.2f)", r.Sentiment.Label, r.Sentiment.Score)
	if r.Intent != "" {
		s += ", intent=" + r.Intent
	}
	if r.Escalation {
		s += ", escalation=yes"
	}
	return s
}
