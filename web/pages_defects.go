package web

import (
	"bufio"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/report"
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
	at, note, err := p.asOf(r)
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

// defects renders the defect list: filters, one page of rows, the
// total, and the link to the same rows as the report's CSV.
func (p *pages) defects(w http.ResponseWriter, r *http.Request, ss *sqlutil.Session) error {
	sel, err := p.seller(r, ss)
	if err != nil {
		return err
	}
	f, q, note, err := p.pageFilter(r, sel, "reason", "page")
	if err != nil {
		return err
	}
	dp := &defectsPage{Seller: sel, AsOf: f.AsOf, AsOfNote: note, Filter: f, Reason: q["reason"], Policies: sel.Policies, Page: 1}
	if v, ok := q["page"]; ok {
		if dp.Page, err = strconv.Atoi(v); err != nil || dp.Page < 1 {
			return vtr.FieldErrorf(vtr.EINVALID, "page", "%q is not a page number", v)
		}
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
	// The total without reading every row: with no filter but the
	// category, the report's invalid count is the number of rows.
	dp.Total, dp.Exact = -1, false
	if f.Carrier == "" && dp.Reason == "" && !f.ShippedLate && !f.DeliveredLate {
		dp.Total, dp.Exact = rep.Overall.Invalid, true
		if f.Category != "" {
			dp.Total = 0
			for _, c := range rep.Categories {
				if strings.EqualFold(c.Category, f.Category) {
					dp.Total = c.Invalid
				}
			}
		}
	}
	skip := (dp.Page - 1) * defectsPageSize
	seen := 0
	_, err = p.s.cfg.Store.Defects(ctx, f, func(d *vtr.DefectRow) error {
		if dp.Reason != "" && !slices.Contains(d.Reasons, vtr.Reason(dp.Reason)) {
			return nil
		}
		seen++
		switch {
		case seen <= skip:
		case len(dp.Rows) < defectsPageSize:
			dp.Rows = append(dp.Rows, d)
		case dp.Exact:
			dp.More = true
			return errPageFull
		}
		return nil // counting the rest: no other way to the total
	})
	if err != nil && !errors.Is(err, errPageFull) {
		return err
	}
	if !dp.Exact {
		dp.Total, dp.Exact = seen, true
	}
	dp.More = dp.More || seen > skip+len(dp.Rows)
	if len(dp.Rows) > 0 {
		dp.First, dp.Last = skip+1, skip+len(dp.Rows)
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
	link := func(n int) string {
		v.Set("page", strconv.Itoa(n))
		return base + "/defects?" + v.Encode()
	}
	if dp.Page > 1 {
		dp.PrevURL = link(dp.Page - 1)
	}
	if dp.More {
		dp.NextURL = link(dp.Page + 1)
	}
	return p.render(w, r, http.StatusOK, "defects", &page{Title: "Defects · " + sel.ID, Active: "defects", Key: &ss.Key, SellerID: sel.ID, CSRF: ss.CSRF, Body: dp})
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
		at, _, err := p.asOf(r)
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
