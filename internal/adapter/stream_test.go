package adapter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/vtr-project/vtr"
)

// frame is what Framer.Next returned once: a payload, or the message of
// a rejected line, and the line.
type frame struct {
	line    int
	payload string // "" for a rejected line
	err     string // a piece of the rejected line's message
}

func (f frame) String() string {
	if f.err != "" {
		return fmt.Sprintf("line %d: error %q", f.line, f.err)
	}
	return fmt.Sprintf("line %d: %s", f.line, f.payload)
}

// frames reads r to its end, failing the test on anything but payloads,
// *vtr.LineErrors and io.EOF, or on more calls than r has bytes.
func frames(t *testing.T, r io.Reader, size int) []frame {
	t.Helper()
	fr := NewFramer(r)
	var got []frame
	for range size + 2 {
		p, line, err := fr.Next()
		if err == io.EOF {
			return got
		}
		var le *vtr.LineError
		switch {
		case errors.As(err, &le):
			if le.Line != line {
				t.Fatalf("LineError line %d, Next's line %d", le.Line, line)
			}
			got = append(got, frame{line: line, err: le.Msg})
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			got = append(got, frame{line: line, payload: string(p)})
		}
	}
	t.Fatalf("no io.EOF after %d calls on %d bytes", size+2, size)
	return nil
}

func TestFramer(t *testing.T) {
	const a, b, c = `{"a":1}`, `{"b":[2,{"c":"}]\"{"}]}`, `[3]`
	pretty := "{\n  \"a\": {\n    \"b\": [\n      1,\n      {\"x\": \"{\"}\n    ]\n  }\n}"
	tests := []struct {
		name, in string
		want     []frame
	}{
		{"empty", "", nil},
		{"white space", " \r\n\t\n", nil},
		{"one per line", a + "\n" + b + "\n" + c + "\n", []frame{{1, a, ""}, {2, b, ""}, {3, c, ""}}},
		{"CRLF, blank lines, no final newline", a + "\r\n\r\n" + b + "\r\n" + c, []frame{{1, a, ""}, {3, b, ""}, {4, c, ""}}},
		{"several on a line", a + b + " " + c + "\n" + a, []frame{{1, a, ""}, {1, b, ""}, {1, c, ""}, {2, a, ""}}},
		{"pretty, back to back", pretty + "\n" + pretty + pretty + "\n", []frame{{1, pretty, ""}, {9, pretty, ""}, {16, pretty, ""}}},
		{"indented", "  " + a + "\n\t" + pretty, []frame{{1, a, ""}, {2, pretty, ""}}},
		{"leading BOM", "\ufeff" + a + "\n" + b, []frame{{1, a, ""}, {2, b, ""}}},
		{"leading BOM, pretty", "\ufeff" + pretty, []frame{{1, pretty, ""}}},
		{"only a BOM", "\ufeff", nil},
		{"BOM not at the start", a + "\n\ufeff" + b + "\n" + c, []frame{{1, a, ""}, {2, "", "byte 0xef where a payload should start"}, {3, c, ""}}},

		// Broken JSON between good payloads: one rejected line each.
		{"truncated, one per line", a + "\n" + `{"b":[2,{"c` + "\n" + c + "\n", []frame{{1, a, ""}, {2, "", "a string is not closed at the end of line 2"}, {3, c, ""}}},
		{"unclosed, one per line", a + "\n" + `{"b":[2,{}]` + "\n" + c + "\n", []frame{{1, a, ""}, {2, "", "not closed before line 3"}, {3, c, ""}}},
		{"unclosed, then a nested start", a + "\n" + `{"b":` + "\n" + `{"x":1}` + "\n" + c, []frame{{1, a, ""}, {2, "", "not closed before line 3"}, {3, `{"x":1}`, ""}, {4, c, ""}}},
		{"closed but invalid", a + "\n" + `{"b" 2}` + "\n" + c, []frame{{1, a, ""}, {2, `{"b" 2}`, ""}, {3, c, ""}}},
		{"garbage line", a + "\nhello, world\n" + c, []frame{{1, a, ""}, {2, "", `"h" where a payload should start`}, {3, c, ""}}},
		{"garbage up to a line with {", a + "\nnull\n  {\"x\":1}\n" + c, []frame{{1, a, ""}, {2, "", `"n" where`}, {4, c, ""}}},
		{"garbage after a payload", a + " }x\n" + c, []frame{{1, a, ""}, {1, "", `"}" where`}, {2, c, ""}}},
		{"truncated at the end", a + "\n" + `{"b":[`, []frame{{1, a, ""}, {2, "", "the input ends before the payload is closed"}}},
		{"truncated pretty in the middle", pretty + "\n" + pretty[:30] + "\n" + pretty, []frame{{1, pretty, ""}, {9, "", "not closed before line 13"}, {13, pretty, ""}}},
		{"pretty, string broken", pretty + "\n{\n  \"a\": \"x\n  \"b\": 1\n}\n" + pretty, []frame{{1, pretty, ""}, {9, "", "a string is not closed at the end of line 10"}, {13, pretty, ""}}},
		{"an escaped quote does not end a string", `{"a":"\"}"}` + "\n" + `{"b":"\\"}`, []frame{{1, `{"a":"\"}"}`, ""}, {2, `{"b":"\\"}`, ""}}},
	}
	for _, tt := range tests {
		got := frames(t, strings.NewReader(tt.in), len(tt.in))
		// Read a byte at a time too: payloads cross buffer boundaries.
		slow := frames(t, iotest.OneByteReader(strings.NewReader(tt.in)), len(tt.in))
		if fmt.Sprint(got) != fmt.Sprint(slow) {
			t.Errorf("%s: one byte at a time, got\n%v\nwant\n%v", tt.name, slow, got)
		}
		ok := len(got) == len(tt.want)
		for i := 0; ok && i < len(got); i++ {
			g, w := got[i], tt.want[i]
			ok = g.line == w.line && g.payload == w.payload && (w.err == "") == (g.err == "") && strings.Contains(g.err, w.err)
		}
		if !ok {
			t.Errorf("%s: got\n%v\nwant\n%v", tt.name, got, tt.want)
		}
	}
}

