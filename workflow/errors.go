package workflow

import (
	"fmt"
	"strconv"
	"strings"

	"motcua"
)

// forbidden returns the EFORBIDDEN error of an action that needs role at
// agency. It names nothing else.
func forbidden(action, role, agency string) error {
	return &motcua.Error{Code: motcua.EFORBIDDEN, Reason: "role_required",
		Message: fmt.Sprintf("Action %s needs role %s at agency %s.", action, role, agency),
		Params:  map[string]string{"action": action, "role": role, "agency": agency}}
}

// notAllowed returns the ECONFLICT error of a known action that the
// dossier's state does not offer, naming the actions allowed.
func notAllowed(action string, s motcua.Status, allowed []string) error {
	list := listOrNone(allowed)
	return &motcua.Error{Code: motcua.ECONFLICT, Reason: "action_not_allowed",
		Message: fmt.Sprintf("Action %q is not allowed when the dossier is %s; allowed: %s.", action, s, list),
		Params:  map[string]string{"action": action, "status": string(s), "allowed": list}}
}

// unknownAction returns the EINVALID error of an action name that is
// neither a global action nor an action of the process.
func unknownAction(allowed []string) error {
	return &motcua.Error{Code: motcua.EINVALID, Reason: "invalid_fields", Message: "Unknown action.",
		Fields: []motcua.FieldError{{Field: "action", Reason: motcua.FieldValue,
			Message: "unknown action; allowed now: " + listOrNone(allowed)}}}
}

// stale returns the ECONFLICT error of a request made on an older version
// of the dossier.
func stale(version int) error {
	return &motcua.Error{Code: motcua.ECONFLICT, Reason: "stale_version",
		Message: fmt.Sprintf("The dossier has changed since; its version is now %d.", version),
		Params:  map[string]string{"version": strconv.Itoa(version)}}
}

func listOrNone(as []string) string {
	if len(as) == 0 {
		return "none"
	}
	return strings.Join(as, ", ")
}
