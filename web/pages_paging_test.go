package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/storetest"
)

var (
	orderRE = regexp.MustCompile(`<tr data-order="([^"]+)">`)
	nextRE  = regexp.MustCompile(`href="([^"]+)" id="next"`)
	prevRE  = regexp.MustCompile(`href="([^"]+)" id="prev"`)
	scansRE = regexp.MustCompile(`<td class="scans">(.*?)</td>`)
)

// The defect list pages forward and back by position through every row
// the API returns, in its order, each row with the scans seen; totals
// come with every filter.
func TestPagesDefectPaging(t *testing.T) {
	engines(t, func(t *testing.T, name string) {
		e := start(t, name, location(t, name), true)
		recs := storetest.Workload(11, 4500)
		if _, err := e.store.Import(context.Background(), storetest.List(recs), func(err error) { t.Errorf("rejected: %v", err) }); err != nil {
			t.Fatal(err)
		}
		const asOf = "2026-10-15"
		b := e.signedIn(e.s1)
		for _, filter := range []string{"", "&carrier=UPS", "&shipped_late=true&delivered_late=true", "&category=Electronics&reason=NO_PHYSICAL_SCAN"} {
			code, _, js := e.do("GET", "/v1/sellers/S1/defects?as_of="+asOf+strings.ReplaceAll(filter, "&reason=NO_PHYSICAL_SCAN", ""), e.s1, "")
			var rows []vtr.DefectRow
			if err := json.Unmarshal([]byte(js), &rows); err != nil || code != 200 {
				t.Fatalf("API defects: %d %s", code, js)
			}
			var want []string
			for _, r := range rows {
				if !strings.Contains(filter, "reason=") || slices.Contains(r.Reasons, vtr.NoPhysicalScan) {
					want = append(want, r.OrderID)
				}
			}
			if len(want) <= 100 && filter == "" {
				t.Fatalf("only %d defects: paging is not exercised", len(want))
			}
			var got []string
			var pages []string
			path := "/sellers/S1/defects?as_of=" + asOf + filter
			for n := 1; path != ""; n++ {
				if n > 50 {
					t.Fatal("paging forward does not end")
				}
				code, _, page := b.get(path)
				if code != 200 {
					t.Fatalf("%s: %d", path, code)
				}
				if n == 1 {
					total := cell(page, "data-total")
					if total != fmt.Sprint(len(want)) && !(total == "500+" && len(want) >= 500) {
						t.Errorf("%s: total %s, want %d", filter, total, len(want))
					}
				}
				pages = append(pages, path)
				for _, m := range orderRE.FindAllStringSubmatch(page, -1) {
					got = append(got, html.UnescapeString(m[1]))
				}
				for _, m := range scansRE.FindAllStringSubmatch(page, -1) {
					if !strings.Contains(m[1], "physical") && !strings.Contains(m[1], "no event received") {
						t.Fatalf("a row's scans: %q", m[1])
					}
				}
				path = ""
				if m := nextRE.FindStringSubmatch(page); m != nil {
					path = html.UnescapeString(m[1])
				}
			}
			t.Logf("%s: %d rows over %d pages", filter, len(got), len(pages))
			if !slices.Equal(got, want) {
				t.Errorf("%s: paged %d rows, the API has %d (in its order)", filter, len(got), len(want))
			}
			// And back: each previous link gives the page shown before.
			if len(pages) < 2 {
				continue
			}
			_, _, last := b.get(pages[len(pages)-1])
			for k := len(pages) - 2; k >= 0; k-- {
				m := prevRE.FindStringSubmatch(last)
				if m == nil {
					t.Fatalf("%s: page %d has no previous link", filter, k+2)
				}
				_, _, prev := b.get(html.UnescapeString(m[1]))
				_, _, shown := b.get(pages[k])
				if a, b := orderRE.FindAllString(prev, -1), orderRE.FindAllString(shown, -1); !slices.Equal(a, b) {
					t.Errorf("%s: back to page %d: %d rows, %d shown going forward", filter, k+1, len(a), len(b))
				}
				last = prev
			}
			if prevRE.MatchString(last) {
				t.Errorf("%s: the first page links to a previous one", filter)
			}
		}
		// Positions are checked, and never reveal another seller's rows.
		if code, _, _ := b.get("/sellers/S1/defects?after=not-a-cursor"); code != 400 {
			t.Errorf("a bad cursor: %d", code)
		}
		if code, _, _ := b.get("/sellers/S2/defects?after=MjAyNi0xMC0wMQAxMTEAMQ"); code != 404 {
			t.Errorf("another seller's page by position: %d", code)
		}
	})
}

// BenchmarkDefectsPageDeep is the defect list's tenth page (or its last,
// if it has fewer), reached by its next links: a page by position reads
// no more rows than the first.
func BenchmarkDefectsPageDeep(b *testing.B) {
	h, cookie, seller := benchServer(b)
	path, pageNo := "/sellers/"+seller+"/defects", 1
	for ; pageNo < 10; pageNo++ {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d", path, rec.Code)
		}
		m := nextRE.FindStringSubmatch(rec.Body.String())
		if m == nil {
			break
		}
		path = html.UnescapeString(m[1])
	}
	b.Logf("page %d: %s", pageNo, path)
	benchPageOf(b, h, cookie, path)
}

// BenchmarkDefectsPageCombined filters by carrier with both late flags:
// no aggregate knows the total, so the page counts up to its cap.
func BenchmarkDefectsPageCombined(b *testing.B) {
	h, cookie, seller := benchServer(b)
	benchPageOf(b, h, cookie, "/sellers/"+seller+"/defects?carrier=UPS&shipped_late=true&delivered_late=true")
}
