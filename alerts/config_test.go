package alerts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vocproject/voc/alerts/notify"
)

// TestBadConfigs loads every testdata/config/*.bad.yml and checks the
// error named in its leading "# error:" comment (continued by "#"
// lines).
func TestBadConfigs(t *testing.T) {
	files, err := filepath.Glob("testdata/config/*.bad.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad configs: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".bad.yml"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, line := range strings.Split(string(data), "\n") {
				if rest, ok := strings.CutPrefix(line, "# error: "); ok {
					want = append(want, rest)
				} else if rest, ok := strings.CutPrefix(line, "#"); ok && len(want) > 0 {
					want = append(want, rest)
				} else {
					break
				}
			}
			if len(want) == 0 {
				t.Fatal("no # error: comment")
			}
			_, err = Load(strings.NewReader(string(data)))
			if err == nil {
				t.Fatalf("loaded; want error %q", strings.Join(want, "\n"))
			}
			if got := err.Error(); got != strings.Join(want, "\n") {
				t.Errorf("error\n got  %q\n want %q", got, strings.Join(want, "\n"))
			}
		})
	}
}

func TestGoodConfig(t *testing.T) {
	f, err := os.Open("testdata/config/good.yml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Enabled || c.Interval != 30*time.Second || c.Samples != 4 || c.Cooldown != 4*time.Hour || c.ResolveAfter != 90*time.Minute ||
		len(c.Channels) != 5 || c.Channels[0].Type != notify.TypeDingTalk || c.Channels[4].Headers["Authorization"] != "Bearer t" ||
		c.Detector.NewPainPoint.MinProductRecords != 300 || c.Detector.Sentiment.MinDrop != 0.25 || len(c.Routes) != 8 ||
		c.Routes[0].Kinds[1] != KindEscalation || c.Retry.Initial != 500*time.Millisecond || c.ClaimSettle != 3*time.Second {
		t.Errorf("decoded %+v", c)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Load(strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	d := c.WithDefaults()
	if d.Enabled || d.Interval != time.Minute || d.Timezone != "Asia/Shanghai" || d.Samples != 3 || d.Cooldown != 6*time.Hour ||
		d.ResolveAfter != 2*time.Hour || d.Immediate.Tiers[0] != "vip" || d.Immediate.MaxAge != 24*time.Hour ||
		d.Immediate.MaxPerEvaluation != 20 || d.Retry.Attempts != 4 || d.ClaimSettle != 2*time.Second ||
		len(d.Detector.Windows) != 3 || d.Detector.MinCount != 5 {
		t.Errorf("defaults %+v", d)
	}
}

func TestFromNode(t *testing.T) {
	var doc struct {
		Alerts yaml.Node `yaml:"alerts"`
		Kafka  any       `yaml:"kafka"`
	}
	src := "kafka: {brokers: [a:1]}\nalerts:\n  enabled: true\n  samples: 5\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	c, err := FromNode(&doc.Alerts)
	if err != nil || !c.Enabled || c.Samples != 5 {
		t.Fatalf("%+v %v", c, err)
	}
	if c, err := FromNode(nil); err != nil || c.Enabled {
		t.Fatalf("nil node: %+v %v", c, err)
	}
	if err := yaml.Unmarshal([]byte("alerts:\n  samples: 7\n"), &doc); err != nil {
		t.Fatal(err)
	}
	if _, err := FromNode(&doc.Alerts); err == nil || err.Error() != "alerts.samples: 7 is outside 1-5" {
		t.Fatalf("err %v", err)
	}
}
