package spapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/vtr-project/vtr"
)

// The error codes the Orders v0 model and the SP-API response-format page
// use (ordersV0.json sandbox responses; developer-docs.amazon.com/sp-api/
// docs/response-format), one per HTTP status the model declares.
const (
	CodeInvalidInput       = "InvalidInput"       // 400
	CodeUnauthorized       = "Unauthorized"       // 403
	CodeNotFound           = "NotFound"           // 404
	CodeQuotaExceeded      = "QuotaExceeded"      // 429
	CodeInternalFailure    = "InternalFailure"    // 500
	CodeServiceUnavailable = "ServiceUnavailable" // 503
)

// Error is one entry of an SP-API error response: Code from the list
// above, Message for the caller, Details optional.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details string `json:"details,omitempty"`
}

// ErrorList is an SP-API error response body, {"errors": [...]}
// (ordersV0.json ErrorList, ConfirmShipmentErrorResponse).
type ErrorList struct {
	Errors []Error `json:"errors"`
}

// WriteErrors writes {"errors": [...]} and a newline to w. With no error
// it still writes a list of one InternalFailure: an error response with
// nothing in it tells the caller nothing.
func WriteErrors(w io.Writer, errs ...Error) error {
	if len(errs) == 0 {
		errs = []Error{{Code: CodeInternalFailure, Message: "internal error"}}
	}
	return json.NewEncoder(w).Encode(ErrorList{Errors: errs})
}

// DecodeErrors reads an SP-API error response, as a client of Amazon (or
// of vtr's emulation) receives it.
func DecodeErrors(body []byte) ([]Error, error) {
	var l struct {
		Errors *[]Error `json:"errors"`
	}
	if err := decodeObject(body, &l); err != nil {
		return nil, err
	}
	if l.Errors == nil {
		return nil, invalid("errors", "required (an SP-API error response)")
	}
	return *l.Errors, nil
}

// Code returns the SP-API error code and HTTP status for a vtr error code
// (vtr.ErrorCode of an error):
//
//	vtr.EINVALID      → InvalidInput, 400
//	vtr.ECONFLICT     → InvalidInput, 400
//	vtr.ENOTFOUND     → NotFound, 404
//	vtr.EUNAUTHORIZED → Unauthorized, 403
//	anything else     → InternalFailure, 500
//
// A conflict is InvalidInput because Orders v0 declares no 409 and no
// conflict code: confirmShipment answers 400, 401, 403, 404, 429, 500 and
// 503 only, and Amazon reports a request at odds with the order's state
// (a package that cannot be updated, "PackageToUpdateNotFound") as a 400;
// a client written against the model handles those statuses and no
// other. Unauthorized is 403, not 401: the model's 403 lists "Access
// Denied, Unauthorized, Expired Token, or Invalid Signature", and the
// response-format page's example pairs code Unauthorized with a denied
// access token. QuotaExceeded (429) and ServiceUnavailable (503) have no
// vtr code; a rate limiter or a server shutting down uses them directly
// with Status.
func Code(vtrCode string) (code string, status int) {
	switch vtrCode {
	case vtr.EINVALID, vtr.ECONFLICT:
		code = CodeInvalidInput
	case vtr.ENOTFOUND:
		code = CodeNotFound
	case vtr.EUNAUTHORIZED:
		code = CodeUnauthorized
	default:
		code = CodeInternalFailure
	}
	return code, Status(code)
}

// Status returns the HTTP status of an SP-API error code, 500 for a code
// not in the list above.
func Status(code string) int {
	switch code {
	case CodeInvalidInput:
		return http.StatusBadRequest
	case CodeUnauthorized:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeQuotaExceeded:
		return http.StatusTooManyRequests
	case CodeServiceUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrorFor turns an error into the SP-API error entry for it and the HTTP
// status to send: the code by Code, the message by vtr.ErrorMessage (so
// an internal error says "internal error" and nothing more), and for a
// *FieldError the field path in Details.
func ErrorFor(err error) (Error, int) {
	code, status := Code(vtr.ErrorCode(err))
	e := Error{Code: code, Message: vtr.ErrorMessage(err)}
	var fe *FieldError
	if errors.As(err, &fe) && fe.Field() != "" {
		e.Details = "field: " + fe.Field()
	}
	return e, status
}
