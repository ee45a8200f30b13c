package web_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/simulate"
)

// BenchmarkBulkRecords is POST /v1/records against an import of the same
// records straight into the store, in one process over loopback: what the
// server adds to an import (the body, the handler, the answer). Each
// iteration loads a simulated workload (20 sellers, 10 days) into two
// fresh SQLite databases, one each way, and the ratio of their rates is
// reported (bench/serve measures the same between processes, where the
// load generator shares the cores).
func BenchmarkBulkRecords(b *testing.B) {
	var buf bytes.Buffer
	cfg := simulate.Config{Seed: 1, Sellers: 20, Days: 10, Start: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), OrdersPerDay: 40, ChinaShare: -1}
	if _, err := simulate.Run(context.Background(), cfg, simulate.Output{Out: &buf}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	var chunks [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var cur []byte
	lines := 0
	for sc.Scan() {
		cur = append(append(cur, sc.Bytes()...), '\n')
		if lines++; lines%20000 == 0 {
			chunks, cur = append(chunks, cur), nil
		}
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	var direct, api time.Duration
	for i := 0; b.Loop(); i++ {
		dir := b.TempDir()
		e1 := start(b, "sqlite", filepath.Join(dir, fmt.Sprintf("import-%d.db", i)), true)
		t0 := time.Now()
		dec := native.NewDecoder(bytes.NewReader(data), time.Now)
		if _, err := e1.store.Import(context.Background(), dec.Next, func(err error) { b.Errorf("import: %v", err) }); err != nil {
			b.Fatal(err)
		}
		direct += time.Since(t0)

		e2 := start(b, "sqlite", filepath.Join(dir, fmt.Sprintf("api-%d.db", i)), true)
		ch := make(chan []byte, len(chunks))
		for _, c := range chunks {
			ch <- c
		}
		close(ch)
		t0 = time.Now()
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				for body := range ch {
					req, _ := http.NewRequest("POST", e2.url+"/v1/records", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+e2.op)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					if resp.StatusCode != 200 {
						b.Errorf("POST /v1/records: %s", resp.Status)
					}
					resp.Body.Close()
				}
			})
		}
		wg.Wait()
		api += time.Since(t0)
	}
	b.ReportMetric(float64(lines*b.N)/direct.Seconds(), "import-lines/s")
	b.ReportMetric(float64(lines*b.N)/api.Seconds(), "api-lines/s")
	b.ReportMetric(100*direct.Seconds()/api.Seconds(), "api/import-%")
}
