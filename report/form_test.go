package report

import "testing"

func TestParseForm(t *testing.T) {
	tests := []struct {
		in   string
		want Form
		ok   bool
	}{
		{"01", Receipt, true},
		{"1", Receipt, true},
		{"02", SupplementRequest, true},
		{"3", Refusal, true},
		{"04", Apology, true},
		{"05", StopNotice, true},
		{"6", ControlSlip, true},
		{"06", ControlSlip, true},
		{"07", 0, false},
		{"0", 0, false},
		{"00", 0, false},
		{"", 0, false},
		{"+1", 0, false},
		{"-1", 0, false},
		{"001", 0, false},
		{"x", 0, false},
		{" 1", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseForm(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseForm(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFormStringTitle(t *testing.T) {
	tests := []struct {
		form  Form
		str   string
		title string
	}{
		{Receipt, "01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"},
		{SupplementRequest, "02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"},
		{Refusal, "03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"},
		{Apology, "04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"},
		{StopNotice, "05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"},
		{ControlSlip, "06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"},
		{Form(7), "07", ""},
		{Form(12), "12", ""},
	}
	for _, tt := range tests {
		if got := tt.form.String(); got != tt.str {
			t.Errorf("Form(%d).String() = %q, want %q", int(tt.form), got, tt.str)
		}
		if got := tt.form.Title(); got != tt.title {
			t.Errorf("Form(%d).Title() = %q, want %q", int(tt.form), got, tt.title)
		}
		if back, ok := ParseForm(tt.str); ok != (tt.title != "") || (ok && back != tt.form) {
			t.Errorf("ParseForm(%q) = %v, %v", tt.str, back, ok)
		}
	}
}
