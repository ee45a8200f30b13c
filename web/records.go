package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/formats"
	"github.com/vtr-project/vtr/internal/sqlutil"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/spapi"
	"github.com/vtr-project/vtr/tracking"
)

// rejection is one input line the import refused.
type rejection struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// importStats are an import's counts, as JSON.
type importStats struct {
	Sellers         int `json:"sellers"`
	Orders          int `json:"orders"`
	Shipments       int `json:"shipments"`
	Cancellations   int `json:"cancellations"`
	Events          int `json:"events"`
	DuplicateEvents int `json:"duplicate_events"`
	UnknownEvents   int `json:"unclassified_events"`
	Packages        int `json:"packages_judged"`
	// Categories are the SKU/ASIN → category mappings stored (the
	// catalog format).
	Categories int `json:"categories,omitempty"`
}

// importAnswer answers POST /v1/records and the webhooks.
type importAnswer struct {
	Accepted int            `json:"accepted"`
	Rejected []rejection    `json:"rejected"`
	Stats    importStats    `json:"stats"`
	types    map[string]int // committed records by type
	classes  map[string]int // committed events by class
}

// importRecords imports what next yields. A seller key's records are
// limited to its seller: a record naming another seller, or a carrier
// event (a fact shared by every seller using the number), is a rejected
// line; a shipment or cancellation naming no seller is its key's.
func (s *Server) importRecords(r *http.Request, c *caller, source string, next func() (vtr.Record, error)) (*importAnswer, error) {
	ans := &importAnswer{Rejected: []rejection{}, types: map[string]int{}, classes: map[string]int{}}
	var mu sync.Mutex // next and reject run on the import's goroutines
	codes := map[int]string{}
	seen := 0
	own := func() (vtr.Record, error) {
		rec, err := next()
		var le *vtr.LineError
		if err != nil && !errors.As(err, &le) {
			return rec, err
		}
		mu.Lock()
		seen++
		if err == nil {
			if ferr := c.scope(&rec); ferr != nil {
				codes[rec.Line] = ferr.Code
				err = &vtr.LineError{Line: rec.Line, Field: ferr.Field, Msg: ferr.Message}
			} else {
				ans.types[rec.Type]++
				if rec.Event != nil {
					class := string(rec.Event.Class)
					if class == "" {
						class = "unknown"
					}
					ans.classes[class]++
				}
			}
		}
		mu.Unlock()
		return rec, err
	}
	reject := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		rj := rejection{Code: vtr.EINVALID, Message: err.Error()}
		var le *vtr.LineError
		if errors.As(err, &le) {
			rj.Line, rj.Field, rj.Message = le.Line, le.Field, le.Msg
			if code, ok := codes[le.Line]; ok {
				rj.Code = code
			}
		}
		ans.Rejected = append(ans.Rejected, rj)
	}
	st, err := s.cfg.Store.Import(r.Context(), own, reject)
	if err != nil {
		return nil, err
	}
	ans.Accepted = seen - len(ans.Rejected)
	ans.Stats = importStats{Sellers: st.Sellers, Orders: st.Orders, Shipments: st.Shipments, Cancellations: st.Cancellations,
		Events: st.Events, DuplicateEvents: st.DuplicateEvents, UnknownEvents: st.UnknownEvents, Packages: st.Packages}
	for typ, n := range ans.types {
		s.metrics.records.With(typ, source).Add(float64(n))
	}
	for class, n := range ans.classes {
		s.metrics.classes.With(class).Add(float64(n))
	}
	s.metrics.rejected.With(source).Add(float64(len(ans.Rejected)))
	return ans, nil
}

