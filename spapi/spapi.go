// Package spapi holds pure codecs for the Amazon Selling Partner API shapes
// vtr reads and speaks (marketplace-rules.md §10.3, §11.1; ecosystem.md
// §10): the Orders v0 confirmShipment request body, the SP-API error
// response, and the JSON seller performance report
// (GET_V2_SELLER_PERFORMANCE_REPORT). Nothing here serves HTTP or touches
// storage: the web server and the CLI wire these functions to their
// transports.
//
// Models: github.com/amzn/selling-partner-api-models,
// models/orders-api-model/ordersV0.json (ConfirmShipmentRequest,
// PackageDetail, ConfirmShipmentOrderItem, ErrorList) and
// schemas/reports/accountHealthReport-2020-11-18.json (the report).
package spapi

import (
	"fmt"

	"github.com/vtr-project/vtr"
)

// FieldError is a request body that Amazon's model refuses, with the JSON
// path of the field at fault ("packageDetail.orderItems[0].quantity"), or
// "" when the body as a whole is at fault (not JSON, not an object,
// trailing data). It wraps a *vtr.Error with code vtr.EINVALID whose
// message starts with the path, so errors.As finds either and
// vtr.ErrorCode and vtr.ErrorMessage work unchanged.
//
// It is not a vtr.LineError: a request body has no lines, and a LineError
// means "skip this line of an import and go on", where a refused request
// is refused whole.
type FieldError struct {
	err   *vtr.Error
	field string
}

// Field returns the JSON path of the field at fault, "" for the body.
func (e *FieldError) Field() string { return e.field }

// Error returns the wrapped error's text: "invalid: <path>: <why>".
func (e *FieldError) Error() string { return e.err.Error() }

// Unwrap returns the *vtr.Error (code vtr.EINVALID).
func (e *FieldError) Unwrap() error { return e.err }

// invalid returns a *FieldError for field; its message is "field: why",
// or just why when field is "".
func invalid(field, format string, args ...any) *FieldError {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	return &FieldError{err: &vtr.Error{Code: vtr.EINVALID, Message: msg}, field: field}
}
