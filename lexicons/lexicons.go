// Package lexicons holds voc's lexicon data files and their loader.
//
// Every file is UTF-8 text, one entry per line, fields separated by a TAB.
// Blank lines are skipped; a line starting with '#' is a comment. Each file
// begins with comment lines recording where its content came from
// ("# source: ..."). The shipped files are embedded in the binary (Embedded);
// a directory given with --lexicons overrides them file by file.
//
// Errors name the file and line: "taxonomy.tsv:12: ...". A file above
// MaxFileBytes, a line above MaxLineBytes, and an entry line that is not
// UTF-8 or holds a control character are errors (ReadFile, ReadLines).
//
// The package reads and checks the data alone and imports no NLP package;
// the tools that need the analysis live under lexicons/tools: check (terms
// that cannot match, test lines), diff (a change's impact on a sample),
// suggest (candidates mined from feedback), learn (the learned weights) and
// eval (accuracy on public data).
package lexicons

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits of a lexicon file. The largest shipped file is under 2 MiB and
// its longest line under 32 KiB; the limits keep a wrong file (a log, a
// dump, /dev/zero) from exhausting memory and make it an error naming it.
const (
	// MaxFileBytes is the largest lexicon file read, also a composed one
	// (a root file with its packs' files).
	MaxFileBytes = 64 << 20
	// MaxLineBytes is the longest line of a lexicon file.
	MaxLineBytes = 1 << 20
)

// ErrTooLarge marks a file or line above MaxFileBytes or MaxLineBytes.
var ErrTooLarge = errors.New("too large")

// ReadFile reads file name of fsys, refusing it as soon as it passes
// MaxFileBytes or one of its lines passes MaxLineBytes: the error is then
// an *Error naming the file (and the line) and wrapping ErrTooLarge, and
// at most MaxFileBytes plus one read buffer were held. Other errors are
// those of fsys.
func ReadFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var data []byte
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		if st.Size() > MaxFileBytes {
			return nil, &Error{File: name, Err: fmt.Errorf("%w: %d bytes, above the %d MiB a lexicon file may have", ErrTooLarge, st.Size(), MaxFileBytes>>20)}
		}
		data = make([]byte, 0, st.Size()+1)
	}
	buf := make([]byte, 64<<10)
	line, lineLen := 1, 0
	for {
		n, err := f.Read(buf)
		for p := buf[:n]; len(p) > 0; {
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				lineLen += len(p)
			} else {
				lineLen += i
			}
			if lineLen > MaxLineBytes {
				return nil, &Error{File: name, Line: line, Err: fmt.Errorf("%w: line longer than %d KiB", ErrTooLarge, MaxLineBytes>>10)}
			}
			if i < 0 {
				break
			}
			line, lineLen, p = line+1, 0, p[i+1:]
		}
		if len(data)+n > MaxFileBytes {
			return nil, &Error{File: name, Err: fmt.Errorf("%w: more than the %d MiB a lexicon file may have", ErrTooLarge, MaxFileBytes>>20)}
		}
		if len(data)+n > cap(data) { // grow by doubling: at most 2×MaxFileBytes allocated in all
			grown := make([]byte, len(data), min(max(2*cap(data), len(data)+n), MaxFileBytes))
			copy(grown, data)
			data = grown
		}
		data = append(data, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// fileError is err as an *Error of file name: err itself when it already
// is one (ReadFile's limits).
func fileError(name string, err error) *Error {
	var le *Error
	if errors.As(err, &le) {
		return le
	}
	return &Error{File: name, Err: err}
}

// checkText returns an error when an entry line is not UTF-8 or holds a
// control character (C0 but TAB, DEL, C1): lexicon terms are text, and a
// term echoed in a message must not act on the terminal. The message
// quotes the offending field.
func checkText(text string) error {
	for _, field := range strings.Split(text, "\t") {
		if !utf8.ValidString(field) {
			return fmt.Errorf("not UTF-8: %s", quoteTerm(field))
		}
		for _, r := range field {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				return fmt.Errorf("control character %U in %s: lexicon text must be printable", r, quoteTerm(field))
			}
		}
	}
	return nil
}

// quoteTerm quotes s for a message (Go escapes for anything not
// printable), shortened to about 64 bytes.
func quoteTerm(s string) string {
	const n = 64
	if len(s) <= n {
		return strconv.Quote(s)
	}
	cut := n
	for cut > n-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

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
	data, err := ReadFile(fsys, name)
	if err != nil {
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return Errors{fileError(name, err)}
	}
	var errs Errors
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes+1)
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
		if err := checkText(text); err != nil {
			errs = append(errs, &Error{File: file, Line: no, Err: err})
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
		data, err := ReadFile(fsys, path)
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
