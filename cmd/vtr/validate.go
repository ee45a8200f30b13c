package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

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
	out            *bufio.Writer
	json           bool
	claimed        *tracking.Carrier
	res            tracking.Result
	buf            []byte
	total, invalid int
}

func (v *validator) one(input string) {
	v.res.Check(input, v.claimed)
	v.total++
	if !v.res.Valid {
		v.invalid++
	}
	b := v.buf[:0]
	if v.json {
		b = v.res.AppendJSON(b)
	} else {
		b = v.appendText(b)
	}
	b = append(b, '\n')
	v.out.Write(b) // errors surface at Flush
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

// stream validates one number per line of r, in constant memory.
func (v *validator) stream(ctx context.Context, r io.Reader) error {
	br := bufio.NewReaderSize(r, maxLine)
	for n := 1; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Keep the first maxLine bytes (already far past any number)
			// and drop the rest of the line.
			input := string(line)
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			v.one(input)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read line %d: %w", n, err)
			}
			continue
		}
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read line %d: %w", n, err)
		}
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		v.one(string(line))
		if err == io.EOF {
			return nil
		}
	}
}