// A payload over MaxPayload is one rejected line, read through without
// being kept, whether it closes, runs into the next payload or into the
// end of the input; the payloads around it are kept.
func TestFramerTooLong(t *testing.T) {
	const a = `{"a":1}`
	huge := `{"pad":"` + strings.Repeat("x", MaxPayload) + `"}`
	hugePretty := "{\n  \"pad\": [\n" + strings.Repeat("    \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\n", MaxPayload/40) + "    1\n  ]\n}"
	justFits := `{"pad":"` + strings.Repeat("x", MaxPayload-10) + `"}`
	justOver := `{"pad":"` + strings.Repeat("x", MaxPayload-9) + `"}`
	long := fmt.Sprintf("longer than %d bytes", MaxPayload)
	n := strings.Count(hugePretty, "\n")
	tests := []struct {
		name, in string
		want     []frame
	}{
		{"one per line", a + "\n" + huge + "\n" + a, []frame{{1, a, ""}, {2, "", long}, {3, a, ""}}},
		{"pretty", a + "\n" + hugePretty + "\n" + a, []frame{{1, a, ""}, {2, "", long}, {n + 3, a, ""}}},
		{"unclosed", a + "\n" + huge[:len(huge)-1] + "\n" + a, []frame{{1, a, ""}, {2, "", "not closed before line 3"}, {3, a, ""}}},
		{"at the end", a + "\n" + huge[:len(huge)-1], []frame{{1, a, ""}, {2, "", long}}},
		{"just fits", justFits + "\n" + a, []frame{{1, justFits, ""}, {2, a, ""}}},
		{"just over", justOver + "\n" + a, []frame{{1, "", long}, {2, a, ""}}},
	}
	for _, tt := range tests {
		got := frames(t, strings.NewReader(tt.in), len(tt.in))
		ok := len(got) == len(tt.want)
		for i := 0; ok && i < len(got); i++ {
			g, w := got[i], tt.want[i]
			ok = g.line == w.line && g.payload == w.payload && strings.Contains(g.err, w.err)
		}
		if !ok {
			for i := range got {
				got[i].payload = fmt.Sprintf("%.40s…", got[i].payload)
			}
			t.Errorf("%s: got %v", tt.name, got)
		}
	}
}

