package aspect

import (
	"cmp"
	"slices"
	"unicode/utf8"
)

// Dict is a rune trie for longest-match lookups of many terms at once. A
// term may hold the pattern {N} (lexicons.NumberPattern), which matches a
// run of digits or Chinese numerals. Build it with Add, then use it
// read-only: a built Dict is safe for concurrent use.
type Dict struct {
	kids [][]edge // node → its children, sorted by rune
	val  []int32  // node → value+1, 0 when no term ends here
	// root holds the children of the root for runes of the BMP, where
	// every lookup starts (a map lookup per text rune would dominate).
	root *[1 << 16]int32
	high bool // some term starts outside the BMP
	num  bool // some term starts with {N}
}

// edge leads from a node to child c along rune r.
type edge struct {
	r rune
	c int32
}

// numRune labels the edge of the {N} pattern (beyond Unicode).
const numRune = utf8.MaxRune + 1

// NewDict returns an empty Dict.
func NewDict() *Dict {
	return &Dict{kids: [][]edge{nil}, val: []int32{0}, root: new([1 << 16]int32)}
}

// child returns the child of node along r.
func (d *Dict) child(node int32, r rune) (int32, bool) {
	if node == 0 && r >= 0 && r < 1<<16 {
		c := d.root[r]
		return c, c != 0
	}
	kids := d.kids[node]
	if len(kids) <= 8 {
		for _, e := range kids {
			if e.r == r {
				return e.c, true
			}
		}
		return 0, false
	}
	i, ok := slices.BinarySearchFunc(kids, r, func(e edge, r rune) int { return cmp.Compare(e.r, r) })
	if !ok {
		return 0, false
	}
	return kids[i].c, true
}

// Add adds term with value v (>= 0). Adding a term again replaces its value.
func (d *Dict) Add(term string, v int32) {
	node := int32(0)
	for i := 0; i < len(term); {
		var r rune
		if len(term)-i >= 3 && term[i:i+3] == "{N}" {
			r = numRune
			i += 3
		} else {
			var n int
			r, n = utf8.DecodeRuneInString(term[i:])
			i += n
		}
		if node == 0 {
			switch {
			case r == numRune:
				d.num = true
			case r < 1<<16:
			default:
				d.high = true
			}
		}
		child, ok := d.child(node, r)
		if !ok {
			child = int32(len(d.val))
			d.val = append(d.val, 0)
			d.kids = append(d.kids, nil)
			i, _ := slices.BinarySearchFunc(d.kids[node], r, func(e edge, r rune) int { return cmp.Compare(e.r, r) })
			d.kids[node] = slices.Insert(d.kids[node], i, edge{r, child})
			if node == 0 && r < 1<<16 {
				d.root[r] = child
			}
		}
		node = child
	}
	if node != 0 {
		d.val[node] = v + 1
	}
}

// mayStart reports whether some term can start with r.
func (d *Dict) mayStart(r rune) bool {
	if d.num && (isNumeral(r, true) || r == maskedNumber[0]) {
		return true
	}
	if r < 1<<16 {
		return d.root[r] != 0
	}
	return d.high
}

// Longest returns the end (exclusive) and value of the longest term that
// starts at rs[i], or ok=false.
func (d *Dict) Longest(rs []rune, i int) (end int, v int32, ok bool) {
	if i >= len(rs) || !d.mayStart(rs[i]) {
		return 0, 0, false
	}
	end = -1
	d.each(rs, i, 0, func(e int, val int32) {
		if e > end {
			end, v = e, val
		}
	})
	return end, v, end > i
}

// isNumeral reports whether r can be part of a number; first tells whether
// r would start it (多 and 来 only continue one: 十多天, 十来天).
func isNumeral(r rune, first bool) bool {
	switch {
	case r >= '0' && r <= '9':
		return true
	case r == '多' || r == '来':
		return !first
	}
	switch r {
	case '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '千', '万', '两', '俩', '仨', '几', '半', '零', '〇':
		return true
	}
	return false
}

// maskedNumber is how anonymised chat logs (JDDC) write a number: [数字x]天才到
// is 3天才到.
var maskedNumber = []rune("[数字x]")

// numberEnd returns the end of the number that starts at rs[i], or i when
// none does: a run of numerals, or a masked number.
func numberEnd(rs []rune, i int) int {
	if isNumeral(rs[i], true) {
		j := i + 1
		for j < len(rs) && isNumeral(rs[j], false) {
			j++
		}
		return j
	}
	if n := len(maskedNumber); i+n <= len(rs) && slices.Equal(rs[i:i+n], maskedNumber) {
		return i + n
	}
	return i
}

// Each calls fn for every term that starts at rs[i], shortest first (a
// {N} pattern may yield the same end twice; fn sees both).
func (d *Dict) Each(rs []rune, i int, fn func(end int, v int32)) {
	if i >= len(rs) || !d.mayStart(rs[i]) {
		return
	}
	d.each(rs, i, 0, fn)
}

func (d *Dict) each(rs []rune, i int, node int32, fn func(int, int32)) {
	for {
		if node != 0 && d.val[node] > 0 {
			fn(i, d.val[node]-1)
		}
		if i >= len(rs) {
			return
		}
		if j := numberEnd(rs, i); j > i {
			if child, ok := d.child(node, numRune); ok {
				d.each(rs, j, child, fn)
			}
		}
		child, ok := d.child(node, rs[i])
		if !ok {
			return
		}
		node, i = child, i+1
	}
}
