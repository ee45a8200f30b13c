package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/aftership"
	"github.com/vtr-project/vtr/easypost"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/track17"
)

// parsers is the one place that maps a vendor format to its adapter.
var parsers = map[string]func([]byte) ([]vtr.Event, error){
	aftership.Source: aftership.Parse,
	easypost.Source:  easypost.Parse,
	track17.Source:   track17.Parse,
}

// webhookSource reads a vendor's webhook payloads — one JSON document per
// line, or pretty-printed documents one after another — and yields their
// events. A payload that does not parse is reported with the line it
// starts on; the payloads around it are kept.
func webhookSource(br *bufio.Reader, format string) (func() (native.Record, error), error) {
	parse := parsers[format]
	lc := &lineCounter{r: br}
	dec := json.NewDecoder(lc)
	var pending []vtr.Event
	var pendingLine int
	return func() (native.Record, error) {
		for len(pending) == 0 {
			start := dec.InputOffset()
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if err == io.EOF {
				return native.Record{}, io.EOF
			}
			if err == nil {
				// RawMessage keeps the value's exact bytes, so it starts
				// len(raw) bytes before where the decoder stopped.
				start = dec.InputOffset() - int64(len(raw))
			}
			line := lc.lineAt(start)
			if err != nil {
				var se *json.SyntaxError
				if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
					// The stream cannot be resynchronised after broken JSON.
					return native.Record{}, &native.LineError{Line: line, Msg: "broken JSON: " + err.Error() + " (the rest of the input is skipped)"}
				}
				return native.Record{}, err
			}
			evs, err := parse(bytes.TrimSpace(raw))
			if err != nil {
				field, msg, ok := strings.Cut(err.Error(), ": ")
				if !ok {
					field, msg = "", err.Error()
				}
				return native.Record{}, &native.LineError{Line: line, Field: field, Msg: msg}
			}
			pending, pendingLine = evs, line
		}
		e := pending[0]
		pending = pending[1:]
		return native.Record{Line: pendingLine, Type: "event", Event: &e}, nil
	}, nil
}

// lineCounter counts newlines as the JSON decoder reads, to turn byte
// offsets into line numbers. The offsets asked for only grow, so it keeps
// just the newlines read but not yet passed: memory stays flat and each
// newline is counted once.
type lineCounter struct {
	r       io.Reader
	read    int64
	pending []int64 // offsets of newlines at or after the last offset asked
	passed  int     // newlines before the last offset asked
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			c.pending = append(c.pending, c.read+int64(i))
		}
	}
	c.read += int64(n)
	return n, err
}

// lineAt returns the 1-based line of a byte offset; offsets must not
// decrease from one call to the next.
func (c *lineCounter) lineAt(off int64) int {
	k := 0
	for k < len(c.pending) && c.pending[k] < off {
		k++
	}
	c.passed += k
	c.pending = append(c.pending[:0], c.pending[k:]...)
	return c.passed + 1
}
