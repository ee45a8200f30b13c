package postgres

import (
	"fmt"
	"io"
	"strconv"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
)

// An import's events, and its other writes of many rows, are stored
// with COPY (Tx.AddEvents, Tx.put), their rows written in COPY's text
// format straight from the values as the server reads them: no array
// literal of each column, and none of the copies pgx makes of a
// parameter (into its encoding buffer, then into the round trip's
// message, each grown from a few hundred bytes). Those were most of the
// client's allocations: a 5-day full-density import allocated 20.2 GB,
// 7.5 GB of it in pgx's copies of the literals and 1.1 GB the literals.

// copyRows reads n rows, each written by row, in COPY's text format.
type copyRows struct {
	n, next int
	row     func(w *copyRow, i int)
	w       copyRow
	off     int // of w.buf, read already
}

// eventRows are events as rows of EventColumns.
func eventRows(evs []*vtr.Event) *copyRows {
	return &copyRows{n: len(evs), row: func(w *copyRow, i int) { sqlutil.WriteEvent(w, evs[i]) }}
}

// valueRows are rows of values: strings, int64s, ints and bools.
func valueRows(rows [][]any) *copyRows {
	return &copyRows{n: len(rows), row: func(w *copyRow, i int) {
		for c, v := range rows[i] {
			switch v := v.(type) {
			case string:
				w.Text(v)
			case int64:
				w.Int(v)
			case int:
				w.Int(int64(v))
			case bool:
				w.Bool(v)
			default:
				panic(fmt.Sprintf("postgres: column %d: unsupported %T", c, v))
			}
		}
	}}
}

// Read fills p with rows, the last of them perhaps in part: the rest of
// it starts the next.
func (r *copyRows) Read(p []byte) (int, error) {
	if len(r.w.buf)-r.off < len(p) && r.next < r.n {
		// What is left of the row read last goes first.
		r.w.buf = r.w.buf[:copy(r.w.buf, r.w.buf[r.off:])]
		r.off = 0
		if r.w.buf == nil {
			r.w.buf = make([]byte, 0, 64<<10)
		}
		for ; len(r.w.buf) < len(p) && r.next < r.n; r.next++ {
			r.w.first = true
			r.row(&r.w, r.next)
			r.w.buf = append(r.w.buf, '\n')
		}
	}
	if r.off == len(r.w.buf) {
		return 0, io.EOF
	}
	n := copy(p, r.w.buf[r.off:])
	r.off += n
	return n, nil
}

// copyRow appends a row's values in COPY's text format: separated by
// tabs, a backslash before each backslash, and \n, \r and \t for the
// newline, carriage return and tab that would end a value or a row.
type copyRow struct {
	buf   []byte
	first bool
}

func (w *copyRow) sep() {
	if !w.first {
		w.buf = append(w.buf, '\t')
	}
	w.first = false
}

func (w *copyRow) Text(s string) {
	w.sep()
	start := 0
	for i := 0; i < len(s); i++ {
		var esc byte
		switch s[i] {
		case '\\':
			esc = '\\'
		case '\n':
			esc = 'n'
		case '\r':
			esc = 'r'
		case '\t':
			esc = 't'
		default:
			continue
		}
		w.buf = append(append(w.buf, s[start:i]...), '\\', esc)
		start = i + 1
	}
	w.buf = append(w.buf, s[start:]...)
}

func (w *copyRow) Int(n int64) {
	w.sep()
	w.buf = strconv.AppendInt(w.buf, n, 10)
}

func (w *copyRow) Bool(b bool) {
	w.sep()
	if b {
		w.buf = append(w.buf, 't')
	} else {
		w.buf = append(w.buf, 'f')
	}
}
