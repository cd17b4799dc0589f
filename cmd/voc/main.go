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
	"slices"
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

// subcommand is one entry of voc's command table.
type subcommand struct {
	name  string
	usage string            // its line in the usage message
	new   func(env) command // the command working in the process env
}

// commands is voc's subcommands, in the order of the usage message.
var commands = []subcommand{
	{"alerts", "replay, list, acknowledge and resolve alerts; test a channel", func(e env) command { return &alertsCmd{env: e} }},
	{"analyze", "analyse text lines or JSON Lines messages (files or stdin), print results in input order", func(e env) command { return &analyzeCmd{env: e} }},
	{"demo", "run voc end to end on embedded Kafka and a local ClickHouse with a sample feed", func(e env) command { return &demoCmd{env: e} }},
	{"eval", "evaluate sentiment and pain-point accuracy on labelled data", func(e env) command { return &evalCmd{env: e} }},
	{"lexicon", "lexicon tools: validate, test, diff, suggest, learn", func(e env) command { return &lexiconCmd{env: e} }},
	{"migrate", "create or upgrade the ClickHouse database and tables", func(e env) command { return &migrateCmd{env: e} }},
	{"report", "write the weekly VoC report (VOC周报) as HTML or Markdown", func(e env) command { return &reportCmd{env: e} }},
	{"reprocess", "re-tag stored feedback of a past period with the current lexicons", func(e env) command { return &reprocessCmd{env: e} }},
	{"run", "consume Kafka, analyse, write to ClickHouse and the search index", func(e env) command { return &runCmd{env: e} }},
	{"search", "full-text search of verbatims in the search index", func(e env) command { return &searchCmd{env: e} }},
	{"serve", "serve the read-only API, the dashboard and the weekly report over HTTP", func(e env) command { return &serveCmd{env: e} }},
	{"version", "print the version and the commit voc was built from", func(e env) command { return &versionCmd{env: e} }},
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
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(e.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	i := slices.IndexFunc(commands, func(c subcommand) bool { return c.name == args[0] })
	if i < 0 {
		fmt.Fprintf(e.Stderr, "voc: unknown command %q\n", args[0])
		printUsage(e.Stderr)
		return 2
	}
	if err := commands[i].new(e).Run(ctx, args[1:]); err != nil {
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
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.usage)
	}
}
