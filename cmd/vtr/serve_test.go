package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vtr-project/vtr/storetest"
)

// server is a `vtr serve` running in process on a free loopback port.
type server struct {
	url  string
	stop func() (int, string) // graceful stop: exit status and stderr
}

func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb syncBuffer
	done := make(chan int, 1)
	go func() {
		m := &Main{Stdin: strings.NewReader(""), Stdout: pw, Stderr: &errb}
		code := m.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...))
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("vtr serve did not start: exit %d %s", <-done, errb.String())
	}
	go io.Copy(io.Discard, pr)
	s := &server{url: strings.TrimSpace(strings.TrimPrefix(line, "listening on "))}
	var once sync.Once
	code := -1
	s.stop = func() (int, string) {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(40 * time.Second):
				t.Error("vtr serve did not stop within 40 s")
			}
		})
		return code, errb.String()
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// syncBuffer is a strings.Builder safe for the server's log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func get(t *testing.T, url, key string) (int, string) {
	t.Helper()
	return send(t, "GET", url, key, "")
}

func send(t *testing.T, method, url, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func newKey(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, stderr, code := runVTR(t, "", append([]string{"keys", "create", "--db", db}, args...)...)
	if code != 0 || !strings.HasPrefix(out, "vtr_") || strings.Count(out, "\n") != 1 {
		t.Fatalf("keys create: exit %d %q %s", code, out, stderr)
	}
	return strings.TrimSpace(out)
}

// The API answers with the CLI's own bytes: rate as `vtr rate --json`,
// defects.csv as `vtr report`; keys work as `vtr keys` says; SIGTERM (a
// cancelled context) stops the server cleanly.
func TestServeMatchesCLI(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vtr.db")
	if _, stderr, code := runVTR(t, sample, "import", "--db", db, "-"); code != 0 {
		t.Fatalf("import: %d %s", code, stderr)
	}
	op := newKey(t, db, "--operator", "--name", "ops")
	s1 := newKey(t, db, "--seller", "S1")
	srv := startServer(t, "--db", db)
	for _, c := range []struct{ cli, api []string }{
		{[]string{"rate", "--seller", "S1", "--as-of", "2026-10-20", "--json"}, []string{"/v1/sellers/S1/rate?as_of=2026-10-20", s1}},
		{[]string{"rate", "--seller", "S1", "--as-of", "2026-10-20T10:00:00Z", "--what-if", "30", "--json"}, []string{"/v1/sellers/S1/rate?as_of=2026-10-20T10:00:00Z&what_if=30", op}},
		{[]string{"report", "--seller", "S1", "--as-of", "2026-10-20"}, []string{"/v1/sellers/S1/defects.csv?as_of=2026-10-20", s1}},
		{[]string{"report", "--seller", "S1", "--as-of", "2026-10-20", "--shipped-late", "--carrier", "usps"}, []string{"/v1/sellers/S1/defects.csv?as_of=2026-10-20&shipped_late=true&carrier=usps", s1}},
	} {
		want, stderr, code := runVTR(t, "", append(c.cli, "--db", db)...)
		if code != 0 || want == "" {
			t.Fatalf("%v: exit %d %s", c.cli, code, stderr)
		}
		status, got := get(t, srv.url+c.api[0], c.api[1])
		if status != 200 || got != want {
			t.Errorf("%s: %d\n got %q\nwant %q", c.api[0], status, got, want)
		}
	}
	// Revoked: 401 at once.
	out, _, _ := runVTR(t, "", "keys", "list", "--db", db, "--json")
	id := strings.SplitN(strings.TrimPrefix(s1, "vtr_"), "_", 2)[0]
	if !strings.Contains(out, `"id": "`+id+`"`) || !strings.Contains(out, `"seller_id": "S1"`) || strings.Contains(out, s1) {
		t.Errorf("keys list --json (must not hold the secret):\n%s", out)
	}
	if _, stderr, code := runVTR(t, "", "keys", "revoke", "--db", db, id); code != 0 {
		t.Fatalf("revoke: %d %s", code, stderr)
	}
	if status, body := get(t, srv.url+"/v1/sellers/S1", s1); status != 401 {
		t.Errorf("revoked key: %d %s", status, body)
	}
	if _, _, code := runVTR(t, "", "keys", "revoke", "--db", db, "nope"); code != exitNotFound {
		t.Errorf("revoke unknown: exit %d", code)
	}
	for _, args := range [][]string{{"keys"}, {"keys", "create", "--db", db}, {"keys", "create", "--operator", "--seller", "S1", "--db", db}, {"keys", "revoke", "--db", db}, {"keys", "nope"}} {
		if _, _, code := runVTR(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, stderr := srv.stop(); code != 0 || !strings.Contains(stderr, `"msg":"stopped"`) {
		t.Errorf("graceful stop: exit %d\n%s", code, stderr)
	}
}

// Configuration: the file, then the environment, then the flags.
func TestServeConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vtr.json")
	os.WriteFile(cfg, []byte(`{"db": "`+filepath.Join(dir, "file.db")+`", "secrets": {"aftership": "s"}, "max_body": 100}`), 0o644)
	srv := startServer(t, "--config", cfg)
	if status, body := send(t, "POST", srv.url+"/v1/webhooks/aftership", "", strings.Repeat("x", 200)); status != 413 {
		t.Errorf("max_body from the file: %d %s", status, body)
	}
	if status, body := send(t, "POST", srv.url+"/v1/webhooks/easypost", "", "{}"); status != 404 || !strings.Contains(body, "VTR_EASYPOST_SECRET") {
		t.Errorf("an unconfigured receiver: %d %s", status, body)
	}
	srv.stop()
	if _, err := os.Stat(filepath.Join(dir, "file.db")); err != nil {
		t.Errorf("the config file's db was not used: %v", err)
	}
	t.Setenv("VTR_DB", filepath.Join(dir, "env.db"))
	startServer(t, "--config", cfg).stop()
	if _, err := os.Stat(filepath.Join(dir, "env.db")); err != nil {
		t.Errorf("VTR_DB did not win over the file: %v", err)
	}
	startServer(t, "--config", cfg, "--db", filepath.Join(dir, "flag.db")).stop()
	if _, err := os.Stat(filepath.Join(dir, "flag.db")); err != nil {
		t.Errorf("--db did not win over VTR_DB: %v", err)
	}
	os.WriteFile(cfg, []byte(`{"dbb": "x"}`), 0o644)
	if _, stderr, code := runVTR(t, "", "serve", "--config", cfg); code != exitUsage || !strings.Contains(stderr, "dbb") {
		t.Errorf("a config file with an unknown key: exit %d %s", code, stderr)
	}
}

// confirmations returns n shipment confirmations for order i of S1
// (orders 0 … n-1), each with its own package.
func orderLine(i int) string {
	return fmt.Sprintf(`{"type":"order","id":"O-%d","seller_id":"S1","policy":"amazon-us","purchased_at":"2026-10-01T10:00:00Z","category":"Toys","value":"20.00","currency":"USD","ship_by":"2026-10-02T23:59:59Z","deliver_by":"2026-10-06T23:59:59Z"}`, i)
}

func shipmentBody(i int) string {
	return fmt.Sprintf(`{"order_id":"O-%d","carrier":"UPS","tracking_number":"1Z96F4R8D313969574","shipped_at":"2026-10-02T15:00:00Z"}`, i)
}

// A `vtr serve` killed with SIGKILL during sustained writes loses nothing
// it acknowledged: after a restart every acknowledged order is there and
// vtr verify is clean. On SQLite, and on PostgreSQL when configured.
func TestKilledServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server")
	}
	dbs := map[string]string{"sqlite": filepath.Join(t.TempDir(), "vtr.db")}
	if os.Getenv("VTR_TEST_POSTGRES") != "" || os.Getenv("CI") != "" {
		dbs["postgres"] = storetest.PostgresURL(t)
	}
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			if _, stderr, code := runVTR(t, `{"type":"seller","id":"S1","policies":["amazon-us"]}`+"\n", "import", "--db", db, "-"); code != 0 {
				t.Fatal(stderr)
			}
			op := newKey(t, db, "--operator")
			cmd := exec.Command(os.Args[0], "serve", "--db", db, "--addr", "127.0.0.1:0")
			cmd.Env = append(os.Environ(), "VTR_RUN_MAIN=1")
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil {
				cmd.Process.Kill()
				t.Fatal("the server did not start")
			}
			url := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
			// Four writers post orders one request each, bounded in count
			// and time, and note what was acknowledged.
			var acked sync.Map
			var n atomic.Int64
			var wg sync.WaitGroup
			deadline := time.Now().Add(30 * time.Second)
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < 4000 && time.Now().Before(deadline); i += 4 {
						req, _ := http.NewRequest("POST", url+"/v1/records", strings.NewReader(orderLine(i)+"\n"))
						req.Header.Set("Authorization", "Bearer "+op)
						resp, err := http.DefaultClient.Do(req)
						if err != nil {
							return // killed
						}
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if resp.StatusCode == 200 && strings.Contains(string(b), `"accepted":1`) {
							acked.Store(i, true)
							n.Add(1)
						}
					}
				}()
			}
			for n.Load() < 200 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			wg.Wait()
			if n.Load() < 200 {
				t.Fatalf("only %d writes acknowledged before the deadline", n.Load())
			}
			if _, stderr, code := runVTR(t, "", "verify", "--db", db); code != 0 {
				t.Fatalf("verify after kill -9: exit %d\n%s", code, stderr)
			}
			// Restarted, every acknowledged order is there: a shipment for
			// it is judged, never parked waiting for its order.
			srv := startServer(t, "--db", db)
			missing := 0
			acked.Range(func(k, _ any) bool {
				status, body := send(t, "POST", srv.url+"/v1/sellers/S1/shipments", op, shipmentBody(k.(int)))
				if status != 200 || strings.Contains(body, "waiting_for_order") {
					missing++
					if missing < 5 {
						t.Errorf("acknowledged order O-%d: %d %s", k.(int), status, body)
					}
				}
				return missing < 50
			})
			if missing > 0 {
				t.Errorf("%d acknowledged orders lost", missing)
			}
			srv.stop()
			if _, stderr, code := runVTR(t, "", "verify", "--db", db); code != 0 {
				t.Fatalf("verify after the restart: exit %d\n%s", code, stderr)
			}
		})
	}
}

