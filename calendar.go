package motcua

import "time"

// Calendar computes due times in legal working time for an administrative
// unit. Implementations are pure and safe for concurrent use.
type Calendar interface {
	// Due returns the due time of a processing time t counted from start
	// (a receipt time) in the working time of the unit with code unit.
	Due(unit string, start time.Time, t ProcessingTime) (Due, error)
	// WorkingTime returns the working time of the unit between from and to
	// (zero if to is not after from).
	WorkingTime(unit string, from, to time.Time) (time.Duration, error)
	// AddWorkingTime returns the instant at which d of working time has
	// passed after start: the due time of a resumed clock.
	AddWorkingTime(unit string, start time.Time, d time.Duration) (Due, error)
}

// Due is a due time with its explanation.
type Due struct {
	At          time.Time `json:"due"`
	Explanation []DueStep `json:"explanation"`
	SummaryVI   string    `json:"summary_vi"`
	SummaryEN   string    `json:"summary_en"`
}

// DueStep is one step of a due-time explanation: a working window used, a
// day skipped and why, a cut-off applied or a pause.
type DueStep struct {
	Date     string `json:"date"` // YYYY-MM-DD in Asia/Ho_Chi_Minh
	Kind     string `json:"kind"`
	ReasonVI string `json:"reason_vi"`
	ReasonEN string `json:"reason_en"`
}

// Due step kinds.
const (
	StepWorked  = "worked"
	StepSkipped = "skipped"
	StepCutoff  = "cutoff"
	StepStart   = "start"
	StepPause   = "pause"
)
