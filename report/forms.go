package report

import (
	"fmt"
	"strings"
	"time"
)

// Hints printed under a signer's title.
const (
	hintSign      = "(Ký và ghi rõ họ tên)"
	hintSignStamp = "(Ký, ghi rõ họ tên và đóng dấu)"
)

// signer returns the signature block of the form: title is the form's
// own signer title unless the document overrides it.
func (r *renderer) signer(title, hint string) signer {
	if r.d.SignerTitle != "" {
		title = r.d.SignerTitle
	}
	return signer{title: title, hint: hint, name: r.d.Receiver}
}

// applicant writes who the dossier belongs to and what it asks for.
func (r *renderer) applicant() {
	a := r.d.Applicant
	r.field("Tổ chức/cá nhân", a.Name)
	r.field("Số giấy tờ tùy thân/mã số thuế", a.IDNumber)
	r.field("Địa chỉ", a.Address)
	switch {
	case a.Phone != "" && a.Email != "":
		r.para(0, plain("Số điện thoại: "), bold(a.Phone), plain("     Email: "), bold(a.Email))
	default:
		r.field("Số điện thoại", a.Phone)
		r.field("Email", a.Email)
	}
	r.field("Nội dung yêu cầu giải quyết", r.d.Procedure)
}

// dueNote writes the explanation of the appointment, if any, in italics.
func (r *renderer) dueNote() {
	if note := strings.TrimSpace(r.d.DueNote); note != "" {
		r.para(5, italic("("+note+")"))
	}
}

// closing writes the closing line of a letter.
func (r *renderer) closing(s string) {
	r.f.Ln(1)
	r.para(10, plain(s))
}

// receipt is form 01: the receipt and appointment slip.
func (r *renderer) receipt() {
	d := r.d
	r.para(10, plain(d.Issuer+" đã tiếp nhận hồ sơ của:"))
	r.applicant()
	n := 0
	next := func() string { n++; return fmt.Sprintf("%d. ", n) }

	r.para(0, bold(next()+"Thành phần hồ sơ nộp gồm:"))
	if len(d.Documents) == 0 {
		r.para(5, plain("Theo danh mục thành phần hồ sơ của thủ tục."))
	} else {
		rows := make([][]string, len(d.Documents))
		for i, it := range d.Documents {
			copies := ""
			if it.Copies > 0 {
				copies = fmt.Sprintf("%02d", it.Copies)
			}
			rows[i] = []string{fmt.Sprint(i + 1), it.Name, copies, it.Note}
		}
		r.table(9.5, []column{
			{"STT", 12, "C"},
			{"Tên giấy tờ", 96, "L"},
			{"Số lượng", 22, "C"},
			{"Ghi chú", r.w - 130, "L"},
		}, rows)
	}
	r.para(0, bold(next()+"Thời gian nhận hồ sơ: "), plain(FormatTime(d.ReceivedAt)))
	r.para(0, bold(next()+"Thời gian trả kết quả giải quyết hồ sơ: "), bold(FormatTime(d.DueAt)))
	r.dueNote()
	if d.Result != "" {
		r.para(0, bold(next()+"Kết quả giải quyết: "), plain(d.Result))
	}
	if d.VerifyURL != "" {
		r.para(0, bold(next()+"Tra cứu tình trạng hồ sơ: "),
			plain("quét mã QR trên phiếu hoặc truy cập "+d.VerifyURL))
	}
	r.signatures(
		signer{title: "NGƯỜI NỘP HỒ SƠ", hint: hintSign, name: d.Applicant.Name},
		r.signer("NGƯỜI TIẾP NHẬN HỒ SƠ", hintSign),
	)
}

// supplementRequest is form 02: every missing item, asked for once.
func (r *renderer) supplementRequest() {
	d := r.d
	r.para(10, plain(d.Issuer+" đã tiếp nhận hồ sơ của:"))
	r.applicant()
	r.field("Thời gian nhận hồ sơ", FormatTime(d.ReceivedAt))
	r.f.Ln(1)
	r.para(10, plain("Sau khi xem xét thành phần và tính hợp lệ của hồ sơ, "+d.Issuer+
		" đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ với những nội dung sau:"))
	r.list(d.Items)
	if len(d.Reasons) > 0 {
		r.f.Ln(1)
		r.para(0, bold("Lý do:"))
		r.list(d.Reasons)
	}
	r.f.Ln(1)
	r.para(10, plain("Thời hạn giải quyết hồ sơ tạm dừng kể từ ngày ban hành phiếu này và được tính tiếp khi "+
		d.Issuer+" nhận đủ hồ sơ đã bổ sung, hoàn thiện. Các nội dung trên được yêu cầu một lần."))
	contact := "Bộ phận tiếp nhận và trả kết quả"
	if d.Receiver != "" {
		contact = "ông/bà " + d.Receiver
	}
	r.para(10, plain("Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ "+
		contact+" để được hướng dẫn."))
	r.closing("Xin trân trọng cảm ơn./.")
	r.signatures(r.signer("NGƯỜI HƯỚNG DẪN", hintSign))
}

