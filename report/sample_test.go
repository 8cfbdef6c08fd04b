package report

import (
	"fmt"
	"time"

	"motcua"
)

// at returns a time in Asia/Ho_Chi_Minh.
func at(year int, month time.Month, day, hour, min int) time.Time {
	return time.Date(year, month, day, hour, min, 0, 0, motcua.Location())
}

// sampleDocument returns a realistic document of form f.
func sampleDocument(f Form) *Document {
	d := &Document{
		Form:        f,
		Issuer:      "UBND Phường Phúc Xá",
		Governing:   "UBND Quận Ba Đình",
		Place:       "Hà Nội",
		IssuedAt:    at(2026, time.March, 2, 9, 20),
		DossierCode: "000.00.01.H26-260302-0007",
		VerifyURL:   "https://dichvucong.hanoi.gov.vn/tra-cuu/000.00.01.H26-260302-0007",
		Procedure:   "Đăng ký khai sinh",
		Applicant: Party{
			Name:     "Nguyễn Thị Hồng Nhung",
			IDNumber: "001190012345",
			Address:  "Số 12 ngõ 45 phố Phúc Xá, phường Phúc Xá, quận Ba Đình, Hà Nội",
			Phone:    "0912 345 678",
			Email:    "nhung.nth@example.vn",
		},
		Receiver:   "Trần Văn Đức",
		ReceivedAt: at(2026, time.March, 2, 9, 15),
		DueAt:      at(2026, time.March, 5, 9, 15),
		DueNote:    "3 ngày làm việc kể từ khi nhận hồ sơ; không tính thứ Bảy, Chủ nhật",
		Result:     "Giấy khai sinh",
	}
	switch f {
	case Receipt:
		d.Documents = []Item{
			{Name: "Tờ khai đăng ký khai sinh theo mẫu", Copies: 1, Note: "Bản chính"},
			{Name: "Giấy chứng sinh do cơ sở y tế nơi trẻ sinh ra cấp", Copies: 1, Note: "Bản chính"},
			{Name: "Giấy chứng nhận kết hôn của cha, mẹ", Copies: 1, Note: "Bản sao có chứng thực"},
		}
	case SupplementRequest:
		d.Items = []string{
			"Giấy chứng sinh bản chính do cơ sở y tế nơi trẻ sinh ra cấp",
			"Văn bản ủy quyền có chứng thực của cha hoặc mẹ trẻ (người đi đăng ký là ông bà ngoại)",
			"Tờ khai ghi rõ quê quán của người cha theo giấy tờ tùy thân",
		}
		d.Reasons = []string{"Hồ sơ thiếu thành phần bắt buộc theo quy định của thủ tục"}
	case Refusal:
		d.Reasons = []string{
			"Việc khai sinh thuộc thẩm quyền của Ủy ban nhân dân nơi cư trú của người mẹ",
			"Người nộp không xuất trình được giấy tờ chứng minh nhân thân",
		}
	case Apology:
		d.IssuedAt = at(2026, time.March, 5, 8, 30)
		d.NewDueAt = at(2026, time.March, 9, 16, 0)
		d.Apology = "Hồ sơ cần xác minh thông tin với Ủy ban nhân dân xã Đông Anh nơi người cha đăng ký thường trú."
	case StopNotice:
		d.IssuedAt = at(2026, time.March, 4, 14, 0)
		d.Reasons = []string{
			"Người nộp hồ sơ có văn bản đề nghị rút hồ sơ ngày 04/3/2026",
			"Hồ sơ không được bổ sung trong thời hạn đã hẹn",
		}
	case ControlSlip:
		d.Steps = []Step{
			{Name: "Tiếp nhận hồ sơ", From: "Bộ phận một cửa", To: "Trần Văn Đức",
				HandedAt: at(2026, time.March, 2, 9, 15), DueAt: at(2026, time.March, 2, 17, 0), DoneAt: at(2026, time.March, 2, 9, 30)},
			{Name: "Thẩm định hồ sơ", From: "Trần Văn Đức", To: "Lê Thị Thu Hà (công chức tư pháp - hộ tịch)",
				HandedAt: at(2026, time.March, 2, 9, 30), DueAt: at(2026, time.March, 3, 17, 0), DoneAt: at(2026, time.March, 3, 16, 45)},
			{Name: "Trình ký", From: "Lê Thị Thu Hà", To: "Phạm Quốc Khánh (Phó Chủ tịch UBND phường)",
				HandedAt: at(2026, time.March, 3, 16, 45), DueAt: at(2026, time.March, 4, 12, 0), DoneAt: at(2026, time.March, 4, 15, 10),
				Note: "Lãnh đạo đi công tác"},
			{Name: "Trả kết quả", From: "Phạm Quốc Khánh", To: "Bộ phận một cửa",
				HandedAt: at(2026, time.March, 4, 15, 10), DueAt: at(2026, time.March, 5, 9, 15)},
		}
	}
	return d
}

// numbered returns n distinct strings "prefix 1 …", long enough to wrap.
func numbered(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s %d: bản sao có chứng thực của giấy tờ số %d, kèm theo văn bản giải trình của tổ chức, cá nhân về nội dung còn thiếu", prefix, i+1, i+1)
	}
	return out
}
