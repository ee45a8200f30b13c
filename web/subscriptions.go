package web

import (
	"net/http"
	"strconv"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/notify"
)

// subscriptionRequest is POST /v1/webhooks/subscriptions's body.
type subscriptionRequest struct {
	URL      string   `json:"url"`
	Events   []string `json:"events"`
	SellerID string   `json:"seller_id"`
}

// postSubscription registers a receiver of outgoing webhooks (operator
// keys): only URLs registered here are ever called. The answer holds the
// signing secret, shown this once.
func (s *Server) postSubscription(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req subscriptionRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	if req.URL == "" {
		return vtr.FieldErrorf(vtr.EINVALID, "url", "required")
	}
	sub, err := notify.NewSubscription(req.URL, req.Events, req.SellerID, s.now())
	if err != nil {
		return err
	}
	if err := s.cfg.Outbox.CreateSubscription(r.Context(), &sub); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sub)
	return nil
}

func (s *Server) listSubscriptions(w http.ResponseWriter, r *http.Request, c *caller) error {
	if _, err := query(r); err != nil {
		return err
	}
	subs, err := s.cfg.Outbox.Subscriptions(r.Context())
	if err != nil {
		return err
	}
	if subs == nil {
		subs = []vtr.Subscription{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"subscriptions": subs})
	return nil
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := s.cfg.Outbox.DisableSubscription(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listDeliveries lists outgoing deliveries, ?status=failed for those
// given up on after 24 hours of retries.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := query(r, "status", "limit")
	if err != nil {
		return err
	}
	status := q["status"]
	switch status {
	case "", vtr.DeliveryPending, vtr.DeliveryDelivered, vtr.DeliveryFailed:
	default:
		return vtr.FieldErrorf(vtr.EINVALID, "status", "%q is not pending, delivered or failed", status)
	}
	limit := 100
	if v, ok := q["limit"]; ok {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return vtr.FieldErrorf(vtr.EINVALID, "limit", "%q is not a number from 1 to 1000", v)
		}
	}
	ds, err := s.cfg.Outbox.Deliveries(r.Context(), status, limit)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []vtr.Delivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
	return nil
}

// redeliver sends a delivery again (a failed one, after its receiver is
// fixed).
func (s *Server) redeliver(w http.ResponseWriter, r *http.Request, c *caller) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return vtr.Errorf(vtr.ENOTFOUND, "no delivery %s", r.PathValue("id"))
	}
	if err := s.cfg.Outbox.Redeliver(r.Context(), id, s.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}
