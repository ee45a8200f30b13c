package metrics

import (
	"io"
	"math"
	"strconv"
	"strings"
)

// WriteTo writes every family in registration order in the text exposition
// format 0.0.4: HELP (unless the help text is empty) and TYPE lines, then
// the family's series sorted by label values. A family with labels and no series yet writes only its
// HELP and TYPE lines. It returns the number of bytes written and the
// first write error.
//
// The output is written in chunks as it is produced, so memory does not
// grow with the number of series beyond one family's sorted list.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	families := r.families[:len(r.families):len(r.families)]
	r.mu.Unlock()

	ew := &expWriter{w: w, buf: make([]byte, 0, 8<<10)}
	for _, f := range families {
		if f.help != "" {
			ew.buf = append(ew.buf, "# HELP "...)
			ew.buf = append(ew.buf, f.name...)
			ew.buf = append(ew.buf, ' ')
			ew.buf = appendEscaped(ew.buf, f.help, false)
			ew.buf = append(ew.buf, '\n')
		}
		ew.buf = append(ew.buf, "# TYPE "...)
		ew.buf = append(ew.buf, f.name...)
		ew.buf = append(ew.buf, ' ')
		ew.buf = append(ew.buf, f.typ...)
		ew.buf = append(ew.buf, '\n')
		f.samples(ew, f.name)
		if ew.err != nil {
			return ew.n, ew.err
		}
	}
	ew.flush()
	return ew.n, ew.err
}

// expWriter buffers exposition text and counts what reaches w.
type expWriter struct {
	w   io.Writer
	buf []byte
	n   int64
	err error
}

func (w *expWriter) flush() {
	if w.err != nil || len(w.buf) == 0 {
		return
	}
	n, err := w.w.Write(w.buf)
	w.n += int64(n)
	w.err = err
	w.buf = w.buf[:0]
}

// sample writes one line: name+suffix, the label pairs (plus le when it is
// not empty) and the value.
func (w *expWriter) sample(name, suffix string, labels, values []string, le string, v float64) {
	if w.err != nil {
		return
	}
	b := append(w.buf, name...)
	b = append(b, suffix...)
	if len(labels) > 0 || le != "" {
		b = append(b, '{')
		for i, l := range labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, l...)
			b = append(b, `="`...)
			b = appendEscaped(b, values[i], true)
			b = append(b, '"')
		}
		if le != "" {
			if len(labels) > 0 {
				b = append(b, ',')
			}
			b = append(b, `le="`...)
			b = append(b, le...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, v)
	w.buf = append(b, '\n')
	if len(w.buf) >= 4<<10 {
		w.flush()
	}
}

// appendEscaped appends s with backslash and newline escaped, and double
// quote too in a label value (quoted), as the format requires.
func appendEscaped(b []byte, s string, quoted bool) []byte {
	if !strings.ContainsAny(s, "\\\n\"") {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quoted:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendFloat formats v as Prometheus does: +Inf, -Inf and NaN by name,
// integers that a float64 holds exactly without exponent, anything else in
// the shortest form that reads back as v (Go's 'g', like client_golang).
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, +1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case v == 0:
		return append(b, '0') // -0 too
	case math.Abs(v) <= 1<<53 && v == math.Trunc(v):
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
