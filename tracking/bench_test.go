package tracking

import (
	"math/rand/v2"
	"testing"
)

// benchInputs is a mix across carriers, as a stream of uploads would be:
// every format's generated numbers plus malformed ones.
func benchInputs() []string {
	r := rand.New(rand.NewPCG(1, 1))
	var out []string
	for _, f := range formats {
		for range 8 {
			out = append(out, f.Generate(r))
		}
	}
	return append(out, "1z96-f4r8 d313 969574", "N/A", "", "1Z96F4R8D313969575")
}

func BenchmarkDetect(b *testing.B) {
	in := benchInputs()
	var r Result
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Detect(in[i%len(in)])
	}
}

func BenchmarkCheckClaimed(b *testing.B) {
	in := benchInputs()
	usps := ByCode("USPS")
	var r Result
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Check(in[i%len(in)], usps)
	}
}

func BenchmarkCheckAndJSON(b *testing.B) {
	in := benchInputs()
	var r Result
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Detect(in[i%len(in)])
		buf = r.AppendJSON(buf[:0])
	}
}

func BenchmarkLookup(b *testing.B) {
	names := []string{"UPS", "fedex smartpost", "顺丰速运", "DHL Global Mail", "nope"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Lookup(names[i%len(names)])
	}
}