// scope applies a key's tenancy to a record (see importRecords).
func (c *caller) scope(rec *vtr.Record) *vtr.Error {
	if c.key == nil || c.key.Role == vtr.RoleOperator {
		return nil
	}
	own := c.key.SellerID
	check := func(field string, id *string, fill bool) *vtr.Error {
		if *id == "" && fill {
			*id = own
		}
		if *id != own {
			return vtr.FieldErrorf(vtr.EFORBIDDEN, field, "names seller %q; this key is seller %s's", *id, own)
		}
		return nil
	}
	switch {
	case rec.Seller != nil:
		return check("id", &rec.Seller.ID, false)
	case rec.Order != nil:
		return check("seller_id", &rec.Order.SellerID, true)
	case rec.Shipment != nil:
		return check("seller_id", &rec.Shipment.SellerID, true)
	case rec.Cancellation != nil:
		return check("seller_id", &rec.Cancellation.SellerID, true)
	case rec.Event != nil:
		return vtr.FieldErrorf(vtr.EFORBIDDEN, "type", "carrier events come from the carrier webhooks or an operator key, not a seller key")
	}
	return nil
}

// postRecords imports a body of records: native NDJSON (what vtr import
// reads), or another format named by ?format=. Bad lines are listed and
// never undo good ones.
func (s *Server) postRecords(w http.ResponseWriter, r *http.Request, c *caller) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "native"
	}
	if _, ok := formats.Webhooks[format]; ok && c.key.Role != vtr.RoleOperator {
		return vtr.FieldErrorf(vtr.EFORBIDDEN, "format", "carrier events come from the carrier webhooks or an operator key, not a seller key")
	}
	q, err := query(r, "format", "seller_id", "policy", "order_id", "uploaded_at")
	if err != nil {
		return err
	}
	// A marketplace's own file names no seller: a seller key's is its
	// own; an operator key names it.
	seller := q["seller_id"]
	if c.key.Role == vtr.RoleSeller {
		if seller != "" && seller != c.key.SellerID {
			return vtr.Errorf(vtr.ENOTFOUND, "no seller %s", seller)
		}
		seller = c.key.SellerID
	}
	opt := formats.Options{SellerID: seller, Policy: q["policy"], OrderID: q["order_id"], Now: s.now}
	switch v := q["uploaded_at"]; v {
	case "", "now":
	case "ship-date":
		opt.UploadedAtShipDate = true
	default:
		at, err := vtr.ParseAsOf(v, s.now())
		if err != nil {
			return vtr.FieldErrorf(vtr.EINVALID, "uploaded_at", "%q is not now, ship-date, a date or an RFC 3339 time", v)
		}
		opt.Now = func() time.Time { return at }
	}
	switch format {
	case formats.Catalog:
		return s.postCatalog(w, r, c, seller)
	case formats.SPAPIOrders, formats.WalmartOrders:
		if seller != "" {
			if opt.Categories, err = formats.WithStored(r.Context(), s.categories(), seller, nil); err != nil {
				return err
			}
		}
	}
	next, err := formats.RecordsWith(bufio.NewReader(bytes.NewReader(c.body)), format, opt)
	if err != nil {
		var ve *vtr.Error
		if errors.As(err, &ve) && ve.Field == "" && ve.Code == vtr.EINVALID {
			ve.Field = "format"
		}
		if errors.As(err, &ve) && ve.Field == "seller" {
			ve.Field = "seller_id"
		}
		return err
	}
	ans, err := s.importRecords(r, c, "api", next)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// categories is where the sellers' category mappings are kept.
func (s *Server) categories() vtr.CategoryStore {
	if s.cfg.Categories != nil {
		return s.cfg.Categories
	}
	// The categories table sits beside the keys (Config.Categories).
	if k, ok := s.cfg.Keys.(*sqlutil.Keys); ok {
		return &sqlutil.Categories{DB: k.DB, Rebind: k.Rebind}
	}
	return nil
}

