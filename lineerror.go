package vtr

import "fmt"

// LineError is one line (or one payload, named by the line it starts on)
// of an import that cannot be accepted: broken, over a size limit, or
// refused by its codec. Every codec reports a bad line with it, and every
// importer treats it as "reject this line and go on": the lines around it
// are kept, so one bad line never costs a whole file.
type LineError struct {
	Line  int    // 1-based line number in the input
	Field string // the field at fault, "" for the line as a whole
	Msg   string // why, for the user
}

// Error formats the error as "line N: field: msg", or "line N: msg" when
// no field is at fault.
func (e *LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Msg)
}