// Two servers on one PostgreSQL database, written at once, end in the
// state one server reaches alone, and answer alike.
func TestTwoServersOnePostgres(t *testing.T) {
	one, two := storetest.PostgresURL(t), storetest.PostgresURL(t)
	for _, db := range []string{one, two} {
		if _, stderr, code := runVTR(t, `{"type":"seller","id":"S1","policies":["amazon-us"]}`+"\n", "import", "--db", db, "-"); code != 0 {
			t.Fatal(stderr)
		}
	}
	opA := newKey(t, one, "--operator")
	a, b := startServer(t, "--db", one), startServer(t, "--db", one)
	const n = 120
	var wg sync.WaitGroup
	for w, srv := range []*server{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				// Orders and their shipments cross the servers: a shipment
				// may arrive at one server before its order at the other.
				other := a
				if srv == a {
					other = b
				}
				if status, body := send(t, "POST", srv.url+"/v1/records", opA, orderLine(i)+"\n"); status != 200 {
					t.Errorf("order %d: %d %s", i, status, body)
				}
				if status, body := send(t, "POST", other.url+"/v1/sellers/S1/shipments", opA, shipmentBody(i)); status != 200 {
					t.Errorf("shipment %d: %d %s", i, status, body)
				}
			}
		}()
	}
	wg.Wait()
	// The same records through one CLI import, in order.
	var in strings.Builder
	for i := range n {
		in.WriteString(orderLine(i) + "\n")
		fmt.Fprintf(&in, `{"type":"shipment","seller_id":"S1",%s`+"\n", strings.TrimPrefix(shipmentBody(i), "{"))
	}
	if _, stderr, code := runVTR(t, in.String(), "import", "--db", two, "-"); code != 0 {
		t.Fatal(stderr)
	}
	for _, db := range []string{one, two} {
		if _, stderr, code := runVTR(t, "", "verify", "--db", db); code != 0 {
			t.Fatalf("verify %s: %s", db, stderr)
		}
	}
	rateA := "/v1/sellers/S1/rate?as_of=2026-10-20"
	_, fromA := get(t, a.url+rateA, opA)
	_, fromB := get(t, b.url+rateA, opA)
	want, _, _ := runVTR(t, "", "rate", "--db", two, "--seller", "S1", "--as-of", "2026-10-20", "--json")
	if fromA != fromB || fromA != want || !strings.Contains(want, fmt.Sprintf(`"invalid":%d`, n)) {
		t.Errorf("rates differ:\nserver A %s\nserver B %s\none import %s", fromA, fromB, want)
	}
	_, csvA := get(t, b.url+"/v1/sellers/S1/defects.csv?as_of=2026-10-20", opA)
	csvWant, _, _ := runVTR(t, "", "report", "--db", two, "--seller", "S1", "--as-of", "2026-10-20")
	if csvA != csvWant {
		t.Errorf("reports differ:\n%s\n%s", csvA, csvWant)
	}
}

