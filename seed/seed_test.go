package seed_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"motcua"
	"motcua/seed"
)

// sharedData is the reference data directory that sits beside the clone.
var sharedData = filepath.Join("..", "..", "shared", "data")

func openShared(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedData, name))
	if os.IsNotExist(err) {
		t.Skipf("reference data %s not found beside the clone (%s)", name, sharedData)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestReadUnitsFiles(t *testing.T) {
	tests := []struct {
		file   string
		levels []int // number of units per level, from level 1
	}{
		{"admin-units-2019.csv", []int{63, 713, 11160}},
		{"admin-units-2025.csv", []int{34, 3321}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			units, err := seed.ReadUnits(openShared(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			levels := make([]int, len(tt.levels))
			for _, u := range units {
				if u.Level < 1 || u.Level > len(levels) {
					t.Fatalf("unit %s has level %d", u.Code, u.Level)
				}
				levels[u.Level-1]++
				if !norm.NFC.IsNormalString(u.Name) || !norm.NFC.IsNormalString(u.Type) {
					t.Errorf("unit %s: name or type not in NFC", u.Code)
				}
			}
			for i := range levels {
				if levels[i] != tt.levels[i] {
					t.Errorf("level %d: %d units; want %d", i+1, levels[i], tt.levels[i])
				}
			}
		})
	}
}

func TestReadUnitsErrors(t *testing.T) {
	const header = "level,code,name,type,parent_code\n"
	tests := []struct {
		name, csv, want string
	}{
		{"empty", "", "line 1: no header"},
		{"wrong header", "level,code,name,type\n1,01,Hà Nội,Thành phố,\n", "line 1: header is"},
		{"too few columns", header + "1,01,Hà Nội,Thành phố,\n2,001,Ba Đình,Quận\n", "line 3: 4 columns; want 5"},
		{"too many columns", header + "1,01,Hà Nội,Thành phố,,x\n", "line 2: 6 columns; want 5"},
		{"bad level", header + "one,01,Hà Nội,Thành phố,\n", `line 2: level "one" is not a positive integer`},
		{"zero level", header + "0,01,Hà Nội,Thành phố,\n", `line 2: level "0" is not a positive integer`},
		{"empty code", header + "1, ,Hà Nội,Thành phố,\n", "line 2: empty code"},
		{"empty name", header + "1,01,,Thành phố,\n", "line 2: unit 01 has an empty name"},
		{"duplicate code", header + "1,01,Hà Nội,Thành phố,\n2,001,Ba Đình,Quận,01\n2,001,Hoàn Kiếm,Quận,01\n", "line 4: code 001 already used on line 3"},
		{"level 1 with parent", header + "1,01,Hà Nội,Thành phố,00\n", "line 2: unit 01 has level 1 but parent 00"},
		{"no parent", header + "1,01,Hà Nội,Thành phố,\n2,001,Ba Đình,Quận,\n", "line 3: unit 001 has level 2 but no parent"},
		{"missing parent", header + "1,01,Hà Nội,Thành phố,\n2,001,Ba Đình,Quận,02\n", "line 3: parent 02 of unit 001 is not on an earlier line"},
		{"parent after child", header + "2,001,Ba Đình,Quận,01\n1,01,Hà Nội,Thành phố,\n", "line 2: parent 01 of unit 001 is not on an earlier line"},
		{"level skips", header + "1,01,Hà Nội,Thành phố,\n3,00001,Phúc Xá,Phường,01\n", "line 3: unit 00001 has level 3 but its parent 01 has level 1"},
		{"invalid UTF-8", header + "1,01,H\xe0 N\xf4i,Thành phố,\n", "line 2: column 3 is not valid UTF-8"},
		{"bad quoting", header + "1,01,\"Hà Nội,Thành phố,\n", "read units"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			units, err := seed.ReadUnits(strings.NewReader(tt.csv))
			if err == nil {
				t.Fatalf("ReadUnits returned %d units and no error; want %q", len(units), tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestReadUnitsNormalizes(t *testing.T) {
	in := "\uFEFFlevel,code,name,type,parent_code\r\n" +
		"1, 01 ," + norm.NFD.String("Thành phố Hà Nội") + ",Thành phố Trung ương,\r\n" +
		"2,001,\"Quận Ba Đình\",Quận,01\r\n"
	units, err := seed.ReadUnits(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []motcua.Unit{
		{Code: "01", Name: "Thành phố Hà Nội", Type: "Thành phố Trung ương", Level: 1},
		{Code: "001", Name: "Quận Ba Đình", Type: "Quận", Level: 2, ParentCode: "01"},
	}
	if len(units) != len(want) {
		t.Fatalf("got %d units; want %d", len(units), len(want))
	}
	for i := range want {
		if *units[i] != want[i] {
			t.Errorf("unit %d = %+v; want %+v", i, *units[i], want[i])
		}
	}
}

func TestDemo(t *testing.T) {
	c, err := seed.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if c.Label != motcua.DatasetDemo {
		t.Errorf("label %q; want %q", c.Label, motcua.DatasetDemo)
	}

	units := make(map[string]*motcua.Unit)
	levels := make(map[int]int)
	for _, u := range c.Units {
		units[u.Code] = u
		levels[u.Level]++
		checkNFC(t, "unit "+u.Code, u.Name, u.Type)
	}
	if levels[1] != 1 || levels[2] != 30 || levels[3] != 584 || len(c.Units) != 615 {
		t.Errorf("units per level %v; want 1, 30 and 584", levels)
	}

	agencies := make(map[string]*motcua.Agency)
	kinds := make(map[string]int)
	unitLevels := make(map[int]int)
	for _, a := range c.Agencies {
		if agencies[a.Code] != nil {
			t.Errorf("agency code %s repeats", a.Code)
		}
		agencies[a.Code] = a
		if err := a.Validate(); err != nil {
			t.Errorf("agency %s: %v", a.Code, err)
		}
		if !a.Sample {
			t.Errorf("agency %s is not marked sample", a.Code)
		}
		u := units[a.UnitCode]
		if u == nil {
			t.Fatalf("agency %s: unknown unit %s", a.Code, a.UnitCode)
		}
		kinds[a.Kind]++
		unitLevels[u.Level]++
		checkNFC(t, "agency "+a.Code, a.Name, a.NameEN)
	}
	if kinds[motcua.AgencyDepartment] != 20 || kinds[motcua.AgencyPeoplesCommittee] != 614 {
		t.Errorf("agencies per kind %v; want 20 departments and 614 People's Committees", kinds)
	}
	if unitLevels[1] != 20 || unitLevels[2] != 30 || unitLevels[3] != 584 {
		t.Errorf("agencies per unit level %v; want 20, 30 and 584", unitLevels)
	}
	for code, want := range map[string]struct{ name, nameEN, unit string }{
		"000.00.01.H26": {"Sở Tư pháp", "Department of Justice", "01"},
		"000.00.31.H26": {"UBND Quận Ba Đình", "People's Committee of Ba Đình District", "001"},
		"000.01.31.H26": {"UBND Phường Phúc Xá", "People's Committee of Phúc Xá Ward", "00001"},
		"000.00.60.H26": {"UBND Huyện Mỹ Đức", "People's Committee of Mỹ Đức District", "282"},
	} {
		a := agencies[code]
		if a == nil || a.Name != want.name || a.NameEN != want.nameEN || a.UnitCode != want.unit {
			t.Errorf("agency %s = %+v; want %+v", code, a, want)
		}
	}

	if len(c.Procedures) != 12 {
		t.Fatalf("%d procedures; want 12", len(c.Procedures))
	}
	codes := make(map[string]bool)
	perLevel := map[string]int{"commune": 584, "district": 30, "city": 1}
	for _, p := range c.Procedures {
		if err := p.Validate(); err != nil {
			t.Errorf("procedure %s: %v", p.Code, err)
		}
		if !strings.HasPrefix(p.Code, "DEMO-") || codes[p.Code] {
			t.Errorf("procedure code %s is not a unique DEMO- code", p.Code)
		}
		codes[p.Code] = true
		if !p.Sample || p.Version != 1 || p.Result == "" || p.LegalBasis == "" || p.NameEN == "" || len(p.RequiredDocuments) < 2 {
			t.Errorf("procedure %s incomplete: %+v", p.Code, p)
		}
		if len(p.AgencyCodes) != perLevel[p.Level] {
			t.Errorf("procedure %s (%s) has %d agencies; want %d", p.Code, p.Level, len(p.AgencyCodes), perLevel[p.Level])
		}
		for _, code := range p.AgencyCodes {
			if agencies[code] == nil {
				t.Errorf("procedure %s: unknown agency %s", p.Code, code)
			}
		}
		texts := []string{p.Name, p.NameEN, p.Field, p.Result, p.LegalBasis}
		for _, d := range p.RequiredDocuments {
			texts = append(texts, d.Name)
		}
		for _, f := range p.Fees {
			texts = append(texts, f.Name, f.Note)
		}
		checkNFC(t, "procedure "+p.Code, texts...)
	}

	city := map[string]string{
		"Cấp Phiếu lý lịch tư pháp":                            "Sở Tư pháp",
		"Đăng ký thành lập công ty TNHH một thành viên":        "Sở Kế hoạch và Đầu tư",
		"Đổi giấy phép lái xe do ngành Giao thông vận tải cấp": "Sở Giao thông vận tải",
		"Cấp giấy phép lao động cho người lao động nước ngoài": "Sở Lao động - Thương binh và Xã hội",
	}
	for _, p := range c.Procedures {
		if want, ok := city[p.Name]; ok {
			if a := agencies[p.AgencyCodes[0]]; a.Name != want {
				t.Errorf("procedure %s handled by %s; want %s", p.Name, a.Name, want)
			}
		}
		if p.Name == "Đăng ký khai sinh" {
			want := motcua.ProcessingTime{Value: 0, Unit: motcua.SameDay}
			if p.ProcessingTime != want || len(p.Fees) != 1 || p.Fees[0].AmountVND != 0 || !p.AutoReceive ||
				p.ServiceLevel != (motcua.ServiceLevel{Level: 4, Online: motcua.OnlineFull}) {
				t.Errorf("birth registration = %+v", p)
			}
		}
		if p.Name == "Cấp giấy phép xây dựng nhà ở riêng lẻ" {
			want := motcua.ProcessingTime{Value: 15, Unit: motcua.CalendarDays}
			if p.ProcessingTime != want || len(p.Fees) != 0 || p.ServiceLevel.Online != motcua.OnlinePartial {
				t.Errorf("construction permit = %+v", p)
			}
		}
	}
}

// TestDemoData checks that the embedded files are the Hanoi rows and the
// procedures of the reference data.
func TestDemoData(t *testing.T) {
	all, err := seed.ReadUnits(openShared(t, "admin-units-2019.csv"))
	if err != nil {
		t.Fatal(err)
	}
	hanoi := map[string]bool{"01": true}
	var want []*motcua.Unit
	for _, u := range all {
		if hanoi[u.Code] || hanoi[u.ParentCode] {
			hanoi[u.Code] = true
			want = append(want, u)
		}
	}
	c, err := seed.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Units) != len(want) {
		t.Fatalf("demo has %d units; the reference data %d", len(c.Units), len(want))
	}
	for i := range want {
		if *c.Units[i] != *want[i] {
			t.Errorf("unit %d = %+v; want %+v", i, *c.Units[i], *want[i])
		}
	}

	ref, err := os.ReadFile(filepath.Join(sharedData, "procedures-sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := os.ReadFile(filepath.Join("data", "procedures-sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ref, embedded) {
		t.Error("data/procedures-sample.csv differs from the reference data")
	}
}

func checkNFC(t *testing.T, what string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !norm.NFC.IsNormalString(s) {
			t.Errorf("%s: %q is not in NFC", what, s)
		}
	}
}
