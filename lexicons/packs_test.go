package lexicons

import (
	"math"
	"strings"
	"testing"
	"testing/fstest"
)

// TestPackSettings: pack.tsv's side and incidental settings, the last
// selected pack that sets one wins, and a bad value is an error naming the
// file and line.
func TestPackSettings(t *testing.T) {
	fsys := fstest.MapFS{
		"packs/review/pack.tsv": {Data: []byte("# source: test\ndescription\treviews\n")},
		"packs/forum/pack.tsv":  {Data: []byte("# source: test\ndescription\tforum posts\nside\toff\nincidental\tkeep\n")},
		"packs/shop/pack.tsv":   {Data: []byte("# source: test\ndescription\tshop\nside\t0.4\nincidental\tdrop\n")},
	}
	for _, tt := range []struct {
		packs []string
		side  float64
		keep  bool
	}{
		{[]string{"review"}, DefaultSide, false},
		{[]string{"forum"}, math.Inf(1), true},
		{[]string{"forum", "review"}, math.Inf(1), true},
		{[]string{"forum", "shop"}, 0.4, false},
		{[]string{"shop", "forum"}, math.Inf(1), true},
	} {
		ps, err := resolve(fsys, tt.packs)
		if err != nil {
			t.Fatal(err)
		}
		if side, keep := sideOf(ps), incidentalOf(ps) == "keep"; side != tt.side || keep != tt.keep {
			t.Errorf("%v: side %v, keep %v; want %v, %v", tt.packs, side, keep, tt.side, tt.keep)
		}
	}
	for value, want := range map[string]string{
		"incidental\tyes\n": `packs/bad/pack.tsv:3: incidental: want drop or keep`,
		"incidental\n":      `packs/bad/pack.tsv:3: incidental: want drop or keep`,
		"side\t2\n":         `packs/bad/pack.tsv:3: side "2": want a number in [0, 1] or off`,
		"sides\toff\n":      `packs/bad/pack.tsv:3: unknown key "sides" (want description, requires, side or incidental)`,
	} {
		bad := fstest.MapFS{"packs/bad/pack.tsv": {Data: []byte("# source: test\ndescription\tbad\n" + value)}}
		_, err := ReadPacks(bad)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %s", value, err, want)
		}
	}
}
