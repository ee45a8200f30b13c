package adapter

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/vtr-project/vtr"
)

// MaxPayload is the largest payload a Framer accepts, in bytes. A larger
// one is a rejected line, read through to its end but never held whole:
// past the limit its bytes are scanned and dropped. Real payloads are far
// smaller: a tracker with hundreds of scans is well under 1 MiB.
const MaxPayload = 8 << 20

// bom is the UTF-8 byte-order mark some editors put at the start of a
// file; it is not part of the first payload.
var bom = []byte("\xef\xbb\xbf")

// Framer cuts a stream of vendor payloads (saved webhook bodies: one JSON
// document a line, pretty-printed documents one after another, or a mix)
// into payloads, each with the line it starts on, in constant memory.
//
// It finds where a payload ends by following JSON's nesting (objects,
// arrays, strings and their escapes) without decoding it: checking the
// payload is the parser's job. What cannot be a payload is a rejected
// span, reported as one *vtr.LineError naming the line it starts on:
//
//   - a payload still open where a line begins with { or [ in column 0:
//     the payload is broken (truncated, or a bracket missing) and the next
//     one starts there. Compact documents start a line and pretty-printed
//     ones indent what they nest, so a document's own { or [ never sits in
//     column 0 except where the document starts.
//   - a string running past the end of its line (JSON strings cannot hold
//     a raw newline), or anything but { or [ where a payload should start:
//     broken JSON, skipped up to the next line that begins with { or [.
//   - a payload longer than MaxPayload, or the input ending inside one.
//
// A leading byte-order mark is skipped.
type Framer struct {
	br  *bufio.Reader
	err error // what ended reading: io.EOF, or the reader's error

	started bool  // the leading byte-order mark is dealt with
	pos     int64 // offset of the next byte to scan
	line    int   // its line, 1-based
	bol     bool  // it begins a line

	state      framerState
	start      int64 // offset of the payload or rejected span
	startLine  int   // its line
	depth      int   // open objects and arrays
	inStr, esc bool  // inside a string; after a backslash in one
	tooLong    bool  // past MaxPayload: scanned, not kept
	payload    []byte
	why        string // a rejected span's message

	lo, hi int64 // offsets [lo, hi) of the last payload or rejected span, which the fuzz test checks
}

type framerState int

const (
	between  framerState = iota // white space before a payload
	inValue                     // in a payload
	skipping                    // in broken JSON, up to the next line starting with { or [
)

// NewFramer returns a framer reading from r.
func NewFramer(r io.Reader) *Framer {
	return &Framer{br: bufio.NewReaderSize(r, 64<<10), line: 1, bol: true}
}

// Next returns the next payload, valid until the following call, and the
// line it starts on. A *vtr.LineError is a span of the input that is not a
// payload (see Framer): it is skipped, and the next call reads on after
// it. io.EOF ends the input; any other error is the reader's, and is
// returned again by every later call. Every call but those ending the
// input consumes input, so a loop over Next always ends.
func (f *Framer) Next() (payload []byte, line int, err error) {
	if !f.started {
		f.started = true
		b, err := f.br.Peek(len(bom))
		if bytes.Equal(b, bom) {
			f.br.Discard(len(bom))
			f.pos += int64(len(bom))
		} else if err != nil {
			f.err = err // returned once the bytes before it are scanned
		}
	}
	for {
		b, err := f.chunk()
		if err != nil {
			return f.end(err)
		}
		seg := 0 // where the payload's bytes in b start
		for j := 0; j < len(b); j++ {
			c := b[j]
			bol := f.bol
			f.bol = c == '\n'
			switch f.state {
			case between:
				if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
					break
				}
				f.start, f.startLine = f.pos, f.line
				if c != '{' && c != '[' {
					f.skip(fmt.Sprintf("broken JSON: %s where a payload should start with { or [", quoteByte(c)))
					break
				}
				f.state, f.depth, f.inStr, f.esc, f.tooLong = inValue, 1, false, false, false
				f.payload, seg = f.payload[:0], j
			case inValue:
				if bol && (c == '{' || c == '[') {
					// Not consumed: the next payload starts here.
					f.br.Discard(j)
					f.state, f.bol = between, true
					return f.reject(fmt.Sprintf("broken JSON: not closed before line %d, where the next payload starts", f.line))
				}
				if f.pos-f.start >= MaxPayload && !f.tooLong {
					f.tooLong, f.payload = true, f.payload[:0]
				}
				switch {
				case f.inStr && c == '\n':
					f.skip(fmt.Sprintf("broken JSON: a string is not closed at the end of line %d", f.line))
				case f.esc:
					f.esc = false
				case f.inStr:
					switch c {
					case '\\':
						f.esc = true
					case '"':
						f.inStr = false
					}
				case c == '"':
					f.inStr = true
				case c == '{' || c == '[':
					f.depth++
				case c == '}' || c == ']':
					f.depth--
				}
				if f.depth == 0 {
					f.state = between
					f.advance(c)
					f.br.Discard(j + 1)
					if f.tooLong {
						return f.reject(fmt.Sprintf("longer than %d bytes", MaxPayload))
					}
					f.lo, f.hi = f.start, f.pos
					if len(f.payload) == 0 {
						return b[seg : j+1], f.startLine, nil // whole in the buffer: no copy
					}
					f.payload = appendPayload(f.payload, b[seg:j+1])
					return f.payload, f.startLine, nil
				}
			case skipping:
				if bol && (c == '{' || c == '[') {
					f.br.Discard(j)
					f.state = between
					f.bol = true
					return f.reject(f.why)
				}
			}
			f.advance(c)
			// Fast paths: the inside of a string up to a quote, backslash
			// or newline, and broken JSON up to a newline, hold nothing
			// the state machine needs.
			var k int
			switch {
			case f.state == inValue && f.inStr && !f.esc:
				if k = bytes.IndexAny(b[j+1:], "\"\\\n"); k < 0 {
					k = len(b) - j - 1
				}
			case f.state == skipping && c != '\n':
				if k = bytes.IndexByte(b[j+1:], '\n'); k < 0 {
					k = len(b) - j - 1
				}
			}
			if k > 0 {
				j += k
				f.pos += int64(k)
				f.bol = false
			}
		}
		if f.state == inValue && !f.tooLong {
			if f.pos-f.start > MaxPayload {
				f.tooLong, f.payload = true, f.payload[:0]
			} else {
				f.payload = appendPayload(f.payload, b[seg:])
			}
		}
		f.br.Discard(len(b))
	}
}

