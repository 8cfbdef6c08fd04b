package sqlstore

import (
	"sync"

	"motcua"
)

// maxSnapshots bounds the dossiers kept decoded: enough for the dossiers
// being worked on at any moment, a few megabytes at most.
const maxSnapshots = 1024

// snapshots keeps the latest state this process wrote of the dossiers it
// changed most recently, decoded, so that the next action on one of them
// is computed without reading and decoding it again. A snapshot may be
// stale — another process, or a path that does not go through the cache,
// may have changed the dossier since — which costs nothing but a retry:
// an action computed on it is written only if the dossier is still at the
// snapshot's version.
type snapshots struct {
	mu    sync.Mutex
	byID  map[string]snapshot
	codes map[string]string // code → ID
}

// snapshot is a dossier as written, with the hash of its last event and
// the JSON of its events as its document holds them (empty when not
// kept). Its dossier is never modified: actions compute new states from
// it.
type snapshot struct {
	d      *motcua.Dossier
	head   string
	events eventsJSON
}

// get returns the snapshot of the dossier whose ID or code is ref.
func (s *snapshots) get(ref string) (snapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := ref
	if !motcua.IsDossierID(ref) {
		id = s.codes[ref]
	}
	sn, ok := s.byID[id]
	return sn, ok
}

// put keeps d, just written, whose last event has the hash head and whose
// first events encode as events.
func (s *snapshots) put(d *motcua.Dossier, head string, events eventsJSON) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID == nil {
		s.byID, s.codes = map[string]snapshot{}, map[string]string{}
	}
	if _, ok := s.byID[d.ID]; !ok && len(s.byID) >= maxSnapshots {
		// Forget an eighth, whichever the map yields first.
		n := maxSnapshots / 8
		for id, sn := range s.byID {
			delete(s.byID, id)
			delete(s.codes, sn.d.Code)
			if n--; n == 0 {
				break
			}
		}
	}
	s.byID[d.ID] = snapshot{d: d, head: head, events: events}
	if d.Code != "" {
		s.codes[d.Code] = d.ID
	}
}

// drop forgets the dossier whose ID or code is ref.
func (s *snapshots) drop(ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := ref
	if !motcua.IsDossierID(ref) {
		id = s.codes[ref]
	}
	if sn, ok := s.byID[id]; ok {
		delete(s.codes, sn.d.Code)
		delete(s.byID, id)
	}
}
