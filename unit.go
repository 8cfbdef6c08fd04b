package motcua

import "context"

// Unit is an administrative unit (đơn vị hành chính): a province or city,
// a district, a commune, ward or town. Units form a tree of any depth keyed
// by the official statistics code. Level is the depth in the tree (1 for a
// province); Type carries the meaning ("Quận", "Xã", "Phường" …).
type Unit struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Type       string `json:"type"`
	Level      int    `json:"level"`
	ParentCode string `json:"parent_code,omitempty"`
}

// UnitFilter selects units. An empty Parent selects the top level.
type UnitFilter struct {
	Parent string
	Page
}

// Page asks for one page of a list: at most Limit items after the cursor
// After (an opaque string returned as the previous page's next cursor).
type Page struct {
	Limit int
	After string
}

// Page limits.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// Normalize clamps the limit to [1, MaxPageLimit], defaulting to
// DefaultPageLimit.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit > MaxPageLimit {
		p.Limit = MaxPageLimit
	}
	return p
}

// UnitService reads and loads administrative units.
type UnitService interface {
	// FindUnit returns the unit with code. Returns ENOTFOUND.
	FindUnit(ctx context.Context, code string) (*Unit, error)
	// FindUnits returns a page of units and the cursor of the next page
	// ("" at the end). Returns ENOTFOUND if the parent does not exist.
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, string, error)
	// ImportUnits loads units into an empty unit table, parents before
	// children. Returns ECONFLICT if units already exist and EINVALID if a
	// parent is missing or a code repeats.
	ImportUnits(ctx context.Context, units []*Unit) error
}
