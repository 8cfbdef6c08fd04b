package report

import (
	"strconv"
	"strings"
)

// Form identifies a statutory form of the one-stop-shop mechanism.
type Form int

// The forms rendered by WritePDF. Form 07, the dossier register, is
// written by WriteRegister.
const (
	Receipt           Form = 1 // 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả
	SupplementRequest Form = 2 // 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
	Refusal           Form = 3 // 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ
	Apology           Form = 4 // 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả
	StopNotice        Form = 5 // 05 Thông báo dừng giải quyết hồ sơ
	ControlSlip       Form = 6 // 06 Phiếu kiểm soát quá trình giải quyết hồ sơ
)

// ParseForm parses a form number: "01" to "06" or "1" to "6".
func ParseForm(s string) (Form, bool) {
	if len(s) == 0 || len(s) > 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || strings.ContainsAny(s, "+-") {
		return 0, false
	}
	f := Form(n)
	return f, f.Valid()
}

// Valid reports whether f is one of the forms WritePDF renders.
func (f Form) Valid() bool { return f >= Receipt && f <= ControlSlip }

// String returns the two-digit form number, "01" to "06".
func (f Form) String() string {
	if f >= 0 && f < 10 {
		return "0" + strconv.Itoa(int(f))
	}
	return strconv.Itoa(int(f))
}

// Title returns the title of the form in upper case as printed, or "" for
// an unknown form.
func (f Form) Title() string {
	switch f {
	case Receipt:
		return "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
	case SupplementRequest:
		return "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
	case Refusal:
		return "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
	case Apology:
		return "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
	case StopNotice:
		return "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"
	case ControlSlip:
		return "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
	}
	return ""
}
