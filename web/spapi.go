package web

import (
	"errors"
	"net/http"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/spapi"
)

// spapiConfirm is Amazon's Orders v0 confirmShipment, taken as Amazon
// takes it, so a seller's SP-API client can point at vtr: the body as
// is, 204 on success, Amazon's {"errors": [...]} on failure. The seller
// is the key's; an operator key names it with ?seller_id= (a vtr
// extension: Amazon's seller is its access token's).
func (s *Server) spapiConfirm(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := query(r, "seller_id")
	if err != nil {
		return err
	}
	seller := c.key.SellerID
	if c.key.Role == vtr.RoleOperator {
		if seller = q["seller_id"]; seller == "" {
			return vtr.FieldErrorf(vtr.EINVALID, "seller_id", "an operator key names the seller with ?seller_id=")
		}
	} else if id, ok := q["seller_id"]; ok && id != seller {
		return vtr.Errorf(vtr.ENOTFOUND, "no seller %s", id)
	}
	cs, err := spapi.DecodeConfirmShipment(r.PathValue("orderId"), c.body)
	if err != nil {
		return err
	}
	sh := cs.Shipment
	sh.SellerID, sh.UploadedAt = seller, s.now()
	if _, err := s.confirm(r, c, "spapi", vtr.Record{Line: 1, Type: "shipment", Shipment: &sh}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeAmazonError answers an error in the SP-API's shape.
func (s *Server) writeAmazonError(w http.ResponseWriter, r *http.Request, err error) {
	var se *statusError
	var ve *vtr.Error
	switch {
	case errors.As(err, &se):
		err = vtr.Errorf(vtr.EINVALID, "%s", se.msg)
		if se.status == http.StatusNotFound {
			err = vtr.Errorf(vtr.ENOTFOUND, "%s", se.msg)
		}
	case errors.As(err, &ve) && ve.Code == vtr.EFORBIDDEN:
		err = vtr.Errorf(vtr.EUNAUTHORIZED, "%s", ve.Message)
	}
	e, st := spapi.ErrorFor(err)
	if errors.As(err, &ve) && ve.Code == vtr.ETOOLARGE {
		st = http.StatusRequestEntityTooLarge
	}
	if st == http.StatusInternalServerError {
		s.cfg.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(st)
	spapi.WriteErrors(w, e)
}

// accountHealth answers the seller's figures in the shape of Amazon's
// GET_V2_SELLER_PERFORMANCE_REPORT, so tools written for the SP-API read
// vtr unchanged.
func (s *Server) accountHealth(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	if err := c.seller(id); err != nil {
		return err
	}
	q, err := query(r, "policy", "as_of")
	if err != nil {
		return err
	}
	at, err := s.asOf(q)
	if err != nil {
		return err
	}
	rep, err := s.cfg.Store.Rate(r.Context(), id, q["policy"], at, 0)
	if err != nil {
		return err
	}
	mkt := ""
	if p, err := s.cfg.Policies.Get(rep.Policy); err == nil {
		mkt = spapi.MarketplaceID(p.Marketplace)
	}
	writeJSON(w, http.StatusOK, spapi.FromRate(rep, mkt))
	return nil
}
