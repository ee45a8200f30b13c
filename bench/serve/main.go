// Command serve is bench/serve's load generator: it drives a running
// `vtr serve` over loopback with a `vtr simulate` workload and prints
// throughput and latency (bench/serve/run starts the servers, creates the
// keys, runs it once per scenario and engine, and prints the figures side
// by side). It uses the standard library only, so it measures the API as
// any client sees it.
//
// Modes (-mode):
//
//	sellers    print the workload's seller IDs, one a line (for the keys)
//	shipments  scenario A: load the sellers and orders through
//	           POST /v1/records (operator key), then send the workload's
//	           shipments one per request to POST /v1/sellers/{id}/shipments
//	           with each seller's key, from -clients concurrent clients,
//	           until -n requests or -duration, whichever comes first:
//	           requests/s and p50/p99/max latency
//	records    scenario B: POST the whole workload to /v1/records in
//	           chunks of -chunk lines from -clients concurrent clients:
//	           events/s over the whole run (the chunks are cut before the
//	           clock starts, so reading the file takes no core from the
//	           server)
//	import     the baseline of scenario B: `vtr import` of the same file
//	           into a fresh database, timed: events/s
//
// Any answer other than 200, and any rejected line, is an error; the first
// few bodies are printed. With -results FILE, "key<TAB>value" lines are
// appended to FILE. Only loopback addresses are accepted.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxErrorBodies is how many error answers are printed in full.
const maxErrorBodies = 3

type config struct {
	mode, base, in, results, prefix string
	operatorKey, sellerKeys         string
	clients, n, chunk               int
	duration, timeout               time.Duration
	vtrBin, db                      string
	serverPID                       int
}

func main() {
	var c config
	flag.StringVar(&c.mode, "mode", "", "sellers, shipments, records or import")
	flag.StringVar(&c.base, "url", "", "the server, http://127.0.0.1:PORT")
	flag.StringVar(&c.in, "in", "", "native NDJSON workload (vtr simulate)")
	flag.StringVar(&c.operatorKey, "operator-key", "", "operator key (or VTR_BENCH_OPERATOR_KEY)")
	flag.StringVar(&c.sellerKeys, "seller-keys", "", "file of \"SELLER<TAB>KEY\" lines")
	flag.IntVar(&c.clients, "clients", 16, "concurrent clients")
	flag.IntVar(&c.n, "n", 5000, "shipments: at most this many requests")
	flag.DurationVar(&c.duration, "duration", 60*time.Second, "at most this long (shipments: the confirmations; records: the whole upload)")
	flag.IntVar(&c.chunk, "chunk", 60000, "lines per /v1/records request")
	flag.DurationVar(&c.timeout, "timeout", 5*time.Minute, "per-request timeout")
	flag.StringVar(&c.vtrBin, "vtr", "vtr", "import: the vtr binary")
	flag.StringVar(&c.db, "db", "", "import: the fresh database")
	flag.StringVar(&c.results, "results", "", "append key<TAB>value results to this file")
	flag.StringVar(&c.prefix, "prefix", "", "prefix of the result keys")
	flag.IntVar(&c.serverPID, "server-pid", 0, "the server's process ID: report its CPU time (Linux)")
	cpuprofile := flag.String("cpuprofile", "", "write the generator's CPU profile here")
	flag.Parse()
	if c.operatorKey == "" {
		c.operatorKey = os.Getenv("VTR_BENCH_OPERATOR_KEY")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	res := &results{}
	var err error
	switch c.mode {
	case "sellers":
		err = listSellers(c.in)
	case "shipments":
		err = shipments(ctx, c, res)
	case "records":
		err = records(ctx, c, res)
	case "import":
		err = importBaseline(ctx, c, res)
	default:
		err = fmt.Errorf("-mode %q: want sellers, shipments, records or import", c.mode)
	}
	if werr := res.write(c.results, c.prefix); err == nil {
		err = werr
	}
	if err != nil {
		pprof.StopCPUProfile()
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench/serve:", err)
	os.Exit(1)
}

// results are "key<TAB>value" lines, in the order set.
type results struct{ kv [][2]string }

func (r *results) set(k, format string, args ...any) {
	r.kv = append(r.kv, [2]string{k, fmt.Sprintf(format, args...)})
}

func (r *results) write(name, prefix string) error {
	if name == "" || len(r.kv) == 0 {
		return nil
	}
	f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	for _, kv := range r.kv {
		fmt.Fprintf(f, "%s%s\t%s\n", prefix, kv[0], kv[1])
	}
	return f.Close()
}

// line is one workload record: its type and its bytes.
type line struct {
	typ  string
	raw  []byte
	head struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		SellerID string `json:"seller_id"`
		OrderID  string `json:"order_id"`
	}
}

// scan reads the workload line by line; each line's bytes are its own.
// It stops at the first error f returns.
func scan(name string, f func(l *line) error) error {
	in, err := os.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		n++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		l := &line{raw: slices.Clone(b)}
		if err := json.Unmarshal(b, &l.head); err != nil {
			return fmt.Errorf("%s line %d: %v", name, n, err)
		}
		l.typ = l.head.Type
		if err := f(l); err != nil {
			return err
		}
	}
	return sc.Err()
}