// appendPayload appends b to a payload of at most MaxPayload bytes,
// doubling its capacity up to MaxPayload, so that gathering a payload
// costs at most twice its size in allocations.
func appendPayload(p, b []byte) []byte {
	if n := len(p) + len(b); n > cap(p) {
		grown := make([]byte, len(p), max(min(2*n, MaxPayload), n))
		copy(grown, p)
		p = grown
	}
	return append(p, b...)
}

// chunk returns the bytes buffered, reading more when there are none.
func (f *Framer) chunk() ([]byte, error) {
	if f.br.Buffered() == 0 {
		if f.err != nil {
			return nil, f.err
		}
		if _, err := f.br.Peek(1); err != nil {
			f.err = err
			return nil, err
		}
	}
	return f.br.Peek(f.br.Buffered())
}

// advance moves past byte c.
func (f *Framer) advance(c byte) {
	f.pos++
	if c == '\n' {
		f.line++
	}
}

// skip turns the payload (or the bytes) from f.start into broken JSON,
// skipped up to the next line that starts with { or [.
func (f *Framer) skip(why string) {
	f.state, f.why, f.payload = skipping, why, f.payload[:0]
}

// reject returns the span from f.start to f.pos as a rejected line.
func (f *Framer) reject(why string) ([]byte, int, error) {
	f.lo, f.hi = f.start, f.pos
	f.payload = f.payload[:0]
	if cap(f.payload) > 1<<20 {
		f.payload = nil // a rare large payload does not pin its buffer
	}
	return nil, f.startLine, &vtr.LineError{Line: f.startLine, Msg: why}
}

// end reports the end of the input: the payload or broken span in
// progress, then err.
func (f *Framer) end(err error) ([]byte, int, error) {
	if err != io.EOF {
		return nil, f.line, fmt.Errorf("read line %d: %w", f.line, err)
	}
	switch f.state {
	case inValue:
		f.state = between
		if f.tooLong {
			return f.reject(fmt.Sprintf("longer than %d bytes", MaxPayload))
		}
		return f.reject("broken JSON: the input ends before the payload is closed")
	case skipping:
		f.state = between
		return f.reject(f.why)
	}
	return nil, f.line, io.EOF
}

// quoteByte names a byte for a message: printable ASCII as itself, in
// quotes, anything else by its value.
func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", string(rune(c)))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// Stream yields the events of a stream of one vendor's payloads (see
// Framer) as import records.
type Stream struct {
	fr      *Framer
	parse   func(body []byte) ([]vtr.Event, error)
	pending []vtr.Event
	line    int
}

// NewStream returns a stream reading payloads from r and turning each
// into events with parse, an adapter's Parse.
func NewStream(r io.Reader, parse func(body []byte) ([]vtr.Event, error)) *Stream {
	return &Stream{fr: NewFramer(r), parse: parse}
}

// Next returns the next event, as an "event" record whose Line is the
// line its payload starts on. A payload that is broken, too long, or that
// parse rejects is one *vtr.LineError naming that line, and the next call
// reads on with the payload after it. io.EOF ends the stream; any other
// error is the reader's. A payload without events yields nothing.
func (s *Stream) Next() (vtr.Record, error) {
	for len(s.pending) == 0 {
		body, line, err := s.fr.Next()
		if err != nil {
			return vtr.Record{}, err
		}
		events, err := s.parse(body)
		if err != nil {
			msg := err.Error()
			if vtr.ErrorCode(err) != vtr.EINTERNAL {
				msg = vtr.ErrorMessage(err)
			}
			return vtr.Record{}, &vtr.LineError{Line: line, Msg: strings.TrimSpace(msg)}
		}
		s.pending, s.line = events, line
	}
	e := &s.pending[0]
	s.pending = s.pending[1:]
	return vtr.Record{Line: s.line, Type: "event", Event: e}, nil
}
