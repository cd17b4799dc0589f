package lexicons

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// miniTaxonomy is a small valid taxonomy; cases append lines to it (line
// numbers of appended lines start at 9).
const miniTaxonomy = "# source: test\n" +
	"category\t物流\t配送\n" +
	"category\t整体\t总体\n" +
	"category\t外观\t样子\n" +
	"aspect\t物流\t快递 物流\n" +
	"aspect\t物流\t快递员\tgroup=快递员\n" +
	"opinion\t物流/配送慢\t-\t慢\topposite=物流/配送快\n" +
	"opinion\t物流/配送快\t+\t快\topposite=物流/配送慢\n"

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		taxonomy string            // lines appended to miniTaxonomy
		files    map[string]string // other files of the overlay
		want     []string
		set      bool // the set loads (maybe with bad lines left out)
	}{
		{name: "clean", set: true},
		{
			name:     "conflicting polarity",
			taxonomy: "opinion\t物流/配送好\t+\t慢\n",
			want:     []string{`taxonomy.tsv:9: error: polarity: opinion "慢" is + for 物流/配送好 here and - for 物流/配送慢 at line 7: for the same aspects the first one always wins`},
			set:      true,
		},
		{
			name:     "same polarity, another point",
			taxonomy: "opinion\t物流/延误\t-\t慢\n",
			want:     []string{`taxonomy.tsv:9: warning: unreachable: opinion "慢" (物流/延误) is never chosen: line 7 lists it for 物流/配送慢 first, for the same aspects`},
			set:      true,
		},
		{
			name:     "another group is no conflict",
			taxonomy: "opinion\t物流/快递员态度差\t-\t快\tgroup=快递员\n",
			set:      true,
		},
		{
			name:     "implicit against explicit",
			taxonomy: "implicit\t物流/配送慢\t-\t快\n",
			want:     []string{`taxonomy.tsv:9: error: polarity: "快" is a + opinion (物流/配送快, taxonomy.tsv:8) and a - implicit one (物流/配送慢, taxonomy.tsv:9): its polarity depends on whether the aspect is named`},
			set:      true,
		},
		{
			name:     "ignore hides an opinion, a modifier listed twice",
			taxonomy: "ignore\t-\t慢慢 快\nmodifier\t-\t很 太 很\n",
			want: []string{
				`taxonomy.tsv:8: warning: unreachable: opinion "快" (物流/配送快) is also an ignore phrase (line 9): ignore wins, this entry never applies`,
				`taxonomy.tsv:10: warning: duplicate: modifier "很" listed twice on this line`,
			},
			set: true,
		},
		{
			name:     "misspelt group, category without aspects",
			taxonomy: "opinion\t物流/快递员态度差\t-\t凶\tgroup=快递圆\nopinion\t外观/难看\t-\t丑\n",
			want: []string{
				`taxonomy.tsv:9: warning: unreachable: group=快递圆: no aspect of 物流 has this group (misspelt?)`,
				`taxonomy.tsv:10: warning: unreachable: opinion 外观/难看: no aspect of 外观 is listed, so its explicit opinions never attach (make them implicit?)`,
			},
			set: true,
		},
		{
			name:     "bad lines are left out and the rest is still checked",
			taxonomy: "opinion\t物流/配送慢\t?\t晚\nopinion\t天气/差\t-\t阴\nopinion\t物流/延误\t-\t慢\n",
			want: []string{
				`taxonomy.tsv:9: error: load: opinion: polarity "?" is not + or -`,
				`taxonomy.tsv:10: error: load: point "天气/差": unknown category "天气"`,
				`taxonomy.tsv:11: warning: unreachable: opinion "慢" (物流/延误) is never chosen: line 7 lists it for 物流/配送慢 first, for the same aspects`,
			},
			set: true,
		},
		{
			name: "sentiment and intent files",
			files: map[string]string{
				SentimentVocFile: "# source: test\n慢\t-1\n快\t1\n慢\t0.5\n快\t2\n",
				IntentFile:       "# source: test\n投诉\t差评\n表扬\t差评 好评\nescalation\t12315\n投诉\t12315\n",
			},
			want: []string{
				`intent.tsv:3: warning: duplicate: cue "差评" counts for 表扬 here and for 投诉 at line 2`,
				`sentiment_voc.tsv:4: error: polarity: "慢" weighs +0.5 here and -1 at line 2; the last one wins`,
				`sentiment_voc.tsv:5: warning: duplicate: sentiment "快" already listed at line 3`,
				`taxonomy.tsv:7: warning: polarity: "慢" is a - term (物流/配送慢) but weighs +0.5 in sentiment_voc.tsv:4: texts tagged with it lean the other way`,
			},
			set: true,
		},
		{
			name: "unknown file, no source, bad test line",
			files: map[string]string{
				"taxonmy.tsv":    "aspect\t物流\t包裹\n",
				"notes.txt":      "# only comments\n#test\t快递慢\t物流/配送慢-\n",
				DegreeFile:       "很\t1.5\n#test\t很好\tsentiment=great\n",
				"unrelated.json": "{}",
			},
			want: []string{
				`degree.tsv:1: warning: file: no "# source:" line: record where the content came from`,
				`degree.tsv:2: error: test: sentiment="great": want positive, negative or neutral`,
				`taxonmy.tsv:1: warning: file: no loader reads this file, its entries are ignored (a misspelt name? see FORMAT.md)`,
			},
			set: true,
		},
		{
			name:  "an aspect of an undeclared category",
			files: map[string]string{TaxonomyFile: "# source: test\ncategory\t其他\tx\naspect\t物流\t快递\n"},
			want: []string{
				`taxonomy.tsv:3: error: load: category "物流/x": unknown category "物流"`,
			},
			set: true, // with the line left out
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top := fstest.MapFS{TaxonomyFile: {Data: []byte(miniTaxonomy + tt.taxonomy)}}
			for name, data := range tt.files {
				top[name] = &fstest.MapFile{Data: []byte(data)}
			}
			v := Validate(overlayFS{top: top, base: Embedded()})
			var got []string
			for _, p := range v.Problems {
				if p.File == SentimentFile || p.File == EmojiFile || p.File == NegationFile || p.File == SentimentVocFile && tt.files[SentimentVocFile] == "" {
					continue // the shipped files' own warnings
				}
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			if (v.Set != nil) != tt.set {
				t.Errorf("set loaded: %v, want %v", v.Set != nil, tt.set)
			}
			errs := 0
			for _, w := range tt.want {
				if strings.Contains(w, ": error: ") {
					errs++
				}
			}
			if v.Errors() != errs {
				t.Errorf("Errors() = %d, want %d", v.Errors(), errs)
			}
		})
	}
}

