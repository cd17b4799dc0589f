package lexicons

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadComplianceEmbedded(t *testing.T) {
	c, err := loadCompliance(Embedded())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	whens := map[string]bool{}
	for _, r := range c.Rules {
		kinds[r.Kind] = true
		if r.Kind == RuleRequired {
			whens[r.When] = true
			if r.Within < 1 {
				t.Errorf("rule %s at line %d: within %d", r.Name, r.Line, r.Within)
			}
		}
	}
	for _, cue := range c.Cues {
		kinds[cue.Kind] = true
	}
	for _, k := range []string{RuleForbidden, RuleDiscouraged, RuleRequired, CueResolved, CueUnresolved, CueTransfer, CueDemand} {
		if !kinds[k] {
			t.Errorf("no %s line", k)
		}
	}
	for _, w := range []string{WhenStart, WhenComplaint, WhenEnd} {
		if !whens[w] {
			t.Errorf("no required rule when=%s", w)
		}
	}
	has := func(kind, name, term string) bool {
		return slices.ContainsFunc(c.Rules, func(r ComplianceRule) bool {
			return r.Kind == kind && r.Name == name && r.Team == AllTeams && slices.Contains(r.Terms, term)
		})
	}
	for _, want := range []struct{ kind, name, term string }{
		{RuleForbidden, "推诿", "不归我管"}, {RuleForbidden, "推诿", "我也没办法"},
		{RuleDiscouraged, "不礼貌", "你自己看"}, {RuleDiscouraged, "不礼貌", "听不懂吗"},
		{RuleForbidden, "违规承诺", "退全款"}, {RuleRequired, "致歉", "抱歉"},
	} {
		if !has(want.kind, want.name, want.term) {
			t.Errorf("%s %s: %s missing", want.kind, want.name, want.term)
		}
	}
	if !slices.ContainsFunc(c.Rules, func(r ComplianceRule) bool { return r.Team != AllTeams }) {
		t.Error("no team-specific rule")
	}
}

func TestLoadComplianceOptions(t *testing.T) {
	dir := t.TempDir()
	data := "# source: test\n" +
		"required\tvip\t尊称\t尊敬的 您好\twhen=start within=1\n" +
		"required\t*\t结束语\t祝您\twhen=end\n" +
		"transfer\t*\t转接\t转接\n"
	if err := os.WriteFile(filepath.Join(dir, ComplianceFile), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := loadCompliance(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := []ComplianceRule{
		{Kind: RuleRequired, Team: "vip", Name: "尊称", Terms: []string{"尊敬的", "您好"}, When: WhenStart, Within: 1, Line: 2},
		{Kind: RuleRequired, Team: AllTeams, Name: "结束语", Terms: []string{"祝您"}, When: WhenEnd, Within: DefaultWithin, Line: 3},
	}
	if !slices.EqualFunc(c.Rules, want, func(a, b ComplianceRule) bool {
		return a.Kind == b.Kind && a.Team == b.Team && a.Name == b.Name && slices.Equal(a.Terms, b.Terms) &&
			a.When == b.When && a.Within == b.Within && a.Line == b.Line
	}) {
		t.Errorf("rules = %+v, want %+v", c.Rules, want)
	}
	if len(c.Cues) != 1 || c.Cues[0].Role != AnyRole || c.Cues[0].Kind != CueTransfer {
		t.Errorf("cues = %+v", c.Cues)
	}
	// The file is optional.
	c, err = loadCompliance(os.DirFS(t.TempDir()))
	if err != nil || len(c.Rules)+len(c.Cues) != 0 {
		t.Errorf("no file: %v, %v", c, err)
	}
}

// TestLoadComplianceBad loads each testdata/compliance/<case> directory
// over the embedded lexicons; the error must name file and line.
func TestLoadComplianceBad(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "compliance"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata", "compliance", d.Name())
			want, err := os.ReadFile(filepath.Join(dir, "expected"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = loadCompliance(Overlay(dir))
			if err == nil {
				t.Fatalf("no error, want %q", want)
			}
			if !strings.Contains(err.Error(), strings.TrimSpace(string(want))) {
				t.Errorf("error %q, want it to contain %q", err, strings.TrimSpace(string(want)))
			}
			// Load reports it too.
			if _, err := Load(Overlay(dir)); err == nil || !strings.Contains(err.Error(), ComplianceFile+":") {
				t.Errorf("Load: %v", err)
			}
		})
	}
}
