package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vocproject/voc/alerts"
)

// checkAlerts validates the alerts section as `voc run` does.
func checkAlerts(c *Config) error {
	_, err := alerts.FromNode(&c.Alerts)
	return err
}

// TestBad loads every testdata/*.bad.yml; its leading "# error:" comment
// lines hold the exact error it must produce ("..." at the end of the first
// line means the rest of the message is not checked).
func TestBad(t *testing.T) {
	files, err := filepath.Glob("testdata/*.bad.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no bad configs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, l := range strings.Split(string(data), "\n") {
				if !strings.HasPrefix(l, "#") {
					break
				}
				l = strings.TrimPrefix(l, "# ")
				l = strings.TrimPrefix(l, "error: ")
				want = append(want, strings.TrimPrefix(l, "#"))
			}
			w := strings.Join(want, "\n")
			_, err = LoadFile(f, nil, checkAlerts)
			if err == nil {
				t.Fatalf("loaded without error, want %q", w)
			}
			got := strings.TrimPrefix(err.Error(), f+": ")
			if prefix, ok := strings.CutSuffix(w, " ..."); ok {
				if !strings.HasPrefix(got, prefix) {
					t.Fatalf("error\n%s\nwant prefix\n%s", got, prefix)
				}
				return
			}
			if got != w {
				t.Fatalf("error\n%s\nwant\n%s", got, w)
			}
		})
	}
}

func TestGood(t *testing.T) {
	env := map[string]string{"VOC_KAFKA_SASL_PASSWORD": "s3cret", "VOC_API_TOKEN": "0f6c2b9e8d41a7c3"}
	c, err := LoadFile("testdata/good.yml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Kafka.Topics, ","); got != "reviews,cs-chats" {
		t.Errorf("topics %s", got)
	}
	if c.Kafka.CommitInterval != 2*time.Second || c.Pipeline.BatchWait != time.Second {
		t.Errorf("durations %s %s", c.Kafka.CommitInterval, c.Pipeline.BatchWait)
	}
	if c.Pipeline.BatchBytes != 8<<20 || c.Pipeline.RetryMax != 30*time.Second {
		t.Errorf("defaults not filled: %+v", c.Pipeline)
	}
	if c.Kafka.SASL.Password != "s3cret" {
		t.Errorf("sasl password from the environment not applied")
	}
	if _, err := LoadFile("testdata/good.yml", nil); err == nil || !strings.Contains(err.Error(), "kafka.sasl.password") {
		t.Errorf("without the password: %v", err)
	}
	if c.ClickHouse.DialTimeout != 5*time.Second || c.Log.Format != "json" {
		t.Errorf("clickhouse %+v log %+v", c.ClickHouse, c.Log)
	}
	if h := c.HTTP; !h.Pprof || h.ReportTimeout != time.Minute || h.APITimeout != 15*time.Second || h.MaxConcurrent != 32 || h.Token != "0f6c2b9e8d41a7c3" {
		t.Errorf("http %+v", h)
	}
}

// TestHTTPDefaults: profiling is off unless asked for; the limits have
// their defaults.
func TestHTTPDefaults(t *testing.T) {
	h := Default().HTTP
	if h.Pprof || h.APITimeout != 15*time.Second || h.ReportTimeout != 30*time.Second || h.MaxConcurrent != 32 {
		t.Errorf("http defaults %+v", h)
	}
}

// TestEnvToken: VOC_API_TOKEN is checked like http.token, without being
// quoted in the error.
func TestEnvToken(t *testing.T) {
	tests := []struct{ token, err string }{
		{" ", "config: http.token: is blank (whitespace only); set a random token (openssl rand -hex 32) or none"},
		{"\t\t", "config: http.token: is blank (whitespace only); set a random token (openssl rand -hex 32) or none"},
		{"hunter2", "config: http.token: is 7 characters long; want at least 16 (openssl rand -hex 32)"},
		{" 0f6c2b9e8d41a7c3", "config: http.token: holds a space, control or non-ASCII character; want printable ASCII (openssl rand -hex 32)"},
		{"0f6c2b9e8d41a7c3", ""},
	}
	for _, tc := range tests {
		env := map[string]string{"VOC_API_TOKEN": tc.token, "VOC_HTTP_LISTEN": "0.0.0.0:9464"}
		_, err := Load(strings.NewReader(""), func(k string) string { return env[k] })
		if tc.err == "" {
			if err != nil {
				t.Errorf("token of %d characters: %v", len(tc.token), err)
			}
			continue
		}
		if err == nil || err.Error() != tc.err {
			t.Errorf("token %q: error %v, want %q", tc.token, err, tc.err)
		}
	}
}

func TestDefaultIsValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c2, err := LoadFile("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c2.Kafka.Topics[0] != DefaultTopic || c2.Kafka.GroupID != DefaultGroupID || c2.HTTP.Listen != DefaultListen {
		t.Errorf("defaults %+v", c2.Kafka)
	}
}

func TestEnv(t *testing.T) {
	env := map[string]string{
		"VOC_KAFKA_BROKERS":       "b1:9092, b2:9092",
		"VOC_CLICKHOUSE_PASSWORD": "s3cret",
		"VOC_WORKERS":             "3",
	}
	c, err := Load(strings.NewReader("kafka:\n  brokers: [file:1]\npipeline:\n  workers: 8\n"), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Kafka.Brokers, ",") != "b1:9092,b2:9092" || c.ClickHouse.Password != "s3cret" || c.Pipeline.Workers != 3 {
		t.Errorf("env not applied: %v %q %d", c.Kafka.Brokers, c.ClickHouse.Password, c.Pipeline.Workers)
	}
	env["VOC_WORKERS"] = "many"
	_, err = Load(strings.NewReader(""), func(k string) string { return env[k] })
	if err == nil || err.Error() != `config: pipeline.workers (VOC_WORKERS): "many": not an integer` {
		t.Errorf("bad env: %v", err)
	}
}

// TestREADMEExample keeps the configuration shown in README.md valid.
func TestREADMEExample(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s, "# voc.yaml")
	if i < 0 {
		t.Fatal("README.md has no voc.yaml example")
	}
	j := strings.Index(s[i:], "```")
	if _, err := Load(strings.NewReader(s[i:i+j]), nil); err != nil {
		t.Fatalf("README example: %v", err)
	}
}
