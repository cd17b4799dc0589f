// Package pii masks personal data in Chinese customer text with typed
// placeholders.
package pii

import (
	"regexp"
	"sort"
)

// Placeholders that replace masked spans.
const (
	Phone    = "<PHONE>"
	Landline = "<LANDLINE>"
	ID       = "<ID>"
	Card     = "<CARD>"
	Email    = "<EMAIL>"
	Order    = "<ORDER>"
	Address  = "<ADDRESS>"
)

var (
	rePhone = regexp.MustCompile(`(?:\+?86[ -]?)?1[3-9]\d{9}`)
	reEmail = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
)

// Mask replaces personal data with typed placeholders and returns the masked
// text and the sorted unique types masked ("PHONE", "EMAIL", ...).
func Mask(s string) (masked string, types []string) {
	seen := map[string]bool{}
	s = reEmail.ReplaceAllStringFunc(s, func(string) string { seen["EMAIL"] = true; return Email })
	s = rePhone.ReplaceAllStringFunc(s, func(string) string { seen["PHONE"] = true; return Phone })
	for t := range seen {
		types = append(types, t)
	}
	sort.Strings(types)
	return s, types
}
