// Package seed provides reference and demo data: a reader for the
// administrative unit CSV files, and the demo catalogue of Hanoi as in
// 2019 with its agencies and sample procedures.
package seed

import (
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"motcua"
)

//go:embed data/hanoi-2019.csv data/procedures-sample.csv
var data embed.FS

// hanoi is the statistics code of Hà Nội.
const hanoi = "01"

// Demo returns the demo catalogue, labelled motcua.DatasetDemo: Hanoi as in
// 2019 (the city, its 30 district-level units and 584 communes); about
// twenty city departments and the People's Committee of every district and
// commune, with sample electronic identifiers; and the twelve sample
// procedures, each attached to the agencies of its level. Everything is
// marked as sample data.
//
// Agency codes follow Circular 10/2016/TT-BTTTT with Hanoi's H26:
// departments 000.00.01.H26 to 000.00.20.H26; district People's
// Committees 000.00.31.H26 onwards in unit code order; commune People's
// Committees 000.ZZ.YY.H26, where YY is the district committee's number
// and ZZ counts from 01 in unit code order within the district.
func Demo() (*motcua.Catalog, error) {
	b, err := data.ReadFile("data/hanoi-2019.csv")
	if err != nil {
		return nil, err
	}
	units, err := ReadUnits(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("demo units: %w", err)
	}
	departments, districts, communes, err := demoAgencies(units)
	if err != nil {
		return nil, fmt.Errorf("demo agencies: %w", err)
	}
	procedures, err := demoProcedures(departments, districts, communes)
	if err != nil {
		return nil, fmt.Errorf("demo procedures: %w", err)
	}
	agencies := slices.Concat(departments, districts, communes)
	for _, a := range agencies {
		if err := a.Validate(); err != nil {
			return nil, fmt.Errorf("demo agency %s: %w", a.Code, err)
		}
	}
	return &motcua.Catalog{Label: motcua.DatasetDemo, Units: units, Agencies: agencies, Procedures: procedures}, nil
}

// cityDepartments are the city departments of the demo, in the order of
// their codes.
var cityDepartments = []struct{ name, nameEN string }{
	{"Sở Tư pháp", "Department of Justice"},
	{"Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"},
	{"Sở Giao thông vận tải", "Department of Transport"},
	{"Sở Lao động - Thương binh và Xã hội", "Department of Labour, Invalids and Social Affairs"},
	{"Sở Xây dựng", "Department of Construction"},
	{"Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment"},
	{"Sở Y tế", "Department of Health"},
	{"Sở Giáo dục và Đào tạo", "Department of Education and Training"},
	{"Sở Tài chính", "Department of Finance"},
	{"Sở Công Thương", "Department of Industry and Trade"},
	{"Sở Nội vụ", "Department of Home Affairs"},
	{"Sở Thông tin và Truyền thông", "Department of Information and Communications"},
	{"Sở Văn hóa và Thể thao", "Department of Culture and Sports"},
	{"Sở Du lịch", "Department of Tourism"},
	{"Sở Nông nghiệp và Phát triển nông thôn", "Department of Agriculture and Rural Development"},
	{"Sở Khoa học và Công nghệ", "Department of Science and Technology"},
	{"Sở Quy hoạch - Kiến trúc", "Department of Planning and Architecture"},
	{"Sở Ngoại vụ", "Department of Foreign Affairs"},
	{"Ban Dân tộc", "Ethnic Minorities Committee"},
	{"Thanh tra Thành phố", "City Inspectorate"},
}

// unitTypesEN translates unit types to English.
var unitTypesEN = map[string]string{
	"Quận":     "District",
	"Huyện":    "District",
	"Thị xã":   "Town",
	"Phường":   "Ward",
	"Xã":       "Commune",
	"Thị trấn": "Township",
}

