package seed

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"time"

	"motcua"
)

//go:embed processes/*.json
var processFiles embed.FS

// DemoProcesses returns the sample processes of the demo procedures, one
// per file in processes/, in file name order, in force from the demo
// procedures' effective date (1 January 2020) unless they say otherwise.
func DemoProcesses() ([]*motcua.Process, error) {
	names, err := fs.Glob(processFiles, "processes/*.json")
	if err != nil {
		return nil, err
	}
	var ps []*motcua.Process
	for _, n := range names {
		b, err := processFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var p motcua.Process
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if p.EffectiveFrom.IsZero() {
			p.EffectiveFrom = time.Date(2020, 1, 1, 0, 0, 0, 0, motcua.Location())
		}
		ps = append(ps, &p)
	}
	return ps, nil
}
