package flatfile

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/vtr-project/vtr"
)

const header = "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\n"

// readAll reads every row of in: the rows' order IDs and lines, and the
// lines of the *vtr.LineErrors; any other error fails the test.
func readAll(t *testing.T, in io.Reader) (ids []string, lines, errLines []int) {
	t.Helper()
	fr, err := NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	for {
		row, err := fr.Next()
		if err == io.EOF {
			return ids, lines, errLines
		}
		var le *vtr.LineError
		if errors.As(err, &le) {
			errLines = append(errLines, le.Line)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, row.OrderID)
		lines = append(lines, row.Line)
	}
}

func row(id string) string {
	return id + "\t\t1\t2026-10-02\tUPS\t\t1Z96F4R8D313969574\tGround\n"
}

func TestLooksLike(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{header, true},
		{"ORDER-ID\tship-date\n", true},
		{"\ufeff" + header, true},
		{"\ufeffOrder-Id\t", true},
		{"order-id\t", true},
		{"order-id", false},
		{"order-id,ship-date\n", true},
		{"\ufeff\"order-id\",\"order-item-id\"", true},
		{"Order-Id;ship-date", true},
		{"\"order-id\"\tship-date", true},
		{"\"order-id\"", false},
		{"\"order-id,", false},
		{"order-id ship-date", false},
		{"order-ids\t", false},
		{" order-id\t", false},
		{"\ufeff", false},
		{"", false},
		{`{"type":"seller","id":"S1"}`, false},
		{"\ufeff\ufefforder-id\t", false},
	} {
		if got := LooksLike([]byte(tt.in)); got != tt.want {
			t.Errorf("LooksLike(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// A byte-order mark before the header is not part of its first column,
// with LF or CRLF line endings.
func TestBOM(t *testing.T) {
	for _, in := range []string{
		"\ufeff" + header + row("111-1234567-1234567") + row("111-1234567-1234568"),
		strings.ReplaceAll("\ufeff"+header+row("111-1234567-1234567")+row("111-1234567-1234568"), "\n", "\r\n"),
		"\ufeff\n" + header + row("111-1234567-1234567") + row("111-1234567-1234568"),
	} {
		ids, _, errLines := readAll(t, strings.NewReader(in))
		if len(ids) != 2 || ids[0] != "111-1234567-1234567" || ids[1] != "111-1234567-1234568" || errLines != nil {
			t.Errorf("%q: got rows %q, errors on lines %v; want the two orders", in, ids, errLines)
		}
	}
	// Past the first line a BOM is data: the header has no order-id column.
	if _, err := NewReader(strings.NewReader("\n\ufeff" + header)); err == nil || !strings.Contains(err.Error(), `no "order-id" column`) {
		t.Errorf("BOM on line 2: got %v, want a missing order-id column", err)
	}
}

// A line over MaxLine is one rejected line, named, and the lines after it
// are read; so is a long line the buffer holds in several pieces but that
// is within the limit.
func TestLongLine(t *testing.T) {
	long := "111-1234567-1234569\t" + strings.Repeat("x", MaxLine) + "\n"
	fits := "111-1234567-1234570\t\t\t2026-10-02\t\t" + strings.Repeat(" ", MaxLine-200) + "\t1Z\n"
	in := header + row("111-1234567-1234567") + long + "\n" + row("111-1234567-1234568") + fits + long
	ids, lines, errLines := readAll(t, strings.NewReader(in))
	wantIDs := []string{"111-1234567-1234567", "111-1234567-1234568", "111-1234567-1234570"}
	if strings.Join(ids, " ") != strings.Join(wantIDs, " ") || len(lines) != 3 || lines[0] != 2 || lines[1] != 5 || lines[2] != 6 {
		t.Errorf("got rows %q on lines %v, want %q on lines 2 5 6", ids, lines, wantIDs)
	}
	if len(errLines) != 2 || errLines[0] != 3 || errLines[1] != 7 {
		t.Errorf("got errors on lines %v, want 3 and 7", errLines)
	}
	// A long line without a line ending, at the end of the input.
	_, _, errLines = readAll(t, strings.NewReader(header+strings.TrimSuffix(long, "\n")))
	if len(errLines) != 1 || errLines[0] != 2 {
		t.Errorf("long last line: got errors on lines %v, want 2", errLines)
	}
	if _, err := NewReader(strings.NewReader(strings.Repeat("order-id\t", MaxLine/8))); err == nil || !strings.Contains(err.Error(), "line 1: longer than") {
		t.Errorf("long header: got %v", err)
	}
}

// The reader reads line by line: a line longer than the limit costs no
// more memory than the limit (the part past it is never held).
func TestLongLineMemory(t *testing.T) {
	const size = 64 << 20
	r := io.MultiReader(strings.NewReader(header+"111-1234567-1234567\t"), &repeatReader{b: 'x', n: size}, strings.NewReader("\n"+row("111-1234567-1234568")))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ids, _, errLines := readAll(t, r)
	runtime.ReadMemStats(&after)
	if len(ids) != 1 || len(errLines) != 1 || errLines[0] != 2 {
		t.Errorf("got rows %q, errors on lines %v; want one row, an error on line 2", ids, errLines)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 3*MaxLine {
		t.Errorf("allocated %d bytes reading a %d-byte line, want at most %d", got, size, 3*MaxLine)
	}
}

// repeatReader reads n copies of b.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
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

// FuzzReader: the reader never panics, always ends, and numbers rows and
// rejected lines in increasing order.
func FuzzReader(f *testing.F) {
	f.Add([]byte(header + row("111-1234567-1234567")))
	f.Add([]byte("\ufeff" + header + "\r\n\t\t\r\n" + row("1")))
	f.Add([]byte("order-id\tship-date\ttracking-number"))
	f.Fuzz(func(t *testing.T, in []byte) {
		fr, err := NewReader(strings.NewReader(string(in)))
		if err != nil {
			return
		}
		last := 1
		for range len(in) + 1 {
			row, err := fr.Next()
			if err == io.EOF {
				return
			}
			line := row.Line
			var le *vtr.LineError
			if errors.As(err, &le) {
				line = le.Line
			} else if err != nil {
				t.Fatalf("error %v is neither a row nor a line error", err)
			}
			if line <= last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
		}
		t.Fatalf("no io.EOF after %d calls", len(in)+1)
	})
}

// A file a spreadsheet saved as CSV is read as its cells: comma- or
// semicolon-separated, cells in double quotes holding the separator or
// doubled quotes, a byte-order mark and CRLF line endings; the reader says
// which separator it read.
func TestCSV(t *testing.T) {
	tests := []struct {
		name, in string
		sep      byte
		want     [][]string // each row's cells
	}{
		{"tab", header + row("111-1234567-1234567"), '\t',
			[][]string{{"111-1234567-1234567", "", "1", "2026-10-02", "UPS", "", "1Z96F4R8D313969574", "Ground"}}},
		{"comma", "order-id,ship-date,carrier-code,carrier-name,tracking-number\n" +
			"111-1234567-1234567,2026-10-02,Other,\"Bob, Local \"\"Courier\"\"\",BLC0012345\n" +
			"111-1234567-1234568,2026-10-02,UPS,,1Z96F4R8D313969574", ',',
			[][]string{{"111-1234567-1234567", "2026-10-02", "Other", `Bob, Local "Courier"`, "BLC0012345"},
				{"111-1234567-1234568", "2026-10-02", "UPS", "", "1Z96F4R8D313969574"}}},
		{"semicolon, BOM, CRLF, quoted header", "\ufeff\"order-id\";\"ship-date\";\"tracking-number\"\r\n" +
			"\"111-1234567-1234567\";2026-10-02;\"1Z96 F4R8; D313969574\"\r\n", ';',
			[][]string{{"111-1234567-1234567", "2026-10-02", "1Z96 F4R8; D313969574"}}},
		{"quoted empty cells and spaces before a quote", "order-id,ship-date,tracking-number\n\"\", \"2026-10-02\",\"\"\n", ',',
			[][]string{{"", "2026-10-02", ""}}},
		{"a tab header with commas in a name is tab-separated", "order-id\tship-date\ttracking-number\tnote, free\n1\t2\t3\ta,b\n", '\t',
			[][]string{{"1", "2", "3", "a,b"}}},
	}
	for _, tt := range tests {
		fr, err := NewReader(strings.NewReader(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if fr.Separator() != tt.sep {
			t.Errorf("%s: separator %q, want %q", tt.name, fr.Separator(), tt.sep)
		}
		var got [][]string
		for {
			r, err := fr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			got = append(got, r.Cells)
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("%s: cells\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

// A quote not closed on its line is one rejected line, named; the lines
// after it are read. A header without the required columns, read as CSV,
// says how it was read.
func TestCSVErrors(t *testing.T) {
	in := "order-id,ship-date,tracking-number\n" +
		"111-1234567-1234567,2026-10-02,\"1Z96F4R8D313969574\n" +
		"111-1234567-1234568,2026-10-02,1Z96F4R8D313969574\n"
	ids, lines, errLines := readAll(t, strings.NewReader(in))
	if len(ids) != 1 || ids[0] != "111-1234567-1234568" || lines[0] != 3 || len(errLines) != 1 || errLines[0] != 2 {
		t.Errorf("got rows %q on lines %v, errors on lines %v; want 111-1234567-1234568 on line 3, an error on line 2", ids, lines, errLines)
	}
	_, err := NewReader(strings.NewReader("Order ID,Ship Date,Tracking\n"))
	if err == nil || !strings.Contains(err.Error(), `header read as comma-separated has no "order-id" column`) {
		t.Errorf("CSV header without the columns: %v", err)
	}
	_, err = NewReader(strings.NewReader("\"order-id,ship-date,tracking-number\n"))
	if err == nil || !strings.Contains(err.Error(), "not closed") {
		t.Errorf("header with an open quote: %v", err)
	}
}

// Writer writes tab-separated lines, the header first; Row.Set changes a
// cell by its column's name; a cell holding a tab is refused and the
// writer goes on.
func TestWriter(t *testing.T) {
	fr, err := NewReader(strings.NewReader("order-id,ship-date,carrier-code,tracking-number\n" +
		"111-1234567-1234567,2026-10-02,USPS,1Z96F4R8D313969574\n" +
		"111-1234567-1234568,2026-10-02,UPS,\"1Z96\t\"\n" +
		"111-1234567-1234569,2026-10-02\n"))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	w, err := NewWriter(&out, fr.Header())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		r, err := fr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch i {
		case 0:
			var ok bool
			if r, ok = r.Set("carrier-code", "UPS"); !ok || r.CarrierCode != "UPS" {
				t.Errorf("Set carrier-code: %v %q", ok, r.CarrierCode)
			}
			if _, ok := r.Set("carrier-name", "x"); ok {
				t.Errorf("Set carrier-name: ok in a file without the column")
			}
		case 2:
			// A short row gets the cells up to the column set.
			r, _ = r.Set("tracking-number", "1Z999AA10123456784")
		}
		if err := w.Write(r); (err != nil) != (i == 1) || (err != nil && !errors.Is(err, ErrTabInCell)) {
			t.Errorf("row %d: Write = %v", i, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "order-id\tship-date\tcarrier-code\ttracking-number\n" +
		"111-1234567-1234567\t2026-10-02\tUPS\t1Z96F4R8D313969574\n" +
		"111-1234567-1234569\t2026-10-02\t\t1Z999AA10123456784\n"
	if out.String() != want {
		t.Errorf("wrote\n%q\nwant\n%q", out.String(), want)
	}
}

// FuzzCSVRoundTrip: whatever a comma-separated file holds, the rows the
// reader takes from it, written by Writer, read back as the same cells.
func FuzzCSVRoundTrip(f *testing.F) {
	f.Add("111-1234567-1234567,2026-10-02,\"a,\"\"b\"\"\",1Z96F4R8D313969574\n,,,\n\"x\"y,z")
	f.Add("\"\",\" \",\"\"\"\"\n")
	f.Fuzz(func(t *testing.T, body string) {
		fr, err := NewReader(strings.NewReader("order-id,ship-date,carrier-name,tracking-number\n" + body))
		if err != nil {
			t.Fatal(err)
		}
		var rows [][]string
		var out strings.Builder
		w, _ := NewWriter(&out, fr.Header())
		for range len(body) + 1 {
			r, err := fr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				continue
			}
			if w.Write(r) == nil {
				rows = append(rows, r.Cells)
			}
		}
		w.Flush()
		back, err := NewReader(strings.NewReader(out.String()))
		if err != nil {
			t.Fatalf("reading back %q: %v", out.String(), err)
		}
		if back.Separator() != '\t' {
			t.Fatalf("written file read as %q-separated", back.Separator())
		}
		var got [][]string
		for {
			r, err := back.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("reading back %q: %v", out.String(), err)
			}
			got = append(got, r.Cells)
		}
		// Blank lines are skipped: a row of empty cells, or of spaces, is
		// not read back.
		var want [][]string
		for _, r := range rows {
			if strings.TrimSpace(strings.Join(r, "\t")) != "" {
				want = append(want, r)
			}
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Fatalf("read back\n%q\nwant\n%q", got, want)
		}
	})
}