// demoAgencies returns the city departments and the People's Committees
// of the districts and of the communes of Hanoi.
func demoAgencies(units []*motcua.Unit) (departments, districts, communes []*motcua.Agency, err error) {
	for i, d := range cityDepartments {
		departments = append(departments, &motcua.Agency{
			Code: fmt.Sprintf("000.00.%02d.H26", i+1), Name: d.name, NameEN: d.nameEN,
			Kind: motcua.AgencyDepartment, UnitCode: hanoi, Sample: true,
		})
	}
	children := make(map[string][]*motcua.Unit)
	for _, u := range units {
		children[u.ParentCode] = append(children[u.ParentCode], u)
	}
	byCode := func(a, b *motcua.Unit) int { return strings.Compare(a.Code, b.Code) }
	for i, d := range slices.SortedFunc(slices.Values(children[hanoi]), byCode) {
		yy := 31 + i
		if yy > 99 {
			return nil, nil, nil, errors.New("too many districts for two-digit codes")
		}
		districts = append(districts, committee(d, fmt.Sprintf("000.00.%02d.H26", yy)))
		for j, c := range slices.SortedFunc(slices.Values(children[d.Code]), byCode) {
			if j+1 > 99 {
				return nil, nil, nil, fmt.Errorf("too many communes in %s for two-digit codes", d.Name)
			}
			communes = append(communes, committee(c, fmt.Sprintf("000.%02d.%02d.H26", j+1, yy)))
		}
	}
	return departments, districts, communes, nil
}

// committee returns the People's Committee of unit u with code.
func committee(u *motcua.Unit, code string) *motcua.Agency {
	en := "People's Committee of " + u.Name
	if t, ok := unitTypesEN[u.Type]; ok {
		if name, ok := strings.CutPrefix(u.Name, u.Type+" "); ok {
			en = "People's Committee of " + name + " " + t
		}
	}
	return &motcua.Agency{Code: code, Name: "UBND " + u.Name, NameEN: en,
		Kind: motcua.AgencyPeoplesCommittee, UnitCode: u.Code, Sample: true}
}

// procedureHeader is the header of procedures-sample.csv.
const procedureHeader = "level,agency_kind,field_vi,name_vi,name_en,time_value,time_unit,fee_vnd,legal_basis"

// demoProcedure completes a row of procedures-sample.csv, found by its
// Vietnamese name, with what the file does not hold.
type demoProcedure struct {
	name         string // name_vi in the file
	code         string
	serviceLevel int // Decree 43/2011 level
	autoReceive  bool
	result       string
	feeName      string // default "Lệ phí"
	feeNote      string
	documents    []motcua.RequiredDocument
}

