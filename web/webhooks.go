package web

import (
	"io"
	"net/http"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/internal/formats"
)

// webhook receives a tracking platform's delivery: its signature is
// checked against the raw body with the configured secret before
// anything is parsed; a bad, missing or stale signature is 401 and
// nothing is stored. Events are facts about numbers, stored once: a
// redelivered payload changes nothing.
func (s *Server) webhook(format string) handler {
	wh := formats.Webhooks[format]
	return func(w http.ResponseWriter, r *http.Request, c *caller) error {
		secret := s.cfg.Secrets[format]
		if secret == "" {
			return vtr.Errorf(vtr.ENOTFOUND, "the %s receiver is not configured (set %s)", wh.Name, wh.SecretEnv)
		}
		if err := wh.Verify(c.body, r.Header, secret, s.now()); err != nil {
			s.metrics.signatures.With(format).Inc()
			s.cfg.Log.Warn("webhook signature refused", "source", format, "remote", r.RemoteAddr, "err", err)
			if vtr.ErrorCode(err) == vtr.EINTERNAL {
				return err
			}
			return vtr.Errorf(vtr.EUNAUTHORIZED, "%s", vtr.ErrorMessage(err))
		}
		events, err := wh.Parse(c.body)
		if err != nil {
			return vtr.Errorf(vtr.EINVALID, "%s payload: %v", wh.Name, err)
		}
		i := 0
		ans, err := s.importRecords(r, c, format, func() (vtr.Record, error) {
			if i == len(events) {
				return vtr.Record{}, io.EOF
			}
			i++
			return vtr.Record{Line: 1, Type: "event", Event: &events[i-1]}, nil
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, ans)
		return nil
	}
}