// Memory stays flat: a payload far over the limit costs no more than the
// limit.
func TestFramerMemory(t *testing.T) {
	const size = 64 << 20
	in := io.MultiReader(strings.NewReader(`{"a":1}`+"\n"+`{"pad":"`), &repeat{b: 'x', n: size}, strings.NewReader(`"}`+"\n"+`{"b":2}`))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := frames(t, in, size+100)
	runtime.ReadMemStats(&after)
	if len(got) != 3 || got[1].err == "" || got[2].payload != `{"b":2}` {
		t.Errorf("got %.200v", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*MaxPayload {
		t.Errorf("allocated %d bytes framing a %d-byte payload, want at most %d", alloc, size, 3*MaxPayload)
	}
}

// repeat reads n copies of b.
type repeat struct {
	b byte
	n int
}

func (r *repeat) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(len(p), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return k, nil
}

// A read error is not a bad line: it is returned, wrapped with the line,
// by this call and every later one.
func TestFramerReadError(t *testing.T) {
	boom := errors.New("boom")
	fr := NewFramer(io.MultiReader(strings.NewReader(`{"a":1}`+"\n"+`{"b":`), iotest.ErrReader(boom)))
	if p, _, err := fr.Next(); err != nil || string(p) != `{"a":1}` {
		t.Fatalf("first payload: %q, %v", p, err)
	}
	for range 3 {
		_, _, err := fr.Next()
		var le *vtr.LineError
		if !errors.Is(err, boom) || errors.As(err, &le) || !strings.HasPrefix(err.Error(), "read line 2: ") {
			t.Fatalf("got %v, want the read error on line 2", err)
		}
	}
}

// Stream turns payloads into event records and every bad payload into one
// rejected line, whatever rejects it.
func TestStream(t *testing.T) {
	parse := func(body []byte) ([]vtr.Event, error) {
		var p struct{ N []string }
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, Errors("x").JSONError("", err)
		}
		if len(p.N) > 0 && p.N[0] == "internal" {
			return nil, errors.New("not a vtr.Error")
		}
		var events []vtr.Event
		for _, n := range p.N {
			events = append(events, vtr.Event{TrackingNumber: n})
		}
		return events, nil
	}
	in := strings.Join([]string{
		`{"N":["1","2"]}`,
		`{"N":["3"`,
		`{"N":[]}`,
		`{"N":7}`,
		`{"N" "4"}`,
		`{"N":["internal"]}`,
		"{",
		`  "N": ["5"]`,
		"}",
	}, "\n")
	s := NewStream(strings.NewReader(in), parse)
	var got []string
	for range 20 {
		rec, err := s.Next()
		if err == io.EOF {
			break
		}
		var le *vtr.LineError
		switch {
		case errors.As(err, &le):
			got = append(got, le.Error())
		case err != nil:
			t.Fatal(err)
		default:
			got = append(got, fmt.Sprintf("line %d: %s %s", rec.Line, rec.Type, rec.Event.TrackingNumber))
		}
	}
	want := []string{
		"line 1: event 1",
		"line 1: event 2",
		"line 2: broken JSON: not closed before line 3, where the next payload starts",
		"line 4: x: N: expected array, got JSON number",
		"line 5: x: body is not JSON: invalid character '\"' after object key (byte 6)",
		"line 6: not a vtr.Error",
		"line 7: event 5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// FuzzFramer: Next never panics and always ends; every byte of the input
// is in one payload or one rejected span, but for white space between
// them and a leading byte-order mark; each payload is exactly its bytes of
// the input; spans come in order, each named by the line it starts on;
// and how the input is cut into reads changes nothing.
func FuzzFramer(f *testing.F) {
	for _, s := range []string{
		`{"a":1}` + "\n" + `{"b":[2,{"c":"}]\"{"}]}`,
		"\ufeff{\n  \"a\": [\n    1\n  ]\n}\n{\"b\":",
		"{\"a\":\"x\ny\"}\n[1]\n",
		"garbage\n{}\n}{[\n\"",
		`{"a":"\\"}{"b":"\""}`,
	} {
		f.Add([]byte(s))
	}
	type item struct {
		payload string
		line    int
		err     string
		lo, hi  int64
	}
	run := func(t *testing.T, r io.Reader, size int) []item {
		fr := NewFramer(r)
		var items []item
		for calls := 0; ; calls++ {
			if calls > size+1 {
				t.Fatalf("no io.EOF after %d calls", calls)
			}
			p, line, err := fr.Next()
			if err == io.EOF {
				return items
			}
			var le *vtr.LineError
			if err != nil && (!errors.As(err, &le) || le.Line != line) {
				t.Fatalf("error %v is not a LineError for line %d", err, line)
			}
			it := item{payload: string(p), line: line, lo: fr.lo, hi: fr.hi}
			if le != nil {
				it.err = le.Msg
			}
			items = append(items, it)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		items := run(t, bytes.NewReader(in), len(in))
		var covered int64 // input up to here is accounted for
		if bytes.HasPrefix(in, bom) {
			covered = int64(len(bom))
		}
		for _, it := range items {
			if it.lo < covered || it.hi <= it.lo || it.hi > int64(len(in)) {
				t.Fatalf("span [%d, %d) after %d, input %d bytes", it.lo, it.hi, covered, len(in))
			}
			if gap := bytes.Trim(in[covered:it.lo], " \t\r\n"); len(gap) > 0 {
				t.Fatalf("bytes [%d, %d) %q in neither a payload nor an error", covered, it.lo, in[covered:it.lo])
			}
			if want := 1 + bytes.Count(in[:it.lo], []byte("\n")); it.line != want {
				t.Fatalf("span at byte %d: line %d, want %d", it.lo, it.line, want)
			}
			if it.err == "" && it.payload != string(in[it.lo:it.hi]) {
				t.Fatalf("payload %q, want the input's bytes [%d, %d) %q", it.payload, it.lo, it.hi, in[it.lo:it.hi])
			}
			covered = it.hi
		}
		if rest := bytes.Trim(in[covered:], " \t\r\n"); len(rest) > 0 {
			t.Fatalf("bytes from %d %q in neither a payload nor an error", covered, in[covered:])
		}
		slow := run(t, iotest.OneByteReader(bytes.NewReader(in)), len(in))
		if fmt.Sprint(slow) != fmt.Sprint(items) {
			t.Fatalf("read a byte at a time:\n%v\nat once:\n%v", slow, items)
		}
	})
}

// BenchmarkFramer frames pretty-printed payloads, the common form of saved
// webhook bodies.
func BenchmarkFramer(b *testing.B) {
	pretty := "{\n  \"msg\": {\n    \"checkpoints\": [\n" + strings.Repeat("      {\"message\": \"In transit \\\"x\\\"\", \"checkpoint_time\": \"2026-01-01T00:00:00Z\"},\n", 20) + "      {}\n    ]\n  }\n}\n"
	in := strings.Repeat(pretty, 100)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		fr := NewFramer(strings.NewReader(in))
		for {
			if _, _, err := fr.Next(); err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
		}
	}
}
