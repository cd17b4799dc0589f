package kafka_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/vocproject/voc/internal/kafkaconn"
	"github.com/vocproject/voc/sources/kafka"
)

func TestConfigValidate(t *testing.T) {
	valid := kafka.Config{Brokers: []string{"127.0.0.1:9092"}, Topics: []string{"in"}, GroupID: "g"}
	with := func(f func(*kafka.Config)) kafka.Config {
		c := valid
		f(&c)
		return c
	}
	tests := []struct {
		name  string
		cfg   kafka.Config
		field string // "" when valid
	}{
		{"minimal", valid, ""},
		{"all set", with(func(c *kafka.Config) {
			c.StartOffset, c.MinBytes, c.MaxBytes, c.CommitInterval = "latest", 10, 100, time.Second
			c.TLS = kafkaconn.TLSConfig{Enabled: true, CAFile: "ca.pem", CertFile: "c.pem", KeyFile: "k.pem"}
			c.SASL = kafkaconn.SASLConfig{Mechanism: "SCRAM-SHA-512", Username: "u", Password: "p"}
		}), ""},
		{"no brokers", with(func(c *kafka.Config) { c.Brokers = nil }), "brokers"},
		{"broker without port", with(func(c *kafka.Config) { c.Brokers = []string{"a:1", "localhost"} }), "brokers[1]"},
		{"broker without host", with(func(c *kafka.Config) { c.Brokers = []string{":9092"} }), "brokers[0]"},
		{"no topics", with(func(c *kafka.Config) { c.Topics = nil }), "topics"},
		{"empty topic", with(func(c *kafka.Config) { c.Topics = []string{"a", ""} }), "topics[1]"},
		{"no group", with(func(c *kafka.Config) { c.GroupID = "" }), "group_id"},
		{"start offset", with(func(c *kafka.Config) { c.StartOffset = "first" }), "start_offset"},
		{"negative max wait", with(func(c *kafka.Config) { c.MaxWait = -1 }), "max_wait"},
		{"negative commit interval", with(func(c *kafka.Config) { c.CommitInterval = -time.Second }), "commit_interval"},
		{"min above max bytes", with(func(c *kafka.Config) { c.MinBytes, c.MaxBytes = 10, 5 }), "min_bytes"},
		{"heartbeat above session", with(func(c *kafka.Config) { c.HeartbeatInterval, c.SessionTimeout = 10*time.Second, 6*time.Second }), "heartbeat_interval"},
		{"tls file without enabled", with(func(c *kafka.Config) { c.TLS.CAFile = "ca.pem" }), "tls.ca_file"},
		{"tls insecure without enabled", with(func(c *kafka.Config) { c.TLS.InsecureSkipVerify = true }), "tls.insecure_skip_verify"},
		{"tls key without cert", with(func(c *kafka.Config) { c.TLS = kafkaconn.TLSConfig{Enabled: true, KeyFile: "k.pem"} }), "tls.cert_file"},
		{"tls cert without key", with(func(c *kafka.Config) { c.TLS = kafkaconn.TLSConfig{Enabled: true, CertFile: "c.pem"} }), "tls.key_file"},
		{"sasl mechanism", with(func(c *kafka.Config) {
			c.SASL = kafkaconn.SASLConfig{Mechanism: "gssapi", Username: "u", Password: "p"}
		}), "sasl.mechanism"},
		{"sasl user without mechanism", with(func(c *kafka.Config) { c.SASL.Username = "u" }), "sasl.mechanism"},
		{"sasl no user", with(func(c *kafka.Config) { c.SASL = kafkaconn.SASLConfig{Mechanism: "plain", Password: "p"} }), "sasl.username"},
		{"sasl no password", with(func(c *kafka.Config) { c.SASL = kafkaconn.SASLConfig{Mechanism: "plain", Username: "u"} }), "sasl.password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ce *kafka.ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("Validate: %v, want a ConfigError on %s", err, tt.field)
			}
		})
	}
}

// TestSourceTLSAndSASL consumes from a kfake broker that requires TLS with a
// client certificate and SASL/SCRAM, with the CA, certificate and key read
// from PEM files.
func TestSourceTLSAndSASL(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCert(t, nil, nil, "voc test CA")
	srv, srvKey := newCert(t, ca, caKey, "127.0.0.1")
	cli, cliKey := newCert(t, ca, caKey, "voc client")
	caFile := writePEM(t, dir, "ca.pem", "CERTIFICATE", ca.Raw)
	certFile := writePEM(t, dir, "client.pem", "CERTIFICATE", cli.Raw)
	keyDER, _ := x509.MarshalECPrivateKey(cliKey)
	keyFile := writePEM(t, dir, "client.key", "EC PRIVATE KEY", keyDER)

	pool := x509.NewCertPool()
	pool.AddCert(ca)
	serverTLS := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{srv.Raw}, PrivateKey: srvKey}},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    pool,
	}
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "in"), kfake.TLS(serverTLS),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "voc", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	tlsCfg := kafkaconn.TLSConfig{Enabled: true, CAFile: caFile, CertFile: certFile, KeyFile: keyFile}
	saslCfg := kafkaconn.SASLConfig{Mechanism: "scram-sha-256", Username: "voc", Password: "s3cret"}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tr, err := kafkaconn.Transport("test", 0, tlsCfg, saslCfg)
	if err != nil {
		t.Fatal(err)
	}
	w := &kafkago.Writer{Addr: kafkago.TCP(cluster.ListenAddrs()...), Topic: "in", Transport: tr, BatchTimeout: time.Millisecond}
	if err := w.WriteMessages(ctx, kafkago.Message{Value: []byte("secret hello")}); err != nil {
		t.Fatalf("produce over TLS+SASL: %v", err)
	}
	w.Close()

	src, err := kafka.New(kafka.Config{Brokers: cluster.ListenAddrs(), Topics: []string{"in"}, GroupID: "g",
		MaxWait: 100 * time.Millisecond, TLS: tlsCfg, SASL: saslCfg})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	m, ack, err := src.Read(ctx)
	if err != nil {
		t.Fatalf("read over TLS+SASL: %v", err)
	}
	if string(m.Value) != "secret hello" {
		t.Errorf("read %q", m.Value)
	}
	ack(ctx, nil)

	// A wrong password is a permanent error, not retried forever.
	bad := saslCfg
	bad.Password = "wrong"
	src2, err := kafka.New(kafka.Config{Brokers: cluster.ListenAddrs(), Topics: []string{"in"}, GroupID: "g2",
		MaxWait: 100 * time.Millisecond, JoinBackoff: 100 * time.Millisecond, TLS: tlsCfg, SASL: bad})
	if err != nil {
		t.Fatal(err)
	}
	defer src2.Close()
	if _, _, err := src2.Read(ctx); !errors.Is(err, kafkago.SASLAuthenticationFailed) {
		t.Errorf("read with a wrong password: %v, want SASLAuthenticationFailed", err)
	}
}

func newCert(t *testing.T, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	signer, signKey := tmpl, key
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	} else {
		signer, signKey = parent, parentKey
		if ip := net.ParseIP(cn); ip != nil {
			tmpl.IPAddresses = []net.IP{ip}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
