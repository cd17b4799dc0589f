package aspect

import (
	"slices"
	"testing"
)

func TestDict(t *testing.T) {
	d := NewDict()
	d.Add("快递", 1)
	d.Add("快递员", 2)
	d.Add("{N}天才到", 3)
	d.Add("等了{N}天", 4)
	d.Add("😀好", 5)
	d.Add("快递", 6) // replaces 1
	tests := []struct {
		text  string
		at    int
		end   int
		v     int32
		found bool
	}{
		{"快递员很好", 0, 3, 2, true},
		{"快递很快", 0, 2, 6, true},
		{"快", 0, 0, 0, false},
		{"三天才到", 0, 4, 3, true},
		{"12天才到", 0, 5, 3, true},
		{"十多天才到", 0, 5, 3, true},
		{"多天才到", 0, 0, 0, false}, // 多 only continues a number
		{"等了两天", 0, 4, 4, true},
		{"等了天", 0, 0, 0, false},
		{"[数字x]天才到", 0, 8, 3, true}, // a number masked in chat logs
		{"等了[数字x]天", 0, 8, 4, true},
		{"[数字x天才到", 0, 0, 0, false},
		{"😀好的", 0, 2, 5, true},
		{"我的快递", 2, 4, 6, true},
		{"快递", 5, 0, 0, false},
	}
	for _, tt := range tests {
		end, v, ok := d.Longest([]rune(tt.text), tt.at)
		if ok != tt.found || ok && (end != tt.end || v != tt.v) {
			t.Errorf("Longest(%q, %d) = %d, %d, %v; want %d, %d, %v", tt.text, tt.at, end, v, ok, tt.end, tt.v, tt.found)
		}
	}
	var ends []int
	d.Each([]rune("快递员"), 0, func(end int, v int32) { ends = append(ends, end) })
	if !slices.Equal(ends, []int{2, 3}) {
		t.Errorf("Each(快递员) ends = %v, want [2 3]", ends)
	}
}

func TestDictManyChildren(t *testing.T) {
	d := NewDict()
	// more children than the linear scan handles, added out of order
	rs := []rune("甲乙丙丁戊己庚辛壬癸子丑寅卯")
	for i := len(rs) - 1; i >= 0; i-- {
		d.Add("天"+string(rs[i]), int32(i))
	}
	for i, r := range rs {
		if end, v, ok := d.Longest([]rune("天"+string(r)), 0); !ok || end != 2 || v != int32(i) {
			t.Errorf("天%c: %d, %d, %v", r, end, v, ok)
		}
	}
	if _, _, ok := d.Longest([]rune("天地"), 0); ok {
		t.Error("天地 found")
	}
}
