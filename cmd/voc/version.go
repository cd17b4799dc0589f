package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// versionCmd is "voc version": the module version and the VCS commit the
// binary was built from.
type versionCmd struct {
	env env
	// buildInfo defaults to debug.ReadBuildInfo (tests replace it).
	buildInfo func() (*debug.BuildInfo, bool)
}

func (c *versionCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("voc version", c.env, "usage: voc version\n\nPrints the module version, the VCS commit (with +dirty when built from a modified tree), its time and the Go version.")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	read := c.buildInfo
	if read == nil {
		read = debug.ReadBuildInfo
	}
	bi, ok := read()
	if !ok {
		fmt.Fprintln(c.env.Stdout, "voc (unknown version: built without module support)")
		return nil
	}
	writeVersion(c.env.Stdout, bi)
	return nil
}

// writeVersion prints one line: "voc VERSION commit REV[+dirty] (TIME) GOVERSION".
// A binary built from a checkout (go build, go run) has version "(devel)";
// go install module@version stamps the version but no commit.
func writeVersion(w io.Writer, bi *debug.BuildInfo) {
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, at string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	fmt.Fprintf(w, "voc %s", version)
	if rev != "" {
		if dirty {
			rev += "+dirty"
		}
		fmt.Fprintf(w, " commit %s", rev)
		if at != "" {
			fmt.Fprintf(w, " (%s)", at)
		}
	} else {
		fmt.Fprint(w, " commit unknown")
	}
	fmt.Fprintf(w, " %s\n", bi.GoVersion)
}
