package web

import (
	"context"
	"errors"
	"sync"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

// confirmer commits concurrent shipment confirmations together (group
// commit): while one batch is written, the requests arriving queue, and
// the next transaction takes all of them. A request is answered only
// after the transaction holding its record commits, so nothing is
// acknowledged early; one transaction, its verdicts read inside it before
// the commit, serves many requests.
// (Tried and left out, measured with bench/serve: holding a batch back
// for the clients of the last one, which gained nothing; reading a
// batch's verdicts beside the next batch's write, which gained nothing
// on PostgreSQL and cost SQLite a fifth of its confirmations.)
type confirmer struct {
	s       *Server
	mu      sync.Mutex
	queue   []*confirmReq
	running bool
}

// maxConfirmBatch bounds one group commit.
const maxConfirmBatch = 512

type confirmReq struct {
	rec    vtr.Record
	source string
	done   chan confirmRes
}

type confirmRes struct {
	verdicts ingest.OrderVerdicts
	err      error
}

// submit queues a confirmation and waits for its commit. A caller that
// goes away does not stop the commit: the record may be stored.
func (cf *confirmer) submit(ctx context.Context, rec vtr.Record, source string) (ingest.OrderVerdicts, error) {
	req := &confirmReq{rec: rec, source: source, done: make(chan confirmRes, 1)}
	cf.mu.Lock()
	cf.queue = append(cf.queue, req)
	start := !cf.running
	cf.running = true
	cf.mu.Unlock()
	if start {
		go cf.run()
	}
	select {
	case res := <-req.done:
		return res.verdicts, res.err
	case <-ctx.Done():
		return ingest.OrderVerdicts{}, ctx.Err()
	}
}

// run commits batches until the queue is empty, then stops (the next
// submit starts it again), so an idle server holds no goroutine.
func (cf *confirmer) run() {
	for {
		cf.mu.Lock()
		n := min(len(cf.queue), maxConfirmBatch)
		batch := cf.queue[:n:n]
		cf.queue = cf.queue[n:]
		if n == 0 {
			cf.running = false
			cf.queue = nil
			cf.mu.Unlock()
			return
		}
		cf.mu.Unlock()
		cf.commit(batch)
	}
}

// commit writes one batch in one transaction and reads its verdicts in
// the same transaction, before it commits. A record the rules refuse
// fails its own request only.
func (cf *confirmer) commit(batch []*confirmReq) {
	s := cf.s
	refused := make([]error, len(batch))
	recs := make([]vtr.Record, len(batch))
	for i, r := range batch {
		recs[i] = r.rec
		recs[i].Line = i + 1
	}
	refs := func() []ingest.OrderRef {
		out := make([]ingest.OrderRef, 0, len(batch))
		for k, r := range batch {
			if refused[k] == nil {
				out = append(out, ingest.OrderRef{Seller: r.rec.Shipment.SellerID, Order: r.rec.Shipment.OrderID})
			}
		}
		return out
	}
	_, verdicts, err := s.cfg.Store.Confirm(context.Background(), recs, func(err error) {
		var le *vtr.LineError
		if errors.As(err, &le) && le.Line >= 1 && le.Line <= len(batch) {
			refused[le.Line-1] = vtr.FieldErrorf(vtr.EINVALID, le.Field, "%s", le.Msg)
		}
	}, refs, s.now())
	for k, r := range batch {
		switch {
		case err != nil:
			r.done <- confirmRes{err: err}
		case refused[k] != nil:
			s.metrics.rejected.With(r.source).Inc()
			r.done <- confirmRes{err: refused[k]}
		default:
			s.metrics.records.With(r.rec.Type, r.source).Inc()
			sh := r.rec.Shipment
			r.done <- confirmRes{verdicts: verdicts[ingest.OrderRef{Seller: sh.SellerID, Order: sh.OrderID}]}
		}
	}
}
