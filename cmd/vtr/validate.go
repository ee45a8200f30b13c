package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/vtr-project/vtr/tracking"
)

const validateHelp = `Usage: vtr validate [--carrier CODE] [--json] [NUMBER ...]

Validates tracking numbers: format and check digit per carrier and service,
the carriers that could own each number, and, with --carrier, whether the
number belongs to that carrier. Numbers come from the arguments or, when
there are none, from standard input, one per line (streamed).

  --carrier CODE  the carrier the numbers are entered with (any spelling
                  'vtr carriers' lists, e.g. UPS, "fedex smartpost", 顺丰)
  --json          one JSON object per input line

Exit status: 0 every number valid, 1 any invalid, 2 usage error.
`

// maxLine bounds the memory one input line may take; a longer line is
// reported as malformed (no tracking number is that long) and skipped.
const maxLine = 64 << 10

func (m *Main) validate(ctx context.Context, args []string) error {
	fs := newFlags("validate")
	carrier := fs.String("carrier", "", "")
	asJSON := fs.Bool("json", false, "")
	if ok, err := parse(fs, args, validateHelp, m.Stdout); !ok {
		return err
	}
	var claimed *tracking.Carrier
	if *carrier != "" {
		match, ok := tracking.Lookup(*carrier)
		if !ok {
			return usagef("unknown carrier %q ('vtr carriers' lists the known ones)", *carrier)
		}
		claimed = match.Carrier
		if match.Chinese {
			fmt.Fprintf(m.Stderr, "vtr: note: %q is read as %s, but Amazon rejects carrier names typed in Chinese; upload the code %q\n",
				*carrier, claimed.Code, claimed.Code)
		}
		if claimed.Other {
			fmt.Fprintln(m.Stderr, "vtr: note: under Other a number is checked for its form only; whether a marketplace accepts it (an integrated carrier typed as Other is a defect) depends on the policy and origin: vtr check --policy P --origin CC answers that")
		}
	}

	out := bufio.NewWriterSize(m.Stdout, 64<<10)
	v := validator{out: out, json: *asJSON, claimed: claimed}
	if fs.NArg() > 0 {
		for _, n := range fs.Args() {
			v.one(n)
		}
	} else if err := v.stream(ctx, m.Stdin); err != nil {
		out.Flush()
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if !v.json {
		fmt.Fprintf(m.Stderr, "%d checked: %d valid, %d invalid\n", v.total, v.total-v.invalid, v.invalid)
	}
	if v.invalid > 0 {
		return errFound
	}
	return nil
}

type validator struct {
	out            *bufio.Writer // nil in stream workers, which write to buf
	json           bool
	claimed        *tracking.Carrier
	res            tracking.Result
	buf            []byte
	total, invalid int
}

// one validates input and appends its output line to v.buf; with an out
// writer the line is written at once and the buffer reused.
func (v *validator) one(input string) {
	v.res.Check(input, v.claimed)
	v.total++
	if !v.res.Valid {
		v.invalid++
	}
	b := v.buf
	if v.json {
		b = v.res.AppendJSON(b)
	} else {
		b = v.appendText(b)
	}
	b = append(b, '\n')
	if v.out != nil {
		v.out.Write(b) // errors surface at Flush
		b = b[:0]
	}
	v.buf = b
}

// appendText is the human form: status, the number as given, the reason
// code when invalid, and the message.
func (v *validator) appendText(b []byte) []byte {
	r := &v.res
	if r.Valid {
		b = append(b, "valid    "...)
	} else {
		b = append(b, "INVALID  "...)
	}
	b = append(b, printable(r.Input)...)
	b = append(b, "  "...)
	if !r.Valid {
		b = append(b, r.Reason...)
		b = append(b, ": "...)
	}
	return r.AppendMessage(b)
}

// printable quotes an input that would garble a terminal line.
func printable(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return fmt.Sprintf("%q", s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// batchLines is how many input lines travel together through the pipeline.
const batchLines = 2048

// batch is a run of input lines and, once a worker is done, their output.
type batch struct {
	text           string // the lines' bytes, one allocation per batch
	ends           []int  // end offset of each line in text
	out            []byte
	total, invalid int
	done           chan struct{} // receives once the output is ready
}

// stream validates one number per line of r in constant memory, on every
// core: a reader cuts the input into batches, workers validate them, and
// the output is written in input order.
func (v *validator) stream(ctx context.Context, r io.Reader) error {
	workers := max(runtime.GOMAXPROCS(0), 1)
	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)
	// Batches are recycled, so their buffers stop growing after the first
	// few and the stream runs without garbage.
	free := make(chan *batch, 3*workers+1)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := validator{json: v.json, claimed: v.claimed}
			for b := range work {
				w.total, w.invalid, w.buf = 0, 0, b.out[:0]
				start := 0
				for _, end := range b.ends {
					w.one(b.text[start:end])
					start = end
				}
				b.out, b.total, b.invalid = w.buf, w.total, w.invalid
				b.done <- struct{}{}
			}
		}()
	}
	readErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(work)
		readErr <- readBatches(ctx, r, free, func(b *batch) {
			order <- b
			work <- b
		})
	}()
	var werr error
	for b := range order {
		<-b.done
		v.total += b.total
		v.invalid += b.invalid
		if werr == nil {
			_, werr = v.out.Write(b.out)
		}
		select {
		case free <- b:
		default:
		}
	}
	wg.Wait()
	if err := <-readErr; err != nil {
		return err
	}
	return werr
}

// readBatches reads lines from r and hands them to send in batches. A line
// longer than maxLine keeps its first maxLine bytes (already far past any
// tracking number, so it is reported as malformed) and the rest is skipped.
func readBatches(ctx context.Context, r io.Reader, free chan *batch, send func(*batch)) error {
	br := bufio.NewReaderSize(r, maxLine)
	var buf []byte
	ends := make([]int, 0, batchLines)
	flush := func() {
		if len(ends) == 0 {
			return
		}
		var b *batch
		select {
		case b = <-free:
		default:
			// Sized for a full batch of JSON lines (about 400 bytes each), so
			// the output buffer is allocated once, never regrown.
			b = &batch{done: make(chan struct{}, 1), ends: make([]int, 0, batchLines), out: make([]byte, 0, batchLines*512)}
		}
		b.text = string(buf)
		b.ends = append(b.ends[:0], ends...)
		send(b)
		buf, ends = buf[:0], ends[:0]
	}
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if n == 1 {
			// A byte-order mark (from a spreadsheet export, or a Windows
			// editor) is not part of the first number.
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if err == bufio.ErrBufferFull {
			buf = append(buf, line...)
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			ends = append(ends, len(buf))
		} else if len(line) > 0 || err == nil {
			line = bytes.TrimSuffix(line, []byte("\n"))
			line = bytes.TrimSuffix(line, []byte("\r"))
			buf = append(buf, line...)
			ends = append(ends, len(buf))
		}
		if err == io.EOF {
			flush()
			return nil
		}
		if err != nil {
			flush()
			return fmt.Errorf("read line %d: %w", n, err)
		}
		if len(ends) == batchLines || len(buf) >= 1<<20 {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			flush()
		}
	}
}
