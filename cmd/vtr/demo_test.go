package main

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// vtr demo fills an empty database, restricts the categories below
// target with one plan of action pending, serves the dashboard and the
// API, and prints working keys, one per line.
func TestDemoServes(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo data")
	}
	// The demo's data set, smaller: the same sellers and failure modes in
	// a fifth of the orders (the race detector slows the load tenfold).
	old := demoConfig
	demoConfig.OrdersPerDay = 8
	defer func() { demoConfig = old }()
	db := filepath.Join(t.TempDir(), "demo.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errb syncBuffer
	done := make(chan int, 1)
	go func() {
		m := &Main{Stdin: strings.NewReader(""), Stdout: pw, Stderr: &errb}
		code := m.Run(ctx, []string{"demo", "--db", db, "--addr", "127.0.0.1:0"})
		pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	var url, op string
	sellers := map[string]string{}
	deadline := time.AfterFunc(300*time.Second, func() { pw.CloseWithError(io.ErrUnexpectedEOF) })
	defer deadline.Stop()
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "dashboard: "):
			url = strings.TrimSuffix(strings.Fields(line)[1], "/login")
		case strings.HasPrefix(line, "operator key: "):
			op = strings.TrimPrefix(line, "operator key: ")
		case strings.HasPrefix(line, "seller key "):
			id, key, _ := strings.Cut(strings.TrimPrefix(line, "seller key "), ": ")
			sellers[id] = key
		}
		if len(sellers) == 6 {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if url == "" || op == "" || len(sellers) != 6 {
		cancel()
		t.Fatalf("demo printed url %q, operator key %q, %d seller keys\n%s", url, op, len(sellers), errb.String())
	}
	if !strings.Contains(errb.String(), "restricted; plan of action") {
		t.Errorf("no restriction with a pending plan:\n%s", errb.String())
	}
	status, body := get(t, url+"/v1/appeals?status=pending", op)
	if status != 200 || strings.Count(body, `"status":"pending"`) != 1 {
		t.Errorf("pending appeals: %d %s", status, body)
	}
	restricted := 0
	for id, key := range sellers {
		status, body := get(t, url+"/v1/sellers/"+id+"/enforcement", key)
		if status != 200 {
			t.Errorf("%s's enforcement with its key: %d %s", id, status, body)
		}
		restricted += strings.Count(body, `"state":"restricted"`)
		for other := range sellers {
			if other != id {
				if status, _ := get(t, url+"/v1/sellers/"+other, key); status != 404 {
					t.Errorf("%s's key on %s: %d", id, other, status)
				}
				break
			}
		}
	}
	if restricted == 0 {
		t.Error("no category is restricted")
	}
	cancel()
	select {
	case code := <-done:
		if code != exitFailure && code != 0 {
			t.Errorf("demo stopped with exit %d", code)
		}
	case <-time.After(40 * time.Second):
		t.Error("demo did not stop")
	}
	// Run again on the same database: it serves what is there.
	if out, stderr, code := runVTR(t, "", "demo", "--db", db, "--no-serve"); code != 0 || !strings.Contains(out, "Valid Tracking Rate as of") {
		t.Errorf("demo again: exit %d %s %s", code, out, stderr)
	}
}
