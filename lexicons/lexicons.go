// Package lexicons holds voc's lexicon data files and their loader.
//
// Every file is UTF-8 text, one entry per line, fields separated by a TAB.
// Blank lines are skipped; a line starting with '#' is a comment. Each file
// begins with comment lines recording where its content came from
// ("# source: ..."). The shipped files are embedded in the binary (Embedded);
// a directory given with --lexicons overrides them file by file.
//
// Errors name the file and line: "taxonomy.tsv:12: ...".
package lexicons

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
)

//go:embed data
var embedded embed.FS

// Embedded returns the lexicon files shipped with the binary.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "data")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Overlay returns a file system in which files of dir replace the embedded
// files of the same name, and new files in dir are added.
func Overlay(dir string) fs.FS {
	return overlayFS{top: os.DirFS(dir), base: Embedded()}
}

type overlayFS struct{ top, base fs.FS }

func (o overlayFS) Open(name string) (fs.File, error) {
	f, err := o.top.Open(name)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return o.base.Open(name)
}

func (o overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]fs.DirEntry{}
	for _, f := range []fs.FS{o.base, o.top} {
		es, err := fs.ReadDir(f, name)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for _, e := range es {
			seen[e.Name()] = e
		}
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// Error is a problem at one line of one lexicon file.
type Error struct {
	File string
	Line int // 1-based; 0 when the error is about the whole file
	Err  error
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Errors is every problem found while loading, in file and line order.
type Errors []*Error

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Line is one entry line of a lexicon file.
type Line struct {
	File string // the file the line is in: the name read or a pack's file
	// Src is the name ReadLines was asked for (taxonomy.tsv), also for the
	// lines of a pack's file composed into it.
	Src    string
	No     int      // 1-based line number
	Fields []string // TAB-separated fields, each trimmed of spaces
}

// Errorf returns an *Error located at this line.
func (l Line) Errorf(format string, a ...any) *Error {
	return &Error{File: l.File, Line: l.No, Err: fmt.Errorf(format, a...)}
}

// ReadLines calls fn for every entry line of file name in fsys, collecting
// the errors fn returns (reading goes on after an error so that all problems
// are reported at once). A missing file is an error unless optional is true.
func ReadLines(fsys fs.FS, name string, optional bool, fn func(Line) error) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return Errors{{File: name, Err: err}}
	}
	var errs Errors
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	no := 0
	file := name
	for sc.Scan() {
		no++
		text := strings.TrimRight(sc.Text(), "\r")
		if no == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if f, ok := strings.CutPrefix(text, fileMarker); ok {
			file, no = f, 0 // the lines of a pack's file follow (packs.go)
			continue
		}
		if strings.TrimSpace(text) == "" || strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if err := fn(Line{File: file, Src: name, No: no, Fields: fields}); err != nil {
			var le *Error
			if errors.As(err, &le) {
				errs = append(errs, le)
			} else {
				errs = append(errs, &Error{File: file, Line: no, Err: err})
			}
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, &Error{File: file, Line: no + 1, Err: err})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// version hashes every file of fsys, so that each stored record can say
// which lexicons produced it.
func version(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