// TestValidateShipped: the shipped lexicons have no errors (warnings are
// listed by "voc lexicon validate").
func TestValidateShipped(t *testing.T) {
	v := Validate(Embedded())
	if v.Set == nil || v.Errors() > 0 {
		for _, p := range v.Problems {
			if !p.Warning {
				t.Error(p)
			}
		}
	}
	if len(v.Entries) < 20000 {
		t.Errorf("%d entries, want the sentiment words and the taxonomy terms", len(v.Entries))
	}
}

func TestEntries(t *testing.T) {
	fsys := overlayFS{top: fstest.MapFS{TaxonomyFile: {Data: []byte(miniTaxonomy +
		"aspect\t物流\t速度\tattr\nopinion\t*/满意\t+\t好 Nice\n")}}, base: Embedded()}
	var got []Entry
	for _, e := range Entries(fsys) {
		if e.File == TaxonomyFile {
			got = append(got, e)
		}
	}
	want := []Entry{
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 2, Kind: "category", Term: "物流", Category: "物流"},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 3, Kind: "category", Term: "整体", Category: "整体"},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 4, Kind: "category", Term: "外观", Category: "外观"},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 5, Kind: "aspect", Term: "快递", Category: "物流"},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 5, Kind: "aspect", Term: "物流", Category: "物流"},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 6, Kind: "aspect", Term: "快递员", Category: "物流", Group: "快递员"},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 7, Kind: "opinion", Term: "慢", Category: "物流", Point: "物流/配送慢", Polarity: -1},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 8, Kind: "opinion", Term: "快", Category: "物流", Point: "物流/配送快", Polarity: 1},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 9, Kind: "aspect", Term: "速度", Category: "物流", Attr: true},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 10, Kind: "opinion", Term: "好", Category: "*", Point: "*/满意", Polarity: 1},
		{File: TaxonomyFile, Src: TaxonomyFile, Line: 10, Kind: "opinion", Term: "Nice", Category: "*", Point: "*/满意", Polarity: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n%+v\nwant:\n%+v", got, want)
	}
	if MatchKey("Nice{n}") != "nice{N}" {
		t.Errorf("MatchKey = %q", MatchKey("Nice{n}"))
	}
}
