package main

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// progress draws a one-line progress bar on a terminal (and nothing
// otherwise): bytes read against the file size, records and records/s.
type progress struct {
	w       io.Writer
	tty     bool
	size    int64
	read    atomic.Int64
	records int64
	start   time.Time
	last    time.Time
}

func newProgress(w io.Writer, size int64) *progress {
	p := &progress{w: w, size: size, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

type countingReader struct {
	r io.Reader
	p *progress
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.read.Add(int64(n))
	return n, err
}

func (p *progress) reader(r io.Reader) io.Reader { return countingReader{r, p} }

func (p *progress) tick() {
	p.records++
	if !p.tty || p.records%1024 != 0 {
		return
	}
	if now := time.Now(); now.Sub(p.last) > 200*time.Millisecond {
		p.last = now
		p.draw(now)
	}
}

func (p *progress) draw(now time.Time) {
	rate := float64(p.records) / now.Sub(p.start).Seconds()
	if p.size > 0 {
		frac := float64(p.read.Load()) / float64(p.size)
		const width = 30
		n := int(frac * width)
		if n > width {
			n = width
		}
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = ' '
			if i < n {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(p.w, "\r[%s] %3.0f%%  %d records  %.0f/s ", bar, frac*100, p.records, rate)
		return
	}
	fmt.Fprintf(p.w, "\r%d records  %.0f/s ", p.records, rate)
}

// clear erases the bar before another message is printed.
func (p *progress) clear() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

func (p *progress) done() {
	if p.tty {
		p.draw(time.Now())
		fmt.Fprintln(p.w)
	}
}
