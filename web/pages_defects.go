package web

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/report"
	"github.com/vtr-project/vtr/tracking"
)

// defectsPageSize is how many rows a page of the defects list shows.
const defectsPageSize = 100

// errPageFull stops the defect stream once a page is filled: the rows
// after it are never read.
var errPageFull = errors.New("page full")

// defectsPage is the defect list's body.
type defectsPage struct {
	Seller   *vtr.Seller
	AsOf     time.Time
	AsOfNote string
	Filter   vtr.ReportFilter
	Reason   string
	Policies []string
	// Categories, Carriers and Reasons offer the filters' choices.
	Categories, Carriers []string
	Reasons              []vtr.Reason
	Rows                 []*vtr.DefectRow
	Page                 int
	First, Last          int // 1-based positions of the rows shown
	// Total is the count of every matching row; Exact is false when it
	// is a lower bound (the stream was stopped after this page).
	Total      int
	Exact      bool
	More       bool
	PrevURL    string
	NextURL    string
	CSVURL     string
	FilterPath string
}

// pageFilter reads the defect filters of a page: the API's (policy,
// as_of, carrier, category, shipped_late, delivered_late) and reason.
func (p *pages) pageFilter(r *http.Request, sel *vtr.Seller, extra ...string) (vtr.ReportFilter, map[string]string, string, error) {
	f := vtr.ReportFilter{SellerID: sel.ID}
	q, err := query(r, append([]string{"policy", "as_of", "carrier", "category", "shipped_late", "delivered_late"}, extra...)...)
	if err != nil {
		return f, nil, "", err
	}
	at, note, err := p.asOf(r, sel.ID)
	if err != nil {
		return f, nil, "", err
	}
	f.AsOf, f.Policy, f.Carrier, f.Category = at, q["policy"], q["carrier"], q["category"]
	if f.Policy == "" && len(sel.Policies) > 0 {
		f.Policy = sel.Policies[0]
	}
	for _, b := range []struct {
		name string
		to   *bool
	}{{"shipped_late", &f.ShippedLate}, {"delivered_late", &f.DeliveredLate}} {
		v := q[b.name]
		if v == "on" { // an HTML checkbox
			v = "true"
		}
		if *b.to, err = boolParam(map[string]string{b.name: v}, b.name); err != nil {
			return f, nil, "", err
		}
	}
	return f, q, note, nil
}

