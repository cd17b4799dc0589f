// Command voc mines the voice of the customer from Chinese feedback.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of voc.
type command interface {
	// Run executes the command with its arguments (without the name).
	Run(ctx context.Context, args []string) error
}

// env is what a command may use of the process: only main touches os.
type env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

var usage = map[string]string{
	"analyze":   "analyse text lines or JSON Lines messages (files or stdin), print results in input order",
	"run":       "consume Kafka, analyse, write to ClickHouse and the search index",
	"migrate":   "create or upgrade the ClickHouse database and tables",
	"reprocess": "re-tag stored feedback of a past period with the current lexicons",
	"demo":      "run voc end to end on embedded Kafka and a local ClickHouse with a sample feed",
	"search":    "full-text search of verbatims in the search index",
	"lexicon":   "lexicon tools: validate, test, diff, suggest, learn",
	"eval":      "evaluate sentiment and pain-point accuracy on labelled data",
	"alerts":    "replay, list, acknowledge and resolve alerts; test a channel",
	"serve":     "serve the read-only API, the dashboard and the weekly report over HTTP",
	"report":    "write the weekly VoC report (VOC周报) as HTML or Markdown",
	"version":   "print the version and the commit voc was built from",
}

func commands(e env) map[string]command {
	return map[string]command{
		"analyze":   &analyzeCmd{env: e},
		"run":       &runCmd{env: e},
		"migrate":   &migrateCmd{env: e},
		"reprocess": &reprocessCmd{env: e},
		"demo":      &demoCmd{env: e},
		"search":    &searchCmd{env: e},
		"lexicon":   &lexiconCmd{env: e},
		"eval":      &evalCmd{env: e},
		"serve":     &serveCmd{env: e},
		"report":    &reportCmd{env: e},
		"alerts":    &alertsCmd{env: e},
		"version":   &versionCmd{env: e},
	}
}

// errUsage marks an error in the command line (exit code 2).
var errUsage = errors.New("usage")

func main() {
	e := env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// A second signal exits at once.
		<-ctx.Done()
		stop()
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		<-ch
		fmt.Fprintln(os.Stderr, "voc: second signal, exiting now")
		os.Exit(130)
	}()
	os.Exit(run(ctx, e, os.Args[1:]))
}

func run(ctx context.Context, e env, args []string) int {
	cmds := commands(e)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(e.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.Stderr, "voc: unknown command %q\n", args[0])
		printUsage(e.Stderr)
		return 2
	}
	if err := c.Run(ctx, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(e.Stderr, "voc %s: %v\n", args[0], err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: voc <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(usage))
	for n := range usage {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, usage[n])
	}
}
