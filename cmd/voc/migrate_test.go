package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/vocproject/voc/internal/testinfra/chserver/chtest"
	"github.com/vocproject/voc/store/ch"
)

func TestMigrateFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string // empty: ok
	}{
		{"defaults", nil, ""},
		{"cluster distributed", []string{"--addr", "a:9000,b:9000", "--database", "v", "--cluster", "c", "--distributed"}, ""},
		{"distributed without cluster", []string{"--distributed"}, "requires cluster"},
		{"bad database", []string{"--database", "a-b"}, "database"},
		{"bad addr", []string{"--addr", "nohost"}, "addrs[0]"},
		{"extra arg", []string{"now"}, "unexpected argument"},
		{"unknown flag", []string{"--nope"}, "not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cfg, _, err := migrateFlags(tt.args, env{Stderr: &stderr, Getenv: func(string) string { return "pw" }})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if cfg.Password != "pw" {
					t.Errorf("password not taken from the environment")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, errUsage) {
				t.Fatalf("err = %v, want a usage error containing %q", err, tt.wantErr)
			}
		})
	}
	if _, _, err := migrateFlags([]string{"-h"}, env{Stderr: &bytes.Buffer{}}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: err = %v, want flag.ErrHelp", err)
	}
}

func TestMigrateCommand(t *testing.T) {
	srv := chtest.StartServer(t, t.TempDir())
	v := ch.LatestVersion()
	for i, want := range []string{fmt.Sprintf("schema version %d (was 0)", v), fmt.Sprintf("schema version %d (up to date)", v)} {
		var stdout, stderr bytes.Buffer
		cmd := &migrateCmd{env: env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}}
		if err := cmd.Run(context.Background(), []string{"--addr", srv.Addr(), "--database", "mig"}); err != nil {
			t.Fatalf("run %d: %v\n%s", i+1, err, stderr.String())
		}
		if got := strings.TrimSpace(stdout.String()); got != want {
			t.Errorf("run %d printed %q, want %q", i+1, got, want)
		}
	}
}
