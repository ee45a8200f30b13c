package web

import (
	"net/http"
	"sort"
	"strings"
)

// access says who may call a route.
type access int

const (
	public   access = iota // no key (operations, documentation)
	anyKey                 // an operator or a seller key
	operator               // an operator key only
	signed                 // a webhook: the vendor's signature instead of a key
)

// route is one entry of the API; /openapi.json documents exactly these.
type route struct {
	method, pattern string
	access          access
	handle          handler
	// amazon: errors in the SP-API's shape, not vtr's.
	amazon bool
}

// register installs every route: this is the whole API.
func (s *Server) register() {
	s.routes = []route{
		{"GET", "/healthz", public, s.healthz, false},
		{"GET", "/readyz", public, s.readyz, false},
		{"GET", "/metrics", public, s.serveMetrics, false},
		{"GET", "/openapi.json", public, s.openAPI, false},

		{"POST", "/v1/records", anyKey, s.postRecords, false},
		{"POST", "/v1/validate", anyKey, s.validate, false},
		{"GET", "/v1/sellers", anyKey, s.listSellers, false},
		{"GET", "/v1/sellers/{id}", anyKey, s.getSeller, false},
		{"PUT", "/v1/sellers/{id}", operator, s.putSeller, false},
		{"POST", "/v1/sellers/{id}/shipments", anyKey, s.postShipment, false},
		{"GET", "/v1/sellers/{id}/rate", anyKey, s.rate, false},
		{"GET", "/v1/sellers/{id}/defects", anyKey, s.defects, false},
		{"GET", "/v1/sellers/{id}/defects.csv", anyKey, s.defectsCSV, false},
		{"GET", "/v1/sellers/{id}/account-health", anyKey, s.accountHealth, false},

		{"GET", "/v1/sellers/{id}/enforcement", anyKey, s.enforcement, false},
		{"GET", "/v1/sellers/{id}/privileges", anyKey, s.privileges, false},
		{"GET", "/v1/sellers/{id}/appeals/draft", anyKey, s.appealDraft, false},
		{"POST", "/v1/sellers/{id}/appeals", anyKey, s.postAppeal, false},
		{"GET", "/v1/appeals", operator, s.listAppeals, false},
		{"POST", "/v1/appeals/{id}/decision", operator, s.decide, false},

		{"POST", "/v1/webhooks/subscriptions", operator, s.postSubscription, false},
		{"GET", "/v1/webhooks/subscriptions", operator, s.listSubscriptions, false},
		{"DELETE", "/v1/webhooks/subscriptions/{id}", operator, s.deleteSubscription, false},
		{"GET", "/v1/webhooks/deliveries", operator, s.listDeliveries, false},
		{"POST", "/v1/webhooks/deliveries/{id}/redeliver", operator, s.redeliver, false},

		{"POST", "/orders/v0/orders/{orderId}/shipmentConfirmation", anyKey, s.spapiConfirm, true},

		{"POST", "/v1/webhooks/aftership", signed, s.webhook("aftership"), false},
		{"POST", "/v1/webhooks/easypost", signed, s.webhook("easypost"), false},
		{"POST", "/v1/webhooks/17track", signed, s.webhook("17track"), false},
	}
	// The dashboard's pages, behind a session cookie (pages*.go): not
	// part of the API, nor of /openapi.json.
	pg := s.newPages()
	pageMethods := map[string][]string{}
	for _, rt := range []pageRoute{
		{pattern: "GET /{$}", access: pageSignedIn, handle: pg.home},
		{pattern: "GET /static/", access: pageOpen, handle: pg.serveStatic},
		{pattern: "GET /login", access: pageOpen, handle: pg.loginForm},
		{pattern: "POST /login", access: pageOpen, handle: pg.login, noCSRF: true},
		{pattern: "POST /logout", access: pageSignedIn, handle: pg.logout},
		{pattern: "GET /sellers/{id}", access: pageSignedIn, handle: pg.sellerHome},
		{pattern: "GET /sellers/{id}/defects", access: pageSignedIn, handle: pg.defects},
		{pattern: "GET /sellers/{id}/defects.csv", access: pageSignedIn, handle: pg.defectsCSV},
		{pattern: "GET /sellers/{id}/preflight", access: pageSignedIn, handle: pg.preflightForm},
		{pattern: "POST /sellers/{id}/preflight", access: pageSignedIn, handle: pg.preflight, maxBody: MaxPreflightBody},
		{pattern: "GET /sellers/{id}/appeal", access: pageSignedIn, handle: pg.appealForm},
		{pattern: "POST /sellers/{id}/appeal", access: pageSignedIn, handle: pg.appeal},
		{pattern: "GET /operator", access: pageOperator, handle: pg.operator},
		{pattern: "POST /operator/appeals/{appeal}/decision", access: pageOperator, handle: pg.decide},
	} {
		s.mux.Handle(rt.pattern, pg.wrap(rt))
		method, path, _ := strings.Cut(rt.pattern, " ")
		pageMethods[path] = append(pageMethods[path], method)
	}
	// Another method on a page's path: 405 as a page, not the API's JSON.
	for path, ms := range pageMethods {
		sort.Strings(ms)
		allow := strings.Join(ms, ", ")
		s.mux.Handle(path, pg.wrap(pageRoute{pattern: "* " + path, access: pageOpen, handle: pageMethodNotAllowed(allow), noCSRF: true}))
	}

	methods := map[string][]string{}
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.wrap(rt))
		methods[rt.pattern] = append(methods[rt.pattern], rt.method)
	}
	// Another method on a known path: 405 in the API's error shape (the
	// mux's own answer is plain text).
	for pattern, ms := range methods {
		sort.Strings(ms)
		allow := strings.Join(ms, ", ")
		s.mux.Handle(pattern, s.wrap(route{pattern: pattern, access: public, handle: methodNotAllowed(allow)}))
	}
	// Anything else: 404 in the same shape.
	s.mux.Handle("/", s.wrap(route{pattern: "/", access: public, handle: notFoundRoute}))
}

func methodNotAllowed(allow string) handler {
	return func(w http.ResponseWriter, r *http.Request, _ *caller) error {
		w.Header().Set("Allow", allow)
		return &statusError{status: http.StatusMethodNotAllowed, code: "method_not_allowed", msg: r.Method + " is not allowed here (allowed: " + allow + ")"}
	}
}

func notFoundRoute(w http.ResponseWriter, r *http.Request, _ *caller) error {
	return &statusError{status: http.StatusNotFound, code: "not_found", msg: "no route " + r.Method + " " + r.URL.Path}
}

// Routes lists a server's routes as "METHOD /pattern" (for tests that
// hold the OpenAPI document to the mux).
func Routes(s *Server) []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.method + " " + rt.pattern
	}
	return out
}
