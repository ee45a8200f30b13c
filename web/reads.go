package web

import (
	"bufio"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/report"
	"github.com/vtr-project/vtr/tracking"
)

// query reads a request's query parameters, refusing any not in allowed
// (a misspelt filter must not silently widen an answer) and repeated ones.
func query(r *http.Request, allowed ...string) (map[string]string, error) {
	out := map[string]string{}
	for k, vs := range r.URL.Query() {
		if !slices.Contains(allowed, k) {
			return nil, vtr.FieldErrorf(vtr.EINVALID, k, "unknown query parameter (known: %s)", strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return nil, vtr.FieldErrorf(vtr.EINVALID, k, "given more than once")
		}
		out[k] = vs[0]
	}
	return out, nil
}

func (s *Server) asOf(q map[string]string) (time.Time, error) {
	at, err := vtr.ParseAsOf(q["as_of"], s.now())
	if err != nil {
		return at, vtr.FieldErrorf(vtr.EINVALID, "as_of", "%s", vtr.ErrorMessage(err))
	}
	return at, nil
}

func boolParam(q map[string]string, name string) (bool, error) {
	v, ok := q[name]
	if !ok || v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, vtr.FieldErrorf(vtr.EINVALID, name, "%q is not true or false", v)
	}
	return b, nil
}

// listSellers lists the sellers the key may see.
func (s *Server) listSellers(w http.ResponseWriter, r *http.Request, c *caller) error {
	if _, err := query(r); err != nil {
		return err
	}
	var out []vtr.Seller
	if c.key.Role == vtr.RoleOperator {
		all, err := s.cfg.Store.Sellers(r.Context())
		if err != nil {
			return err
		}
		out = all
	} else {
		sel, err := s.cfg.Store.Seller(r.Context(), c.key.SellerID)
		switch {
		case err == nil:
			out = []vtr.Seller{*sel}
		case vtr.ErrorCode(err) != vtr.ENOTFOUND:
			return err
		}
	}
	if out == nil {
		out = []vtr.Seller{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sellers": out})
	return nil
}

func (s *Server) getSeller(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := c.seller(id); err != nil {
		return err
	}
	if _, err := query(r); err != nil {
		return err
	}
	sel, err := s.cfg.Store.Seller(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sel)
	return nil
}

// rate answers exactly what `vtr rate --json` prints.
func (s *Server) rate(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := c.seller(id); err != nil {
		return err
	}
	q, err := query(r, "policy", "as_of", "what_if")
	if err != nil {
		return err
	}
	at, err := s.asOf(q)
	if err != nil {
		return err
	}
	whatIf := 7
	if v, ok := q["what_if"]; ok {
		if whatIf, err = strconv.Atoi(v); err != nil || whatIf < 0 || whatIf > 365 {
			return vtr.FieldErrorf(vtr.EINVALID, "what_if", "%q is not a number of days from 0 to 365", v)
		}
	}
	rep, err := s.cfg.Store.Rate(r.Context(), id, q["policy"], at, whatIf)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// filter reads the defect report's filters.
func (s *Server) filter(r *http.Request, c *caller) (vtr.ReportFilter, error) {
	f := vtr.ReportFilter{SellerID: r.PathValue("id")}
	if err := c.seller(f.SellerID); err != nil {
		return f, err
	}
	q, err := query(r, "policy", "as_of", "carrier", "category", "shipped_late", "delivered_late")
	if err != nil {
		return f, err
	}
	at, err := s.asOf(q)
	if err != nil {
		return f, err
	}
	f.AsOf, f.Policy, f.Carrier, f.Category = at, q["policy"], q["carrier"], q["category"]
	if f.ShippedLate, err = boolParam(q, "shipped_late"); err != nil {
		return f, err
	}
	f.DeliveredLate, err = boolParam(q, "delivered_late")
	return f, err
}

// defects streams the defect report's rows as a JSON array. The filter
// and the seller are checked before the first byte, so errors about
// them have their status; a failure once rows flow cuts the array short
// (the client sees invalid JSON, never a complete-looking answer).
func (s *Server) defects(w http.ResponseWriter, r *http.Request, c *caller) error {
	f, err := s.filter(r, c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Store.Rate(r.Context(), f.SellerID, f.Policy, f.AsOf, 0); err != nil {
		return err // unknown seller or policy: 404 before any row
	}
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteByte('[')
	n := 0
	_, err = s.cfg.Store.Defects(r.Context(), f, func(row *vtr.DefectRow) error {
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		b, err := json.Marshal(row)
		if err != nil {
			return err
		}
		_, err = bw.Write(b)
		return err
	})
	if err != nil {
		s.cfg.Log.Error("defects stream cut", "seller", f.SellerID, "err", err)
		return nil // headers are sent: end the body short
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

// defectsCSV streams the same CSV as `vtr report`.
func (s *Server) defectsCSV(w http.ResponseWriter, r *http.Request, c *caller) error {
	f, err := s.filter(r, c)
	if err != nil {
		return err
	}
	if _, err := s.cfg.Store.Rate(r.Context(), f.SellerID, f.Policy, f.AsOf, 0); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeName(f.SellerID)+`-defects.csv"`)
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

// safeName keeps a file name to letters, digits, '-' and '_'.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}

// validateRequest is POST /v1/validate's body.
type validateRequest struct {
	Numbers []string `json:"numbers"`
	Carrier string   `json:"carrier"`
}

// validate answers the objects of `vtr validate --json`, in order.
func (s *Server) validate(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req validateRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	if len(req.Numbers) == 0 {
		return vtr.FieldErrorf(vtr.EINVALID, "numbers", "give at least one number")
	}
	var claimed *tracking.Carrier
	if req.Carrier != "" {
		m, ok := tracking.Lookup(req.Carrier)
		if !ok {
			return vtr.FieldErrorf(vtr.EINVALID, "carrier", "unknown carrier %q", req.Carrier)
		}
		claimed = m.Carrier
	}
	b := make([]byte, 0, 256*len(req.Numbers))
	b = append(b, `{"results":[`...)
	var res tracking.Result
	for i, n := range req.Numbers {
		if i > 0 {
			b = append(b, ',')
		}
		res.Check(n, claimed)
		b = res.AppendJSON(b)
	}
	b = append(b, "]}\n"...)
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(b)
	return err
}
