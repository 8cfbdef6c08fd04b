package workflow

import "motcua"

// Default returns the built-in process of proc, which a dossier follows
// when no process is configured for its procedure: the one-door officer
// receives and starts processing (accept), a specialist processes and
// makes the result ready (process), and the one-door officer returns it
// (result), all at the receiving agency and without budgets of their own.
// Its action names start, ready and return are those of the fixed
// lifecycle it replaces.
func Default(proc *motcua.Procedure) *motcua.Process {
	p := &motcua.Process{
		Code: "default", Version: 1,
		Name: "Quy trình mặc định", NameEN: "Default process",
		Start: "accept",
		Steps: []motcua.Step{
			{
				ID: "accept", Name: "Tiếp nhận", NameEN: "Intake", Role: motcua.RoleOneDoor,
				At: motcua.Place{Kind: motcua.PlaceReceiving},
				Actions: []motcua.StepAction{
					{Name: motcua.ActionStart, Type: motcua.TypeForward, To: "process", Label: "Chuyển xử lý", LabelEN: "Start processing"},
					{Type: motcua.TypeRequestSupplement, Label: "Yêu cầu bổ sung hồ sơ", LabelEN: "Request a supplement"},
					{Type: motcua.TypeRequestPayment, Label: "Yêu cầu thực hiện nghĩa vụ tài chính", LabelEN: "Request payment"},
					{Type: motcua.TypeRefuse, Label: "Từ chối tiếp nhận", LabelEN: "Refuse"},
				},
			},
			{
				ID: "process", Name: "Xử lý", NameEN: "Processing", Role: motcua.RoleSpecialist,
				At: motcua.Place{Kind: motcua.PlaceReceiving},
				Actions: []motcua.StepAction{
					{Name: motcua.ActionReady, Type: motcua.TypeForward, To: "result", Label: "Hoàn thành xử lý", LabelEN: "Result ready"},
					{Type: motcua.TypeConsult, Label: "Xin ý kiến cơ quan khác", LabelEN: "Consult other agencies"},
					{Type: motcua.TypeRequestSupplement, Label: "Yêu cầu bổ sung hồ sơ", LabelEN: "Request a supplement"},
					{Type: motcua.TypeRequestPayment, Label: "Yêu cầu thực hiện nghĩa vụ tài chính", LabelEN: "Request payment"},
					{Type: motcua.TypeExtend, Label: "Gia hạn, xin lỗi và hẹn lại", LabelEN: "Extend with an apology"},
					{Type: motcua.TypeRefuse, Label: "Từ chối giải quyết", LabelEN: "Refuse"},
				},
			},
			{
				ID: "result", Name: "Trả kết quả", NameEN: "Return of the result", Role: motcua.RoleOneDoor,
				At: motcua.Place{Kind: motcua.PlaceReceiving},
				Actions: []motcua.StepAction{
					{Type: motcua.TypeReturn, Label: "Trả kết quả", LabelEN: "Return the result"},
				},
			},
		},
	}
	if proc != nil {
		p.Procedure = proc.Code
		p.EffectiveFrom = proc.EffectiveFrom
	}
	return p
}