// A client that sends its headers too slowly is cut by the server's
// timeout; a request in flight when the server is told to stop is
// finished and answered before it stops.
func TestServeSlowClientAndGracefulStop(t *testing.T) {
	old := serveTimeouts
	serveTimeouts.header, serveTimeouts.read = 300*time.Millisecond, 3*time.Second
	defer func() { serveTimeouts = old }()
	db := filepath.Join(t.TempDir(), "vtr.db")
	op := newKey(t, db, "--operator")
	srv := startServer(t, "--db", db)
	host := strings.TrimPrefix(srv.url, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n") // and never the blank line
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	b, _ := io.ReadAll(conn) // ends when the server closes the connection
	if d := time.Since(start); d > 4*time.Second || strings.Contains(string(b), "200 OK") {
		t.Errorf("a slow client was not cut: %s, %q", d, b)
	}
	// A request whose body is still arriving when the stop comes.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", srv.url+"/v1/records", pr)
	req.Header.Set("Authorization", "Bearer "+op)
	type answer struct {
		status int
		body   string
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- answer{status: resp.StatusCode, body: string(b)}
	}()
	io.WriteString(pw, `{"type":"seller","id":"S1","policies":["amazon-us"]}`+"\n")
	time.Sleep(100 * time.Millisecond) // the request is in flight
	stopped := make(chan int, 1)
	go func() { code, _ := srv.stop(); stopped <- code }()
	time.Sleep(100 * time.Millisecond)
	io.WriteString(pw, `{"type":"seller","id":"S2","policies":["amazon-us"]}`+"\n")
	pw.Close()
	a := <-done
	if a.err != nil || a.status != 200 || !strings.Contains(a.body, `"accepted":2`) {
		t.Errorf("the request in flight: %d %q %v", a.status, a.body, a.err)
	}
	if code := <-stopped; code != 0 {
		t.Errorf("stop: exit %d", code)
	}
	if out, _, _ := runVTR(t, "", "keys", "list", "--db", db); out == "" {
		t.Error("the database is unreadable after the stop")
	}
	if _, stderr, code := runVTR(t, "", "verify", "--db", db); code != 0 {
		t.Errorf("verify: %s", stderr)
	}
}
