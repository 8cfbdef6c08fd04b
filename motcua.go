// Package motcua is the domain of the motcua one-stop-shop platform:
// administrative units, agencies, the procedure catalogue, applicants,
// dossiers and their tamper-evident history, together with the service
// interfaces that the adapters (sqlstore, web, calendar, seed) implement or
// consume.
//
// The package imports only the standard library. Every adapter depends on
// it and never on another adapter; cmd/motcua wires them together.
package motcua

import (
	"context"
	"time"
)

// Version is the release of motcua. It is overridden at build time with
// -ldflags "-X motcua.Version=…".
var Version = "0.1.0-dev"

// Location is Asia/Ho_Chi_Minh, the zone in which dates are shown and in
// which dossier codes take their date. Binaries embed time/tzdata so the
// zone is available on machines without a zone database.
func Location() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		// UTC+7 has had no daylight saving since 1975.
		return time.FixedZone("ICT", 7*60*60)
	}
	return loc
}

// Clock tells the current time. Services take it as a dependency so tests
// can control time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the Clock of the machine.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// ClockFunc adapts a function to the Clock interface.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// Actor is the person or system on whose behalf a change is made. Events
// record it.
type Actor struct {
	Kind string `json:"kind"` // ActorAdmin, ActorOfficer, ActorCitizen, ActorSystem, ActorClient
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Grants are the roles the actor holds (officers and API clients).
	Grants []Grant `json:"-"`
	// Person is a citizen's 12-digit personal identification number, as
	// their identity provider vouched for it: the dossiers whose
	// applicant has it are theirs.
	Person string `json:"-"`
}

// Same reports whether a and b are the same actor: the same kind, ID and
// name (grants aside).
func (a Actor) Same(b Actor) bool {
	return a.Kind == b.Kind && a.ID == b.ID && a.Name == b.Name
}

// Administers reports whether the actor administers the whole system:
// the bootstrap administrator, or staff with the city administrator role.
func (a Actor) Administers() bool {
	return a.Kind == ActorAdmin || a.HasRole(RoleCityAdmin)
}

// HasRole reports whether the actor holds role anywhere.
func (a Actor) HasRole(role string) bool {
	for _, g := range a.Grants {
		if g.Role == role {
			return true
		}
	}
	return false
}

// Actor kinds.
const (
	ActorAdmin   = "admin"
	ActorOfficer = "officer"
	ActorCitizen = "citizen"
	ActorSystem  = "system"
	ActorClient  = "client" // a partner system with an API key (APIClient)
)

// BootstrapAdmin is the actor behind the bootstrap administrator token,
// used until staff accounts exist.
var BootstrapAdmin = Actor{Kind: ActorAdmin, ID: "bootstrap-admin", Name: "Bootstrap administrator"}

// SystemActor is the actor of automatic changes (for example a procedure
// that receives online submissions automatically).
var SystemActor = Actor{Kind: ActorSystem, ID: "motcua"}

type actorKey struct{}

// NewContextWithActor returns a copy of ctx carrying a.
func NewContextWithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor carried by ctx and reports whether
// there was one.
func ActorFromContext(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