// demoDetails completes the rows of procedures-sample.csv.
var demoDetails = []demoProcedure{
	{
		name: "Đăng ký khai sinh", code: "DEMO-HT-001", serviceLevel: 4, autoReceive: true,
		result: "Giấy khai sinh (bản chính) và trích lục khai sinh",
		documents: []motcua.RequiredDocument{
			{Name: "Tờ khai đăng ký khai sinh", Copies: 1},
			{Name: "Giấy chứng sinh hoặc giấy tờ thay thế giấy chứng sinh", Copies: 1},
			{Name: "Văn bản ủy quyền (nếu người đi đăng ký là người được ủy quyền)", Copies: 1, Optional: true},
		},
	},
	{
		name: "Đăng ký kết hôn", code: "DEMO-HT-002", serviceLevel: 3,
		result: "Giấy chứng nhận kết hôn",
		documents: []motcua.RequiredDocument{
			{Name: "Tờ khai đăng ký kết hôn", Copies: 1},
			{Name: "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký kết hôn không tại nơi cư trú)", Copies: 1, Optional: true},
		},
	},
	{
		name: "Đăng ký khai tử", code: "DEMO-HT-003", serviceLevel: 4,
		result: "Trích lục khai tử",
		documents: []motcua.RequiredDocument{
			{Name: "Tờ khai đăng ký khai tử", Copies: 1},
			{Name: "Giấy báo tử hoặc giấy tờ thay thế giấy báo tử", Copies: 1},
		},
	},
	{
		name: "Cấp Giấy xác nhận tình trạng hôn nhân", code: "DEMO-HT-004", serviceLevel: 4,
		result: "Giấy xác nhận tình trạng hôn nhân",
		documents: []motcua.RequiredDocument{
			{Name: "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân", Copies: 1},
			{Name: "Bản án, quyết định ly hôn hoặc giấy chứng tử của vợ hoặc chồng (nếu đã từng kết hôn)", Copies: 1, Optional: true},
		},
	},
	{
		name: "Chứng thực bản sao từ bản chính", code: "DEMO-CT-001", serviceLevel: 2,
		result:  "Bản sao được chứng thực từ bản chính",
		feeNote: "Mỗi trang; từ trang thứ ba thu 1.000 đồng/trang, tối đa 200.000 đồng/bản",
		documents: []motcua.RequiredDocument{
			{Name: "Bản chính giấy tờ, văn bản cần chứng thực bản sao", Copies: 1},
			{Name: "Bản sao cần chứng thực (nếu người yêu cầu tự mang theo)", Copies: 1, Optional: true},
		},
	},
	{
		name: "Chứng thực chữ ký", code: "DEMO-CT-002", serviceLevel: 2,
		result:  "Giấy tờ, văn bản đã được chứng thực chữ ký",
		feeNote: "Mỗi trường hợp",
		documents: []motcua.RequiredDocument{
			{Name: "Giấy tờ tùy thân còn giá trị sử dụng của người yêu cầu chứng thực", Copies: 1},
			{Name: "Giấy tờ, văn bản sẽ ký", Copies: 1},
		},
	},
	{
		name: "Đăng ký thành lập hộ kinh doanh", code: "DEMO-HKD-001", serviceLevel: 4,
		result: "Giấy chứng nhận đăng ký hộ kinh doanh",
		documents: []motcua.RequiredDocument{
			{Name: "Giấy đề nghị đăng ký hộ kinh doanh", Copies: 1},
			{Name: "Bản sao giấy tờ pháp lý của cá nhân chủ hộ kinh doanh", Copies: 1},
			{Name: "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh (nếu các thành viên gia đình cùng đăng ký)", Copies: 1, Optional: true},
		},
	},
	{
		name: "Cấp giấy phép xây dựng nhà ở riêng lẻ", code: "DEMO-XD-001", serviceLevel: 3,
		result: "Giấy phép xây dựng",
		documents: []motcua.RequiredDocument{
			{Name: "Đơn đề nghị cấp giấy phép xây dựng", Copies: 1},
			{Name: "Bản sao giấy tờ chứng minh quyền sử dụng đất", Copies: 1},
			{Name: "Bản vẽ thiết kế xây dựng", Copies: 2},
		},
	},
	{
		name: "Cấp Phiếu lý lịch tư pháp", code: "DEMO-LLTP-001", serviceLevel: 4,
		result:  "Phiếu lý lịch tư pháp",
		feeName: "Phí cung cấp thông tin lý lịch tư pháp", feeNote: "Mỗi lần, mỗi người",
		documents: []motcua.RequiredDocument{
			{Name: "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", Copies: 1},
			{Name: "Bản chụp giấy tờ tùy thân của người được cấp Phiếu", Copies: 1},
			{Name: "Bản chụp giấy tờ chứng minh nơi cư trú", Copies: 1},
		},
	},
	{
		name: "Đăng ký thành lập công ty TNHH một thành viên", code: "DEMO-DN-001", serviceLevel: 4,
		result:  "Giấy chứng nhận đăng ký doanh nghiệp",
		feeNote: "Mỗi lần đăng ký",
		documents: []motcua.RequiredDocument{
			{Name: "Giấy đề nghị đăng ký doanh nghiệp", Copies: 1},
			{Name: "Điều lệ công ty", Copies: 1},
			{Name: "Bản sao giấy tờ pháp lý của chủ sở hữu công ty", Copies: 1},
		},
	},
	{
		name: "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", code: "DEMO-GT-001", serviceLevel: 4,
		result:  "Giấy phép lái xe",
		feeNote: "Mỗi lần cấp",
		documents: []motcua.RequiredDocument{
			{Name: "Đơn đề nghị đổi giấy phép lái xe", Copies: 1},
			{Name: "Giấy khám sức khỏe của người lái xe", Copies: 1},
			{Name: "Bản sao giấy phép lái xe", Copies: 1},
		},
	},
	{
		name: "Cấp giấy phép lao động cho người lao động nước ngoài", code: "DEMO-LD-001", serviceLevel: 3,
		result: "Giấy phép lao động",
		documents: []motcua.RequiredDocument{
			{Name: "Văn bản đề nghị cấp giấy phép lao động của người sử dụng lao động", Copies: 1},
			{Name: "Giấy chứng nhận sức khỏe", Copies: 1},
			{Name: "Phiếu lý lịch tư pháp", Copies: 1},
			{Name: "Bản sao hộ chiếu", Copies: 1},
		},
	},
}