func listSellers(in string) error {
	seen := map[string]bool{}
	w := bufio.NewWriter(os.Stdout)
	err := scan(in, func(l *line) error {
		if l.typ == "seller" && !seen[l.head.ID] {
			seen[l.head.ID] = true
			fmt.Fprintln(w, l.head.ID)
		}
		return nil
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// client is an HTTP client for one loopback server.
type client struct {
	base string
	hc   *http.Client
}

func newClient(base string, conns int, timeout time.Duration) (*client, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return nil, fmt.Errorf("-url %q: want http://127.0.0.1:PORT", base)
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); (ip == nil || !ip.IsLoopback()) && host != "localhost" {
		return nil, fmt.Errorf("-url %q: only loopback servers are measured", base)
	}
	tr := &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &client{base: strings.TrimRight(base, "/"), hc: &http.Client{Transport: tr, Timeout: timeout}}, nil
}

// post sends one request and reads the whole answer.
func (c *client) post(ctx context.Context, path, key, ctype string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", ctype)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// recordsAnswer is the part of POST /v1/records's answer checked here.
type recordsAnswer struct {
	Accepted int `json:"accepted"`
	Rejected []struct {
		Line    int    `json:"line"`
		Field   string `json:"field"`
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"rejected"`
	Stats struct {
		Events int `json:"events"`
	} `json:"stats"`
}

// postRecords posts one chunk of NDJSON; a rejected line is an error.
func (c *client) postRecords(ctx context.Context, key string, body []byte) (*recordsAnswer, error) {
	st, b, err := c.post(ctx, "/v1/records", key, "application/x-ndjson", body)
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK {
		return nil, fmt.Errorf("POST /v1/records: %d %s", st, bytes.TrimSpace(b))
	}
	var a recordsAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("POST /v1/records: answer: %v", err)
	}
	if len(a.Rejected) > 0 {
		r := a.Rejected[0]
		return &a, fmt.Errorf("POST /v1/records: %d lines rejected, the first: line %d %s %s: %s", len(a.Rejected), r.Line, r.Field, r.Code, r.Message)
	}
	return &a, nil
}

// latencies summarises request times.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(p*float64(len(l))+0.5) - 1
	return l[max(0, min(i, len(l)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

// errorLog counts errors and keeps the first few bodies.
type errorLog struct {
	mu     sync.Mutex
	n      int
	bodies []string
}

func (e *errorLog) add(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.n++
	if len(e.bodies) < maxErrorBodies {
		s := fmt.Sprintf(format, args...)
		if len(s) > 600 {
			s = s[:600] + "…"
		}
		e.bodies = append(e.bodies, s)
	}
}

func (e *errorLog) print() {
	for _, b := range e.bodies {
		fmt.Printf("  error: %s\n", b)
	}
}

// shipment is one confirmation to send: its seller and its JSON.
type shipment struct {
	seller string
	body   []byte
}

// shipments is scenario A.
func shipments(ctx context.Context, c config, res *results) error {
	keys, err := readSellerKeys(c.sellerKeys)
	if err != nil {
		return err
	}
	if c.operatorKey == "" {
		return errors.New("-operator-key (or VTR_BENCH_OPERATOR_KEY) is needed")
	}
	cl, err := newClient(c.base, c.clients, c.timeout)
	if err != nil {
		return err
	}
	// The sellers and orders, then the first n shipments whose order and
	// seller key are known (a workload's shipments name no seller: the
	// order does).
	var setup bytes.Buffer
	setupLines := 0
	orderSeller := map[string]string{}
	var jobs []shipment
	err = scan(c.in, func(l *line) error {
		switch l.typ {
		case "seller", "order":
			setup.Write(l.raw)
			setup.WriteByte('\n')
			setupLines++
			if l.typ == "order" {
				orderSeller[l.head.ID] = l.head.SellerID
			}
		case "shipment":
			sel := l.head.SellerID
			if sel == "" {
				sel = orderSeller[l.head.OrderID]
			}
			if _, ok := keys[sel]; ok && len(jobs) < c.n {
				jobs = append(jobs, shipment{seller: sel, body: l.raw})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(jobs) == 0 {
		return errors.New("the workload has no shipment of a seller with a key")
	}

	began := time.Now()
	if err := postChunks(ctx, cl, c.operatorKey, &setup, c.chunk); err != nil {
		return fmt.Errorf("loading the sellers and orders: %w", err)
	}
	fmt.Printf("loaded %d sellers and orders in %.1fs\n", setupLines, time.Since(began).Seconds())

	// The confirmations: each client takes the next shipment until there
	// are none left or the time is up.
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	next := make(chan shipment, len(jobs))
	for _, j := range jobs {
		next <- j
	}
	close(next)
	var errs errorLog
	lat := make([]latencies, c.clients)
	// When each request began and ended, for the timeline of the tail.
	spans := make([][]span, c.clients)
	var wg sync.WaitGroup
	cpu0 := cpuTime(c.serverPID)
	began = time.Now()
	for w := range c.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				if ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				st, b, err := cl.post(ctx, "/v1/sellers/"+url.PathEscape(j.seller)+"/shipments", keys[j.seller], "application/json", j.body)
				d := time.Since(t0)
				switch {
				case err != nil && ctx.Err() != nil:
					return // the time is up: not a request of the run
				case err != nil:
					errs.add("%v", err)
				case st != http.StatusOK:
					errs.add("%d %s", st, bytes.TrimSpace(b))
				}
				lat[w] = append(lat[w], d)
				spans[w] = append(spans[w], span{t0.Sub(began), d})
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	printTimeline(slices.Concat(spans...), elapsed)
	cpu := cpuTime(c.serverPID) - cpu0
	all := slices.Concat(lat...)
	slices.Sort(all)
	rps := float64(len(all)) / elapsed.Seconds()
	fmt.Printf("shipments: %d requests from %d clients in %.1fs: %.0f requests/s; latency p50 %s ms, p99 %s ms, max %s ms; %d errors\n",
		len(all), c.clients, elapsed.Seconds(), rps, ms(all.pct(0.5)), ms(all.pct(0.99)), ms(all.pct(1)), errs.n)
	errs.print()
	if c.serverPID > 0 {
		fmt.Printf("  server CPU %.1fs: %.2f ms a request, %.0f%% of one core\n", cpu.Seconds(), float64(cpu.Microseconds())/1000/float64(len(all)), 100*cpu.Seconds()/elapsed.Seconds())
		res.set("server_cpu_ms", "%.2f", float64(cpu.Microseconds())/1000/float64(len(all)))
		res.set("server_cores", "%.2f", cpu.Seconds()/elapsed.Seconds())
	}
	res.set("requests", "%d", len(all))
	res.set("clients", "%d", c.clients)
	res.set("seconds", "%.1f", elapsed.Seconds())
	res.set("rps", "%.0f", rps)
	res.set("p50_ms", "%s", ms(all.pct(0.5)))
	res.set("p99_ms", "%s", ms(all.pct(0.99)))
	res.set("max_ms", "%s", ms(all.pct(1)))
	res.set("errors", "%d", errs.n)
	return nil
}

// span is when a request began, from the start of the run, and how long
// it took.
type span struct{ at, took time.Duration }

// printTimeline prints, for each tenth of the run, how many requests
// began in it and the slowest of them: where the tail sits (a stall at
// the start, or spread over the run).
func printTimeline(all []span, elapsed time.Duration) {
	const parts = 10
	var n [parts]int
	var worst [parts]time.Duration
	for _, s := range all {
		i := min(int(int64(s.at)*parts/int64(elapsed+1)), parts-1)
		n[i]++
		worst[i] = max(worst[i], s.took)
	}
	fmt.Printf("  by tenth of the run (requests begun, slowest ms):")
	for i := range parts {
		fmt.Printf(" %d/%s", n[i], ms(worst[i]))
	}
	fmt.Println()
}

// postChunks posts a buffer of NDJSON lines in chunks, one after another.
func postChunks(ctx context.Context, cl *client, key string, buf *bytes.Buffer, chunk int) error {
	for buf.Len() > 0 {
		var body []byte
		for i := 0; i < chunk && buf.Len() > 0; i++ {
			l, _ := buf.ReadBytes('\n')
			body = append(body, l...)
		}
		if _, err := cl.postRecords(ctx, key, body); err != nil {
			return err
		}
	}
	return nil
}

func readSellerKeys(name string) (map[string]string, error) {
	if name == "" {
		return nil, errors.New("-seller-keys is needed")
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	keys := map[string]string{}
	for n, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		id, key, ok := strings.Cut(l, "\t")
		if !ok || id == "" || strings.TrimSpace(key) == "" {
			return nil, fmt.Errorf("%s line %d: want SELLER<TAB>KEY", name, n+1)
		}
		keys[id] = strings.TrimSpace(key)
	}
	return keys, nil
}

// records is scenario B: the whole workload through /v1/records.
func records(ctx context.Context, c config, res *results) error {
	if c.operatorKey == "" {
		return errors.New("-operator-key (or VTR_BENCH_OPERATOR_KEY) is needed")
	}
	cl, err := newClient(c.base, c.clients, c.timeout)
	if err != nil {
		return err
	}
	// The whole upload is cut into chunks before the clock starts: the
	// generator's own reading of the file (a JSON parse a line) must not
	// compete with the server for the machine's cores while it is
	// measured. Memory holds the file once.
	type chunk struct {
		body   []byte
		events int
	}
	var all []chunk
	var cur chunk
	var fileEvents, lines, n int
	if err := scan(c.in, func(l *line) error {
		cur.body = append(append(cur.body, l.raw...), '\n')
		lines++
		n++
		if l.typ == "event" {
			cur.events++
			fileEvents++
		}
		if n == c.chunk {
			all, cur, n = append(all, cur), chunk{}, 0
		}
		return nil
	}); err != nil {
		return err
	}
	if n > 0 {
		all = append(all, cur)
	}
	chunks := make(chan chunk, len(all))
	for _, ch := range all {
		chunks <- ch
	}
	close(chunks)
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	var (
		errs         errorLog
		mu           sync.Mutex
		lat          latencies
		storedEvents int
		accepted     int
		wg           sync.WaitGroup
	)
	cpu0 := cpuTime(c.serverPID)
	began := time.Now()
	for range c.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range chunks {
				t0 := time.Now()
				a, err := cl.postRecords(ctx, c.operatorKey, ch.body)
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if a != nil {
					storedEvents += a.Stats.Events
					accepted += a.Accepted
				}
				mu.Unlock()
				if err != nil {
					errs.add("%v", err)
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	cpu := cpuTime(c.serverPID) - cpu0
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("the upload did not finish within -duration %s: %w", c.duration, err)
	}
	slices.Sort(lat)
	eps := float64(fileEvents) / elapsed.Seconds()
	fmt.Printf("records: %d lines (%d events) in %d requests of %d lines from %d clients in %.1fs: %.0f events/s; %d accepted, %d events stored; request p50 %s ms, max %s ms; %d errors\n",
		lines, fileEvents, len(lat), c.chunk, c.clients, elapsed.Seconds(), eps, accepted, storedEvents, ms(lat.pct(0.5)), ms(lat.pct(1)), errs.n)
	errs.print()
	if c.serverPID > 0 {
		fmt.Printf("  server CPU %.1fs: %.0f%% of one core\n", cpu.Seconds(), 100*cpu.Seconds()/elapsed.Seconds())
		res.set("server_cores", "%.2f", cpu.Seconds()/elapsed.Seconds())
	}
	res.set("lines", "%d", lines)
	res.set("events", "%d", fileEvents)
	res.set("seconds", "%.1f", elapsed.Seconds())
	res.set("eps", "%.0f", eps)
	res.set("request_p50_ms", "%s", ms(lat.pct(0.5)))
	res.set("request_max_ms", "%s", ms(lat.pct(1)))
	res.set("errors", "%d", errs.n)
	if errs.n > 0 {
		return fmt.Errorf("records: %d requests failed: the figures do not count", errs.n)
	}
	if accepted != lines {
		return fmt.Errorf("records: %d lines sent, %d accepted", lines, accepted)
	}
	return nil
}

// importBaseline times `vtr import FILE` into a fresh database: what a
// user with shell access would run instead of the API.
func importBaseline(ctx context.Context, c config, res *results) error {
	if c.db == "" {
		return errors.New("-db is needed")
	}
	events := 0
	if err := scan(c.in, func(l *line) error {
		if l.typ == "event" {
			events++
		}
		return nil
	}); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.vtrBin, "import", "--db", c.db, c.in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	began := time.Now()
	err := cmd.Run()
	elapsed := time.Since(began)
	if err != nil {
		return fmt.Errorf("vtr import: %v\n%s", err, stderr.Bytes())
	}
	last := strings.TrimSpace(stderr.String())
	if i := strings.LastIndexAny(last, "\r\n"); i >= 0 {
		last = last[i+1:]
	}
	eps := float64(events) / elapsed.Seconds()
	fmt.Printf("vtr import: %d events in %.1fs: %.0f events/s (%s)\n", events, elapsed.Seconds(), eps, last)
	res.set("events", "%d", events)
	res.set("seconds", "%.1f", elapsed.Seconds())
	res.set("eps", "%.0f", eps)
	return nil
}

// cpuTime is a process's user and system CPU time from /proc (Linux;
// zero elsewhere or for pid 0). The kernel counts in clock ticks, 100 a
// second on Linux.
func cpuTime(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: state is
	// field 3, utime 14, stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * (time.Second / 100)
}
