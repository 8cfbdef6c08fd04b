package motcua

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// API client scopes: what a partner system's key may be used for, on top
// of the roles its grants give it.
const (
	// ScopeDossiersRead reads dossiers, their timelines, their forms and
	// agencies' registers.
	ScopeDossiersRead = "dossiers:read"
	// ScopeDossiersWrite receives dossiers and applies actions to them.
	ScopeDossiersWrite = "dossiers:write"
	// ScopeAlertsRead lists the due-soon and overdue alerts.
	ScopeAlertsRead = "alerts:read"
)

// Scopes lists every scope.
var Scopes = []string{ScopeDossiersRead, ScopeDossiersWrite, ScopeAlertsRead}

// ClientRoles lists the roles an API client may be granted: those that
// act on dossiers. Administration and audit stay with people.
var ClientRoles = []string{RoleOneDoor, RoleSpecialist, RoleLeader, RoleAPIClient}

// ClientKeyPrefix starts every API client key, so that a leaked one is
// recognisable.
const ClientKeyPrefix = "mck_"

// Rate limits of API clients, in requests per minute.
const (
	DefaultRateLimit = 600
	MaxRateLimit     = 100_000
)

// APIClient is a partner system calling the API with a key: the key is
// shown once, when the client is created or its key rotated, and stored
// only as its SHA-256. Scopes say which routes the key may call; Grants,
// with the roles of staff, what it may do there (Actor.Can).
type APIClient struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
	Grants []Grant  `json:"grants"`
	// RateLimit is the requests per minute the client may make; zero
	// means DefaultRateLimit.
	RateLimit int       `json:"rate_limit"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// KeyRotatedAt is when the current key was issued.
	KeyRotatedAt time.Time `json:"key_rotated_at"`
	// RevokedAt is when the client was revoked: its key no longer works
	// and it cannot be changed.
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Actor returns the actor the client acts as.
func (c *APIClient) Actor() Actor {
	return Actor{Kind: ActorClient, ID: c.ID, Name: c.Name, Grants: c.Grants}
}

// HasScope reports whether the client holds scope.
func (c *APIClient) HasScope(scope string) bool {
	return slices.Contains(c.Scopes, scope)
}

// Limit returns the client's requests per minute: RateLimit, or
// DefaultRateLimit when it is zero.
func (c *APIClient) Limit() int {
	if c.RateLimit == 0 {
		return DefaultRateLimit
	}
	return c.RateLimit
}

// Validate checks the fields that need no lookup and returns EINVALID
// listing every bad field. It trims the ID and name, and sorts the scopes
// and removes repeated ones.
func (c *APIClient) Validate() error {
	var fs Fields
	validateAccount(&fs, &c.ID, &c.Name)
	if len(c.Scopes) == 0 {
		fs.Add("scopes", FieldRequired, "give at least one scope")
	}
	for i, s := range c.Scopes {
		if !slices.Contains(Scopes, s) {
			fs.Add(fmt.Sprintf("scopes[%d]", i), FieldValue, "scope must be one of "+strings.Join(Scopes, ", "))
		}
	}
	if len(c.Grants) == 0 {
		fs.Add("grants", FieldRequired, "grant at least one role")
	}
	for i, g := range c.Grants {
		p := fmt.Sprintf("grants[%d].", i)
		if !slices.Contains(ClientRoles, g.Role) {
			fs.Add(p+"role", FieldValue, "an API client's role must be one of "+strings.Join(ClientRoles, ", "))
		}
		if g.Unit == "" {
			fs.Add(p+"unit", FieldRequired, "unit is required")
		}
	}
	if c.RateLimit < 0 || c.RateLimit > MaxRateLimit {
		fs.Add("rate_limit", FieldValue, fmt.Sprintf("rate_limit is 0 (the default, %d) to %d requests per minute", DefaultRateLimit, MaxRateLimit))
	}
	if err := fs.Err(); err != nil {
		return err
	}
	c.Scopes = slices.Compact(slices.Sorted(slices.Values(c.Scopes)))
	return nil
}

// ClientService stores API clients.
type ClientService interface {
	// SaveClient creates the client c with a new key, which it returns,
	// or replaces the name, scopes, grants and rate limit of the
	// existing client c.ID and returns "" (its key stays). It sets c's
	// times. Returns EINVALID for bad fields, unknown units or agencies,
	// or an agency outside its grant's unit; ECONFLICT
	// ("client_revoked") for a revoked client.
	SaveClient(ctx context.Context, c *APIClient) (key string, err error)
	// RotateClientKey issues a new key for the client id and returns
	// it. The old key stops working at once in the store; a server
	// that cached it may accept it for a few seconds more. Returns
	// ENOTFOUND, or ECONFLICT ("client_revoked") for a revoked client.
	RotateClientKey(ctx context.Context, id string) (string, error)
	// RevokeClient revokes the client id: its key stops working and the
	// client can no longer be saved or given a key. Revoking a revoked
	// client changes nothing. Returns ENOTFOUND.
	RevokeClient(ctx context.Context, id string) error
	// ClientByKey returns the client holding key. Returns EUNAUTHORIZED
	// when there is none ("unauthorized") or it was revoked
	// ("client_revoked").
	ClientByKey(ctx context.Context, key string) (*APIClient, error)
	// FindClients returns every client, revoked ones too, by ID.
	FindClients(ctx context.Context) ([]*APIClient, error)
}
