package pii

import (
	"reflect"
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	tests := []struct {
		name, in, want string
		types          []string
	}{
		{"no digits", "质量不错,物流太慢", "质量不错,物流太慢", nil},
		{"mobile", "我的电话13812345678请回电", "我的电话<PHONE>请回电", []string{"PHONE"}},
		{"mobile +86 spaced", "电话:+86 138 1234 5678。", "电话:<PHONE>。", []string{"PHONE"}},
		{"mobile dashes", "138-1234-5678", "<PHONE>", []string{"PHONE"}},
		{"mobile 0086", "0086 13812345678", "<PHONE>", []string{"PHONE"}},
		{"mobile 86 no plus", "8613912345678", "<PHONE>", []string{"PHONE"}},
		{"mobile after letters", "tel13812345678", "tel<PHONE>", []string{"PHONE"}},
		{"two mobiles", "13812345678或15987654321", "<PHONE>或<PHONE>", []string{"PHONE"}},
		{"landline", "座机010-12345678转人工", "座机<LANDLINE>转人工", []string{"LANDLINE"}},
		{"landline 4 digit area", "0571-8888888", "<LANDLINE>", []string{"LANDLINE"}},
		{"landline plain", "057188888888", "<LANDLINE>", []string{"LANDLINE"}},
		{"id 18", "身份证11010519491231002X已提交", "身份证<ID>已提交", []string{"ID"}},
		{"id 18 lower x", "id 11010519491231002x", "id <ID>", []string{"ID"}},
		{"id 18 digit check", "440304199001011233", "<ID>", []string{"ID"}},
		{"id 15 old", "身份证110105491231002", "身份证<ID>", []string{"ID"}},
		{"card", "卡号6222021234567890128", "卡号<CARD>", []string{"CARD"}},
		{"card grouped", "卡号 6222 0212 3456 7890 128 谢谢", "卡号 <CARD> 谢谢", []string{"CARD"}},
		{"card 16", "4111111111111111", "<CARD>", []string{"CARD"}},
		{"email", "邮箱zhang.san_01@example.com.cn联系", "邮箱<EMAIL>联系", []string{"EMAIL"}},
		{"email without digits", "发到abc@qq.com", "发到<EMAIL>", []string{"EMAIL"}},
		{"email tld then digits", "a@qq.com13812345678", "<EMAIL><PHONE>", []string{"EMAIL", "PHONE"}},
		{"order", "订单号:JD123456789还没发货", "订单号:<ORDER>还没发货", []string{"ORDER"}},
		{"order full width colon", "订单号：20231225001234", "订单号：<ORDER>", []string{"ORDER"}},
		{"order long digits", "我的订单3311223344556677怎么还没到", "我的订单<ORDER>怎么还没到", []string{"ORDER"}},
		{"waybill", "快递单号是sf1234567890", "快递单号是<ORDER>", []string{"ORDER"}},
		{"order wins over phone", "订单号13812345678", "订单号<ORDER>", []string{"ORDER"}},
		{"order keeps jd placeholder", "订单[ORDERID_123]没到", "订单[ORDERID_123]没到", nil},
		{"address road", "我住在北京市朝阳区建国路88号3栋2单元501室,快递放门口", "我住在<ADDRESS>,快递放门口", []string{"ADDRESS"}},
		{"address short", "送到中山路5号", "送到<ADDRESS>", []string{"ADDRESS"}},
		{"address compound", "地址:阳光花园12栋", "地址:<ADDRESS>", []string{"ADDRESS"}},
		{"mixed", "电话13812345678,地址南京路100号,邮箱a1@b.cn", "电话<PHONE>,地址<ADDRESS>,邮箱<EMAIL>", []string{"ADDRESS", "EMAIL", "PHONE"}},

		// issue 17: misses
		{"mobile in chinese numerals", "电话一三八一二三四五六七八", "电话<PHONE>", []string{"PHONE"}},
		{"mobile with 幺", "幺三八 幺二三四 五六七八", "<PHONE>", []string{"PHONE"}},
		{"landline bracketed", "(010)62345678", "<LANDLINE>", []string{"LANDLINE"}},
		{"landline bracketed spaced", "座机(0571) 8888-6666", "座机<LANDLINE>", []string{"LANDLINE"}},
		{"address 道", "地址:滨江道18号", "地址:<ADDRESS>", []string{"ADDRESS"}},
		{"address chinese numerals", "送到解放路十八号", "送到<ADDRESS>", []string{"ADDRESS"}},
		{"address room dashes", "送人民大道18号3-2-501", "送<ADDRESS>", []string{"ADDRESS"}},
		{"building after street", "幸福路5号,3栋2单元501室", "<ADDRESS>", []string{"ADDRESS"}},
		{"building alone", "放到3栋2单元501室门口", "放到<ADDRESS>门口", []string{"ADDRESS"}},
		{"spelled email", "邮箱zhangsan at 163 dot com", "邮箱<EMAIL>", []string{"EMAIL"}},
		{"spelled email brackets", "li.si(at)qq(dot)com谢谢", "<EMAIL>谢谢", []string{"EMAIL"}},
		{"qq", "qq:12345678", "qq:<QQ>", []string{"QQ"}},
		{"扣扣", "扣扣 123456789", "扣扣 <QQ>", []string{"QQ"}},
		{"wechat", "微信:abc_123", "微信:<WECHAT>", []string{"WECHAT"}},
		{"vx", "vx: zhang_san88 v信 lily-2021", "vx: <WECHAT> v信 <WECHAT>", []string{"WECHAT"}},
		// issue 17: over-masking
		{"ms timestamp", "ts=1703123456780", "ts=1703123456780", nil},
		{"ean-13", "条码6901234567892", "条码6901234567892", nil},
		{"16-digit code", "兑换码7834567890123453", "兑换码7834567890123453", nil},
		{"card after cue without issuer", "银行卡号9558801234567897", "银行卡号<CARD>", []string{"CARD"}},
		{"知道 is no street", "我知道18号能到", "我知道18号能到", nil},
		{"wechat pay", "微信支付100元", "微信支付100元", nil},
		{"rooms", "两室一厅", "两室一厅", nil},

		// near misses: left alone
		{"price", "199元买的,优惠了30元", "199元买的,优惠了30元", nil},
		{"date", "2023年12月25日下单,2023-12-25到货", "2023年12月25日下单,2023-12-25到货", nil},
		{"quantity", "用了3天就坏了,买了2件", "用了3天就坏了,买了2件", nil},
		{"12 digits starting 1", "138123456789", "138123456789", nil},
		{"10 digits", "1381234567", "1381234567", nil},
		{"mobile bad prefix", "12812345678", "12812345678", nil},
		{"id bad checksum", "110105194912310021", "110105194912310021", nil},
		{"id bad date", "110105194913310028", "110105194913310028", nil},
		{"card bad luhn", "6222021234567890127", "6222021234567890127", nil},
		{"card bad grouping", "622 20212 34567890128", "622 20212 34567890128", nil},
		{"service number", "客服400-820-8820", "客服400-820-8820", nil},
		{"decimal", "评分4.8分,重1.5kg", "评分4.8分,重1.5kg", nil},
		{"date and mobile", "2023-12-25 13812345678", "2023-12-25 <PHONE>", []string{"PHONE"}},
		{"city only", "上海市的物流很快,3天到", "上海市的物流很快,3天到", nil},
		{"date 5号", "12月5号到货", "12月5号到货", nil},
		{"short order", "订单3天才到", "订单3天才到", nil},
		{"at without email", "@客服 3天了", "@客服 3天了", nil},
		{"placeholder untouched", "电话<PHONE>订单<ORDER>", "电话<PHONE>订单<ORDER>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, types := Mask(tt.in)
			if got != tt.want {
				t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !reflect.DeepEqual(types, tt.types) {
				t.Errorf("Mask(%q) types = %q, want %q", tt.in, types, tt.types)
			}
		})
	}
}

// mobileLeft reports an 11-digit mainland mobile number left in s as a
// maximal run of digits.
func mobileLeft(s string) string {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if isMobile([]byte(s[i:j])) {
			return s[i:j]
		}
		i = j
	}
	return ""
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"", "13812345678", "+86 138 1234 5678", "010-12345678", "11010519491231002X",
		"6222 0212 3456 7890 128", "a@b.cn", "订单号:13812345678", "中山路5号3栋501",
		"2023-12-25 13812345678", "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5", "@@@@", "订单订单订单",
		"\xff13812345678\xfe", "路1号号号号", "x@y.z1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, types := Mask(s)
		if m := mobileLeft(got); m != "" {
			t.Fatalf("Mask(%q) = %q leaves mobile %s", s, got, m)
		}
		for i := 1; i < len(types); i++ {
			if types[i] <= types[i-1] {
				t.Fatalf("types not sorted unique: %q", types)
			}
		}
		if len(types) == 0 && got != s {
			t.Fatalf("text changed without types: %q -> %q", s, got)
		}
		for _, ty := range types {
			if !strings.Contains(got, "<"+ty+">") {
				t.Fatalf("type %s reported but no placeholder in %q", ty, got)
			}
		}
	})
}