// defects renders the defect list: filters, one page of rows with the
// scans seen for each, the total, and the link to the same rows as the
// report's CSV. Next and previous pages start from a row's position
// (after=, before=), so a page deep in a million packages reads no more
// rows than the first; the total comes from the aggregates when the
// filters allow, and is counted up to defectsCountCap rows otherwise.
func (p *pages) defects(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	sel, err := p.seller(r, ss)
	if err != nil {
		return err
	}
	f, q, note, err := p.pageFilter(r, sel, "reason", "page", "after", "before")
	if err != nil {
		return err
	}
	dp := &defectsPage{Seller: sel, AsOf: f.AsOf, AsOfNote: note, Filter: f, Reason: q["reason"], Policies: sel.Policies, Page: 1}
	if v, ok := q["page"]; ok {
		if dp.Page, err = strconv.Atoi(v); err != nil || dp.Page < 1 {
			return vtr.FieldErrorf(vtr.EINVALID, "page", "%q is not a page number", v)
		}
	}
	for _, c := range []struct {
		name string
		to   **vtr.DefectCursor
	}{{"after", &f.After}, {"before", &f.Before}} {
		if v, ok := q[c.name]; ok {
			if *c.to, err = decodeCursor(v); err != nil {
				return vtr.FieldErrorf(vtr.EINVALID, c.name, "%q is not a position in the defect list", v)
			}
		}
	}
	if f.After != nil && f.Before != nil {
		return vtr.FieldErrorf(vtr.EINVALID, "before", "give after or before, not both")
	}
	ctx := r.Context()
	rep, err := p.s.cfg.Store.Rate(ctx, sel.ID, f.Policy, f.AsOf, 0)
	if err != nil {
		return err
	}
	for _, c := range rep.Categories {
		dp.Categories = append(dp.Categories, c.Category)
	}
	for _, c := range rep.Carriers {
		dp.Carriers = append(dp.Carriers, c.Key)
	}
	dp.Reasons = allReasons
	if dp.Total, dp.Exact, err = p.defectsTotal(ctx, f, dp.Reason, rep); err != nil {
		return err
	}

	// The rows: after (or, backwards, before) the cursor; without one, a
	// page number skips rows from the start (a link typed by hand).
	skip := 0
	if f.After == nil && f.Before == nil {
		skip = (dp.Page - 1) * defectsPageSize
	}
	f.Scans = true
	stop := skip + defectsPageSize + 1 // one more row says there is a next page
	if !dp.Exact && f.Before == nil {
		stop = skip + defectsCountCap // counting too, up to the cap
	}
	if dp.Reason == "" {
		f.Limit = stop
	}
	seen := 0
	_, err = p.s.cfg.Store.Defects(ctx, f, func(d *vtr.DefectRow) error {
		if dp.Reason != "" && !slices.Contains(d.Reasons, vtr.Reason(dp.Reason)) {
			return nil
		}
		seen++
		if seen > skip && len(dp.Rows) < defectsPageSize {
			dp.Rows = append(dp.Rows, d)
		}
		if seen >= stop {
			return errPageFull
		}
		return nil
	})
	if err != nil && !errors.Is(err, errPageFull) {
		return err
	}
	if f.Before != nil {
		slices.Reverse(dp.Rows)
	}
	if !dp.Exact && f.After == nil && f.Before == nil {
		dp.Total, dp.Exact = seen, seen < stop
	}
	switch {
	case f.Before != nil:
		dp.More = true // the rows after these led here
	case dp.Exact && dp.Total >= 0 && f.After == nil:
		dp.More = dp.Total > skip+len(dp.Rows)
	default:
		dp.More = seen > skip+len(dp.Rows)
	}
	if len(dp.Rows) > 0 {
		dp.First = (dp.Page-1)*defectsPageSize + 1
		dp.Last = dp.First + len(dp.Rows) - 1
	}
	v := url.Values{}
	for _, k := range []string{"policy", "as_of", "carrier", "category", "shipped_late", "delivered_late"} {
		if q[k] != "" {
			v.Set(k, q[k])
		}
	}
	if v.Get("as_of") == "" {
		v.Set("as_of", f.AsOf.Format(time.RFC3339))
	}
	if v.Get("shipped_late") == "on" {
		v.Set("shipped_late", "true")
	}
	if v.Get("delivered_late") == "on" {
		v.Set("delivered_late", "true")
	}
	base := "/sellers/" + url.PathEscape(sel.ID)
	dp.CSVURL = base + "/defects.csv"
	if len(v) > 0 {
		dp.CSVURL += "?" + v.Encode()
	}
	if dp.Reason != "" {
		v.Set("reason", dp.Reason)
	}
	link := func(n int, dir string, c vtr.DefectCursor) string {
		l := url.Values{}
		for k, vs := range v {
			l[k] = vs
		}
		l.Set("page", strconv.Itoa(n))
		if n > 1 {
			l.Set(dir, encodeCursor(c))
		}
		return base + "/defects?" + l.Encode()
	}
	if dp.Page > 1 && len(dp.Rows) > 0 {
		dp.PrevURL = link(dp.Page-1, "before", dp.Rows[0].Cursor())
	}
	if dp.More && len(dp.Rows) > 0 {
		dp.NextURL = link(dp.Page+1, "after", dp.Rows[len(dp.Rows)-1].Cursor())
	}
	return p.render(w, r, http.StatusOK, "defects", &page{Title: "Defects · " + sel.ID, Active: "defects", Key: &ss.Key, SellerID: sel.ID, CSRF: ss.CSRF, Body: dp})
}