// refusal is form 03: the refusal to receive and process a dossier.
func (r *renderer) refusal() {
	d := r.d
	r.para(10, plain(d.Issuer+" đã nhận hồ sơ của:"))
	r.applicant()
	if !d.ReceivedAt.IsZero() {
		r.field("Thời gian nhận hồ sơ", FormatTime(d.ReceivedAt))
	}
	r.f.Ln(1)
	r.para(10, plain("Qua xem xét, "+d.Issuer+" từ chối tiếp nhận, giải quyết hồ sơ nêu trên với lý do sau:"))
	r.list(d.Reasons)
	r.closing("Xin thông báo để Ông/Bà được biết và thực hiện./.")
	r.signatures(r.signer("NGƯỜI TIẾP NHẬN HỒ SƠ", hintSign))
}

// apology is form 04: the apology with a new appointment.
func (r *renderer) apology() {
	d := r.d
	r.para(20, plain("Kính gửi: Ông/Bà "), bold(d.Applicant.Name))
	r.f.Ln(1)
	r.para(10, plain("Ngày "+strings.TrimPrefix(FormatDate(d.ReceivedAt), "ngày ")+", "+d.Issuer+
		" đã tiếp nhận hồ sơ của Ông/Bà, mã hồ sơ "), bold(d.DossierCode),
		plain(", nội dung yêu cầu giải quyết: "+d.Procedure+"."))
	r.para(10, plain("Thời gian hẹn trả kết quả giải quyết hồ sơ: "), bold(FormatTime(d.DueAt)+"."))
	r.para(10, plain("Tuy nhiên, đến nay "+d.Issuer+" chưa trả kết quả giải quyết hồ sơ của Ông/Bà đúng hẹn."))
	r.para(10, plain("Lý do: "+d.Apology))
	r.para(10, plain("Sự chậm trễ này đã gây phiền hà cho Ông/Bà. "+d.Issuer+
		" thành thật xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả giải quyết hồ sơ vào: "),
		bold(FormatTime(d.NewDueAt)+"."))
	r.closing("Xin trân trọng cảm ơn./.")
	r.signatures(r.signer("THỦ TRƯỞNG CƠ QUAN", hintSignStamp))
}

// stopNotice is form 05: the notice that processing stops.
func (r *renderer) stopNotice() {
	d := r.d
	r.para(20, plain("Kính gửi: Ông/Bà "), bold(d.Applicant.Name))
	r.f.Ln(1)
	r.para(10, plain(d.Issuer+" đã tiếp nhận hồ sơ của Ông/Bà vào "+FormatTime(d.ReceivedAt)+
		", mã hồ sơ "), bold(d.DossierCode), plain(", nội dung yêu cầu giải quyết: "+d.Procedure+"."))
	r.para(10, plain(d.Issuer+" thông báo dừng giải quyết hồ sơ nêu trên với lý do sau:"))
	r.list(d.Reasons)
	r.f.Ln(1)
	r.para(10, plain("Hồ sơ và các khoản phí, lệ phí đã nộp (nếu có) được xử lý theo quy định của pháp luật."))
	r.closing("Xin thông báo để Ông/Bà được biết./.")
	r.signatures(r.signer("THỦ TRƯỞNG CƠ QUAN", hintSignStamp))
}

// controlSlip is form 06: every hand-off of the dossier with its times and
// whether it kept its due time.
func (r *renderer) controlSlip() {
	d := r.d
	r.field("Tên thủ tục", d.Procedure)
	r.field("Tổ chức/cá nhân", d.Applicant.Name)
	r.field("Địa chỉ", d.Applicant.Address)
	r.field("Số điện thoại", d.Applicant.Phone)
	r.field("Thời gian nhận hồ sơ", FormatTime(d.ReceivedAt))
	r.field("Thời gian hẹn trả kết quả", FormatTime(d.DueAt))
	r.dueNote()
	r.field("Kết quả giải quyết", d.Result)
	r.f.Ln(1)
	r.para(0, bold("Quá trình giải quyết hồ sơ:"))

	rows := make([][]string, len(d.Steps))
	for i, s := range d.Steps {
		rows[i] = []string{fmt.Sprint(i + 1), s.Name, s.From, s.To,
			stackedTime(s.HandedAt), stackedTime(s.DueAt), stackedTime(s.DoneAt), s.Outcome(), s.Note}
	}
	r.table(8, []column{
		{"STT", 9, "C"},
		{"Tên bước", 24, "L"},
		{"Bên giao", 21, "L"},
		{"Bên nhận", 21, "L"},
		{"Thời gian giao", 20, "C"},
		{"Hạn xử lý", 20, "C"},
		{"Thời gian hoàn thành", 20, "C"},
		{"Kết quả", 17, "C"},
		{"Ghi chú", r.w - 152, "L"},
	}, rows)
	r.signatures(r.signer("NGƯỜI TIẾP NHẬN HỒ SƠ", hintSign))
}

// stackedTime returns "10:30\n05/03/2026", the time above the date, for
// narrow table columns.
func stackedTime(t time.Time) string {
	return strings.Replace(shortTime(t), " ", "\n", 1)
}
