package seed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"motcua"
)

// unitHeader is the header of a unit CSV file.
const unitHeader = "level,code,name,type,parent_code"

// ReadUnits parses a CSV file of administrative units with the header
// level,code,name,type,parent_code, such as the files of ../shared/data,
// and returns the units in file order. Fields are trimmed and normalized to
// NFC. Level is the depth in the tree: a level-1 unit has no parent, and
// any other unit's parent must appear on an earlier line with the level
// above, so the units can be loaded in file order. Errors name the line.
func ReadUnits(r io.Reader) ([]*motcua.Unit, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("line 1: no header: want " + unitHeader)
	} else if err != nil {
		return nil, fmt.Errorf("read units: %w", err)
	}
	if h := strings.TrimPrefix(strings.Join(header, ","), "\uFEFF"); h != unitHeader {
		return nil, fmt.Errorf("line 1: header is %q; want %q", h, unitHeader)
	}
	var units []*motcua.Unit
	lines := make(map[string]int)  // line of each code
	levels := make(map[string]int) // level of each code
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("read units: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 5 {
			return nil, fmt.Errorf("line %d: %d columns; want 5 (%s)", line, len(rec), unitHeader)
		}
		for i, f := range rec {
			if !utf8.ValidString(f) {
				return nil, fmt.Errorf("line %d: column %d is not valid UTF-8", line, i+1)
			}
			rec[i] = norm.NFC.String(strings.TrimSpace(f))
		}
		u := &motcua.Unit{Code: rec[1], Name: rec[2], Type: rec[3], ParentCode: rec[4]}
		u.Level, err = strconv.Atoi(rec[0])
		switch {
		case err != nil || u.Level < 1:
			return nil, fmt.Errorf("line %d: level %q is not a positive integer", line, rec[0])
		case u.Code == "":
			return nil, fmt.Errorf("line %d: empty code", line)
		case u.Name == "":
			return nil, fmt.Errorf("line %d: unit %s has an empty name", line, u.Code)
		case lines[u.Code] != 0:
			return nil, fmt.Errorf("line %d: code %s already used on line %d", line, u.Code, lines[u.Code])
		case u.Level == 1 && u.ParentCode != "":
			return nil, fmt.Errorf("line %d: unit %s has level 1 but parent %s", line, u.Code, u.ParentCode)
		case u.Level > 1 && u.ParentCode == "":
			return nil, fmt.Errorf("line %d: unit %s has level %d but no parent", line, u.Code, u.Level)
		case u.Level > 1 && lines[u.ParentCode] == 0:
			return nil, fmt.Errorf("line %d: parent %s of unit %s is not on an earlier line", line, u.ParentCode, u.Code)
		case u.Level > 1 && levels[u.ParentCode] != u.Level-1:
			return nil, fmt.Errorf("line %d: unit %s has level %d but its parent %s has level %d",
				line, u.Code, u.Level, u.ParentCode, levels[u.ParentCode])
		}
		lines[u.Code], levels[u.Code] = line, u.Level
		units = append(units, u)
	}
	return units, nil
}
