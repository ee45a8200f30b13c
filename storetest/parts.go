package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

// RunImportParts checks how an import groups its records into
// transactions: records read while a transaction is open join it, up to
// BatchSize records; and when the input stalls, what is held commits
// before the import waits, so no transaction (and no writer lock) stays
// open while nothing arrives. eng is open on an empty database.
func RunImportParts(t *testing.T, eng ingest.Engine) {
	ctx := context.Background()
	recs := Workload(5, 5000) // several of the reader's parts
	if len(recs) < 20000 {
		t.Fatalf("the workload has %d records; the test wants more than two parts", len(recs))
	}
	counted := &txCounter{Engine: eng}
	s := ingest.New(counted, nil)
	st, err := s.Import(ctx, List(recs), func(err error) { t.Errorf("rejected: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != len(recs) {
		t.Errorf("imported %d records of %d", st.Records, len(recs))
	}
	if n := counted.began(); n != 1 {
		t.Errorf("%d records read at once: %d transactions, want one (BatchSize %d)", len(recs), n, s.BatchSize)
	}
	verify(t, s)

	// BatchSize bounds a transaction.
	more := Workload(6, 300)
	counted.reset()
	s.BatchSize = 1000
	if _, err := s.Import(ctx, List(more), func(err error) { t.Errorf("rejected: %v", err) }); err != nil {
		t.Fatal(err)
	}
	if n, want := counted.began(), (len(more)+999)/1000; n != want {
		t.Errorf("%d records, BatchSize 1000: %d transactions, want %d", len(more), n, want)
	}

	// An input that stalls: the records before the stall are committed
	// and no transaction is open while the import waits.
	s.BatchSize = ingest.DefaultBatchSize
	counted.reset()
	stalled, resume := make(chan struct{}), make(chan struct{})
	seller := func(id string) vtr.Record {
		return vtr.Record{Type: "seller", Seller: &vtr.Seller{ID: id, Name: "Stalled " + id, Policies: []string{"amazon-us"}}}
	}
	const stallAt = 2 // ST1 and ST2 are read, then the input stalls before ST3
	in := List([]vtr.Record{seller("ST1"), seller("ST2"), seller("ST3")})
	read := 0
	next := func() (vtr.Record, error) {
		if read == stallAt {
			close(stalled)
			<-resume
		}
		read++
		return in()
	}
	done := make(chan error, 1)
	go func() {
		_, err := s.Import(ctx, next, func(err error) { t.Errorf("rejected: %v", err) })
		done <- err
	}()
	<-stalled
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := s.Seller(ctx, "ST2")
		if err == nil && counted.open() == 0 {
			break
		}
		if time.Now().After(deadline) {
			close(resume)
			t.Fatalf("the input stalled after ST2 and 30 s later: ST2 read back: %v; transactions open: %d", err, counted.open())
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(resume)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := s.Seller(ctx, "ST3"); err != nil {
		t.Errorf("ST3, read after the stall: %v", err)
	}
	if n := counted.began(); n != 2 {
		t.Errorf("an input that stalled once: %d transactions, want 2", n)
	}
}

// txCounter counts the write transactions begun and those still open.
type txCounter struct {
	ingest.Engine
	mu          sync.Mutex
	begun, live int
}

func (c *txCounter) Begin(ctx context.Context) (ingest.Tx, error) {
	tx, err := c.Engine.Begin(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.begun++
	c.live++
	return &countedTx{Tx: tx, c: c}, nil
}

func (c *txCounter) began() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.begun
}

func (c *txCounter) open() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live
}

func (c *txCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.begun = 0
}

type countedTx struct {
	ingest.Tx
	c    *txCounter
	once sync.Once
}

func (t *countedTx) end() {
	t.once.Do(func() {
		t.c.mu.Lock()
		defer t.c.mu.Unlock()
		t.c.live--
	})
}

func (t *countedTx) Commit() error {
	defer t.end()
	return t.Tx.Commit()
}

func (t *countedTx) Rollback() error {
	defer t.end()
	return t.Tx.Rollback()
}
