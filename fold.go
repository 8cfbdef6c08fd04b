package motcua

import (
	"strings"
	"unicode"
)

// Fold returns s in a form for matching that ignores case and
// diacritics: lower case, Vietnamese and other Latin letters reduced to
// their base letter (đ to d), combining marks removed and runs of spaces
// collapsed. "Đăng ký khai sinh" and "dang ky  KHAI sinh" fold to the same
// string. It works on NFC and NFD input alike.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		space = false
		if r < 0x80 {
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		if f, ok := foldTable[r]; ok {
			b.WriteByte(f)
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.TrimRight(b.String(), " ")
}

// foldTable maps precomposed Latin letters to their lower-case base letter.
var foldTable = func() map[rune]byte {
	m := make(map[rune]byte)
	for _, g := range []struct {
		base    rune
		letters string
	}{
		{'a', "ÀÁÂÃÄÅàáâãäåĀāĂăĄąǍǎǞǟǠǡǺǻȀȁȂȃȦȧḀḁẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặ"},
		{'b', "ḂḃḄḅḆḇ"},
		{'c', "ÇçĆćĈĉĊċČčḈḉ"},
		{'d', "ÐðĎďĐđḊḋḌḍḎḏḐḑḒḓ"},
		{'e', "ÈÉÊËèéêëĒēĔĕĖėĘęĚěȄȅȆȇȨȩḔḕḖḗḘḙḚḛḜḝẸẹẺẻẼẽẾếỀềỂểỄễỆệ"},
		{'f', "Ḟḟ"},
		{'g', "ĜĝĞğĠġĢģǦǧǴǵḠḡ"},
		{'h', "ĤĥȞȟḢḣḤḥḦḧḨḩḪḫẖ"},
		{'i', "ÌÍÎÏìíîïĨĩĪīĬĭĮįİǏǐȈȉȊȋḬḭḮḯỈỉỊị"},
		{'j', "Ĵĵǰ"},
		{'k', "ĶķǨǩḰḱḲḳḴḵ"},
		{'l', "ĹĺĻļĽľḶḷḸḹḺḻḼḽ"},
		{'m', "ḾḿṀṁṂṃ"},
		{'n', "ÑñŃńŅņŇňǸǹṄṅṆṇṈṉṊṋ"},
		{'o', "ÒÓÔÕÖòóôõöŌōŎŏŐőƠơǑǒǪǫǬǭȌȍȎȏȪȫȬȭȮȯȰȱṌṍṎṏṐṑṒṓỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợ"},
		{'p', "ṔṕṖṗ"},
		{'r', "ŔŕŖŗŘřȐȑȒȓṘṙṚṛṜṝṞṟ"},
		{'s', "ŚśŜŝŞşŠšȘșṠṡṢṣṤṥṦṧṨṩ"},
		{'t', "ŢţŤťȚțṪṫṬṭṮṯṰṱẗ"},
		{'u', "ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųƯưǓǔǕǖǗǘǙǚǛǜȔȕȖȗṲṳṴṵṶṷṸṹṺṻỤụỦủỨứỪừỬửỮữỰự"},
		{'v', "ṼṽṾṿ"},
		{'w', "ŴŵẀẁẂẃẄẅẆẇẈẉẘ"},
		{'x', "ẊẋẌẍ"},
		{'y', "ÝýÿŶŷŸȲȳẎẏẙỲỳỴỵỶỷỸỹ"},
		{'z', "ŹźŻżŽžẐẑẒẓẔẕ"},
	} {
		for _, r := range g.letters {
			m[r] = byte(g.base)
		}
	}
	return m
}()
