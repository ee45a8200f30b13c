package main

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/vtr-project/vtr/tracking"
)

// BenchmarkValidateStream measures `vtr validate --json` over a stream of
// generated numbers across all formats, reading and writing in memory.
func BenchmarkValidateStream(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var in []byte
	const lines = 10000
	for i := range lines {
		f := tracking.Formats()[i%len(tracking.Formats())]
		in = f.AppendGenerate(r, in)
		in = append(in, '\n')
	}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		m := &Main{Stdin: bytes.NewReader(in), Stdout: io.Discard, Stderr: io.Discard}
		if code := m.Run(context.Background(), []string{"validate", "--json"}); code > 1 {
			b.Fatalf("exit %d", code)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/number")
}
