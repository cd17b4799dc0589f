package kafkaconn_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vocproject/voc/internal/kafkaconn"
)

func TestTLSBuildErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "bad.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	tests := []struct {
		name  string
		cfg   kafkaconn.TLSConfig
		field string
	}{
		{"missing ca", kafkaconn.TLSConfig{Enabled: true, CAFile: filepath.Join(dir, "nope.pem")}, "tls.ca_file"},
		{"ca not pem", kafkaconn.TLSConfig{Enabled: true, CAFile: notPEM}, "tls.ca_file"},
		{"bad key pair", kafkaconn.TLSConfig{Enabled: true, CertFile: notPEM, KeyFile: notPEM}, "tls.cert_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.cfg.Build()
			var ce *kafkaconn.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("Build: %v, want a ConfigError on %s", err, tt.field)
			}
		})
	}
	if tc, err := (kafkaconn.TLSConfig{}).Build(); tc != nil || err != nil {
		t.Errorf("disabled TLS: %v, %v; want nil, nil", tc, err)
	}
}

func TestSASLBuild(t *testing.T) {
	for mech, name := range map[string]string{"plain": "PLAIN", "scram-sha-256": "SCRAM-SHA-256", "SCRAM-SHA-512": "SCRAM-SHA-512"} {
		m, err := kafkaconn.SASLConfig{Mechanism: mech, Username: "u", Password: "p"}.Build()
		if err != nil {
			t.Fatalf("%s: %v", mech, err)
		}
		if m.Name() != name {
			t.Errorf("%s: mechanism %s, want %s", mech, m.Name(), name)
		}
	}
	if m, err := (kafkaconn.SASLConfig{}).Build(); m != nil || err != nil {
		t.Errorf("no SASL: %v, %v; want nil, nil", m, err)
	}
}