// postCatalog stores a seller's SKU/ASIN → category mapping (a CSV
// "sku_or_asin,category" or Catalog Items API JSON) for the seller's
// later order imports, which take an order's category from it. Bad lines
// are listed and the rest is stored, in one transaction. Orders already
// imported keep their category: it is the product group at order time.
func (s *Server) postCatalog(w http.ResponseWriter, r *http.Request, c *caller, seller string) error {
	if seller == "" {
		return vtr.FieldErrorf(vtr.EINVALID, "seller_id", "the catalog format names no seller: say whose mapping it is with ?seller_id=")
	}
	cs := s.categories()
	if cs == nil {
		return vtr.Errorf(vtr.EINTERNAL, "the server keeps no category mappings")
	}
	if _, err := s.cfg.Store.Seller(r.Context(), seller); err != nil {
		return err
	}
	m := spapi.NewCategories()
	bad, err := formats.ReadCatalog(bytes.NewReader(c.body), m)
	if err != nil {
		var le *vtr.LineError
		if errors.As(err, &le) {
			return vtr.FieldErrorf(vtr.EINVALID, "body", "%s", le.Error())
		}
		return vtr.FieldErrorf(vtr.EINVALID, "body", "%s", vtr.ErrorMessage(err))
	}
	n, err := cs.PutCategories(r.Context(), seller, m.Mappings(), s.now())
	if err != nil {
		return err
	}
	ans := &importAnswer{Accepted: n, Rejected: []rejection{}, Stats: importStats{Categories: n}}
	for _, le := range bad {
		ans.Rejected = append(ans.Rejected, rejection{Line: le.Line, Field: le.Field, Code: vtr.EINVALID, Message: le.Msg})
	}
	s.metrics.rejected.With("api").Add(float64(len(bad)))
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// decodeOne decodes a body holding one native record of type typ (its
// "type" may be left out). Errors name the field.
func (s *Server) decodeOne(body []byte, typ string) (vtr.Record, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' {
		return vtr.Record{}, vtr.Errorf(vtr.EINVALID, "the body must be one JSON object")
	}
	var head struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err == nil && head.Type != nil && *head.Type != typ {
		return vtr.Record{}, vtr.FieldErrorf(vtr.EINVALID, "type", "must be %q here (or left out)", typ)
	}
	line := make([]byte, 0, len(b)+24)
	line = append(line, `{"type":"`+typ+`"`...)
	if rest := bytes.TrimSpace(b[1:]); len(rest) > 0 && rest[0] != '}' {
		line = append(line, ',')
	}
	line = append(line, b[1:]...)
	rec, err := native.Decode(1, line, s.now)
	var le *vtr.LineError
	if errors.As(err, &le) {
		return rec, vtr.FieldErrorf(vtr.EINVALID, le.Field, "%s", le.Msg)
	}
	if err != nil {
		return rec, err
	}
	if rec.Type != typ {
		return rec, vtr.FieldErrorf(vtr.EINVALID, "type", "must be %q here", typ)
	}
	return rec, nil
}

// importOne imports one record and returns the rules' refusal, if any,
// as the request's error.
func (s *Server) importOne(r *http.Request, c *caller, source string, rec vtr.Record) (*importAnswer, error) {
	done := false
	ans, err := s.importRecords(r, c, source, func() (vtr.Record, error) {
		if done {
			return vtr.Record{}, io.EOF
		}
		done = true
		return rec, nil
	})
	if err != nil {
		return nil, err
	}
	if len(ans.Rejected) > 0 {
		rj := ans.Rejected[0]
		return nil, vtr.FieldErrorf(rj.Code, rj.Field, "%s", rj.Message)
	}
	return ans, nil
}

// putSeller creates or replaces a seller (operator keys).
func (s *Server) putSeller(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	rec, err := s.decodeOne(c.body, "seller")
	if err != nil {
		return err
	}
	if rec.Seller.ID == "" {
		rec.Seller.ID = id
	}
	if rec.Seller.ID != id {
		return vtr.FieldErrorf(vtr.EINVALID, "id", "%q differs from the seller in the path, %q", rec.Seller.ID, id)
	}
	if _, err := s.importOne(r, c, "api", rec); err != nil {
		return err
	}
	sel, err := s.cfg.Store.Seller(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sel)
	return nil
}