// demoProcedures returns the procedures of procedures-sample.csv attached
// to the agencies of their level: every commune or district People's
// Committee, or the city department named in the file.
func demoProcedures(departments, districts, communes []*motcua.Agency) ([]*motcua.Procedure, error) {
	b, err := data.ReadFile("data/procedures-sample.csv")
	if err != nil {
		return nil, err
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != procedureHeader {
		return nil, fmt.Errorf("header is not %q", procedureHeader)
	}
	codes := func(as []*motcua.Agency) []string {
		var cs []string
		for _, a := range as {
			cs = append(cs, a.Code)
		}
		return cs
	}
	effective := time.Date(2020, 1, 1, 0, 0, 0, 0, motcua.Location())
	var procedures []*motcua.Procedure
	for i, row := range rows[1:] {
		line := i + 2
		level, agencyKind, field, name, nameEN, value, unit, fee, legal := row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8]
		j := slices.IndexFunc(demoDetails, func(d demoProcedure) bool { return d.name == name })
		if j < 0 {
			return nil, fmt.Errorf("line %d: no details for procedure %q", line, name)
		}
		d := demoDetails[j]
		p := &motcua.Procedure{
			Code: d.code, Version: 1, EffectiveFrom: effective,
			Name: name, NameEN: nameEN, Field: field, Level: level,
			ServiceLevel:      motcua.ServiceLevel{Level: d.serviceLevel, Online: online(d.serviceLevel)},
			RequiredDocuments: slices.Clone(d.documents),
			Result:            d.result, LegalBasis: legal, AutoReceive: d.autoReceive, Sample: true,
		}
		if p.ProcessingTime.Value, err = strconv.Atoi(value); err != nil {
			return nil, fmt.Errorf("line %d: time_value %q: %w", line, value, err)
		}
		p.ProcessingTime.Unit = motcua.TimeUnit(unit)
		if fee != "" {
			amount, err := strconv.ParseInt(fee, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: fee_vnd %q: %w", line, fee, err)
			}
			f := motcua.Fee{Name: d.feeName, AmountVND: amount, Note: d.feeNote}
			if f.Name == "" {
				f.Name = "Lệ phí"
			}
			if amount == 0 {
				f.Note = "Miễn lệ phí"
			}
			p.Fees = []motcua.Fee{f}
		}
		switch level {
		case "commune":
			p.AgencyCodes = codes(communes)
		case "district":
			p.AgencyCodes = codes(districts)
		case "city":
			k := slices.IndexFunc(departments, func(a *motcua.Agency) bool { return a.Name == agencyKind })
			if k < 0 {
				return nil, fmt.Errorf("line %d: no department %q", line, agencyKind)
			}
			p.AgencyCodes = []string{departments[k].Code}
		default:
			return nil, fmt.Errorf("line %d: unknown level %q", line, level)
		}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		procedures = append(procedures, p)
	}
	return procedures, nil
}

// online returns the Decree 42/2022 online service of a Decree 43/2011
// level: full online for level 4, partial for level 3, none below.
func online(level int) string {
	switch level {
	case 4:
		return motcua.OnlineFull
	case 3:
		return motcua.OnlinePartial
	}
	return ""
}