// defectsCountCap bounds the rows read to count a filter's total when the
// aggregates cannot give it (several filters at once, the late flags):
// beyond it the page says "N+".
const defectsCountCap = 500

// defectsTotal is the number of rows a filter matches when the aggregates
// know it: the invalid packages overall, of a category, of a carrier, or
// with a reason. Otherwise exact is false and total -1.
func (p *pages) defectsTotal(ctx context.Context, f vtr.ReportFilter, reason string, rep *vtr.RateReport) (total int, exact bool, err error) {
	if f.ShippedLate || f.DeliveredLate {
		return -1, false, nil
	}
	n := 0
	for _, set := range []bool{f.Category != "", f.Carrier != "", reason != ""} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return -1, false, nil
	case f.Category != "":
		for _, c := range rep.Categories {
			if strings.EqualFold(c.Category, f.Category) {
				total += c.Invalid
			}
		}
		return total, true, nil
	case f.Carrier != "":
		want, _ := ingest.CarrierFilter(f.Carrier)
		for _, c := range rep.Carriers {
			if tracking.Fold(c.Key) == want {
				total += c.Invalid
			}
		}
		return total, true, nil
	case reason != "":
		counts, err := p.s.cfg.Store.ReasonCounts(ctx, f.SellerID, f.Policy, f.AsOf)
		return counts[vtr.Reason(reason)], err == nil, err
	}
	return rep.Overall.Invalid, true, nil
}

// encodeCursor and decodeCursor write a position in the defect list as
// one opaque URL-safe word.
func encodeCursor(c vtr.DefectCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.Day.UTC().Format(time.DateOnly) + "\x00" + c.OrderID + "\x00" + c.PackageID))
}

func decodeCursor(s string) (*vtr.DefectCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != 3 || parts[1] == "" {
		return nil, errors.New("not three parts")
	}
	day, err := time.Parse(time.DateOnly, parts[0])
	if err != nil {
		return nil, err
	}
	return &vtr.DefectCursor{Day: day, OrderID: parts[1], PackageID: parts[2]}, nil
}

// allReasons are the defect reasons a filter offers.
var allReasons = []vtr.Reason{vtr.TrackingMissing, vtr.TrackingMalformed, vtr.CarrierUnknown, vtr.CarrierUnsupported, vtr.CarrierMismatch,
	vtr.NoPhysicalScan, vtr.InsufficientScans, vtr.UploadedAfterDelivery, vtr.UploadedLate, vtr.ShipFromMismatch, vtr.TrackingReused, vtr.EventBeforeOrder}

// defectsCSV serves exactly the API's and `vtr report`'s CSV for the
// same filters, with the session instead of a bearer key.
func (p *pages) defectsCSV(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	sel, err := p.seller(r, ss)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("as_of") == "" {
		// The page's default day, when the data ends before now, is
		// fixed in the link; without it the API's default (now) holds.
		q := r.URL.Query()
		at, _, err := p.asOf(r, sel.ID)
		if err != nil {
			return err
		}
		q.Set("as_of", at.Format(time.RFC3339))
		r.URL.RawQuery = q.Encode()
	}
	f, _, _, err := p.pageFilter(r, sel)
	if err != nil {
		return err
	}
	return p.s.writeDefectsCSV(w, r, f)
}

// writeDefectsCSV streams the report's CSV for a checked filter.
func (s *Server) writeDefectsCSV(w http.ResponseWriter, r *http.Request, f vtr.ReportFilter) error {
	if _, err := s.cfg.Store.Rate(r.Context(), f.SellerID, f.Policy, f.AsOf, 0); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeName(f.SellerID)+`-defects.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriterSize(w, 64<<10)
	enc, err := report.NewCSV(bw)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Store.Defects(r.Context(), f, enc.Write); err != nil {
		s.cfg.Log.Error("defects.csv stream cut", "seller", f.SellerID, "err", err)
		return nil
	}
	if err := enc.Flush(); err != nil {
		return nil
	}
	return bw.Flush()
}