// shipmentAnswer is what vtr knows of a confirmation the moment it is
// stored: the number's checks, the package's verdict so far, warnings.
type shipmentAnswer struct {
	SellerID  string              `json:"seller_id"`
	OrderID   string              `json:"order_id"`
	PackageID string              `json:"package_id"`
	Tracking  json.RawMessage     `json:"tracking"`
	Verdict   *vtr.PackageVerdict `json:"verdict"`
	Warnings  []string            `json:"warnings"`
}

// postShipment stores one shipment confirmation and answers at once.
func (s *Server) postShipment(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := c.seller(id); err != nil {
		return err
	}
	rec, err := s.decodeOne(c.body, "shipment")
	if err != nil {
		return err
	}
	sh := rec.Shipment
	if sh.SellerID == "" {
		sh.SellerID = id
	}
	if sh.SellerID != id {
		return vtr.FieldErrorf(vtr.EINVALID, "seller_id", "%q differs from the seller in the path, %q", sh.SellerID, id)
	}
	ans, err := s.confirm(r, c, "api", rec)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// confirm stores a shipment and reads back what is known of it.
func (s *Server) confirm(r *http.Request, c *caller, source string, rec vtr.Record) (*shipmentAnswer, error) {
	sh := rec.Shipment
	if err := c.scope(&rec); err != nil {
		return nil, err
	}
	v, err := s.confirmer.submit(r.Context(), rec, source)
	if err != nil {
		return nil, err
	}
	pkgs, waiting := v.Packages, v.Waiting
	ans := &shipmentAnswer{SellerID: sh.SellerID, OrderID: sh.OrderID, PackageID: sh.PackageID, Warnings: []string{}}
	var res tracking.Result
	res.Check(sh.TrackingNumber, claimedCarrier(sh))
	ans.Tracking = res.AppendJSON(nil)
	now := s.now()
	for i := range pkgs {
		if pkgs[i].PackageID == sh.PackageID {
			ans.Verdict = &pkgs[i]
		}
	}
	switch {
	case ans.Verdict == nil && waiting:
		ans.Verdict = &vtr.PackageVerdict{PackageID: sh.PackageID, Status: "waiting_for_order", Reasons: []vtr.Reason{}, Warnings: []vtr.Reason{}}
		ans.Warnings = append(ans.Warnings, fmt.Sprintf("order %s has not arrived yet: the package is judged when it does", sh.OrderID))
	case ans.Verdict == nil:
		return nil, fmt.Errorf("shipment %s/%s/%s stored but not found", sh.SellerID, sh.OrderID, sh.PackageID)
	}
	if sh.ShippedAt.After(now) {
		ans.Warnings = append(ans.Warnings, "shipped_at is in the future: confirm a shipment once the carrier has it")
	}
	if ans.Verdict.Status == string(vtr.VerdictPending) && res.Valid {
		ans.Warnings = append(ans.Warnings, "no carrier scan yet: the number counts as valid once the carrier scans the package (before the promised delivery date); uploading before pickup is fine if the package is handed over as confirmed")
	}
	for _, wr := range ans.Verdict.Warnings {
		ans.Warnings = append(ans.Warnings, describeWarning(wr))
	}
	reason := ""
	if len(ans.Verdict.Reasons) > 0 {
		reason = string(ans.Verdict.Reasons[0])
	}
	s.metrics.verdicts.With(ans.Verdict.Status, reason).Inc()
	return ans, nil
}

// claimedCarrier is the carrier a confirmation names: its code, or with
// "Other" its free-text name, when vtr knows it.
func claimedCarrier(sh *vtr.Shipment) *tracking.Carrier {
	if m, ok := tracking.Lookup(sh.Carrier); ok && !m.Carrier.Other {
		return m.Carrier
	}
	if m, ok := tracking.Lookup(sh.CarrierName); ok {
		return m.Carrier
	}
	if m, ok := tracking.Lookup(sh.Carrier); ok {
		return m.Carrier
	}
	return nil
}

// describeWarning says a verdict's warning in words.
func describeWarning(r vtr.Reason) string { return string(r) + ": " + r.Describe() }
