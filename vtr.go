// Package vtr holds the domain of the Valid Tracking Rate engine: the error
// type, the stable reason codes every verdict speaks in, and (in later
// files) sellers, orders, packages, events, verdicts and policies.
//
// Implementations live in subpackages: tracking (tracking numbers and
// carriers), the storage engines, the codecs and the web server. The root
// package imports none of them.
package vtr

import (
	"errors"
	"fmt"
)

// Error codes, one per class of failure. They map onto HTTP statuses and
// CLI exit codes in exactly one place each.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden" // authenticated, but the key may not do this
	ETOOLARGE     = "too_large"
	EINTERNAL     = "internal"
)

// Error is the application error: a code from the list above and a message
// written for the person who sent the request or ran the command.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when one is ("" otherwise).
	Field string
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an *Error about one input field.
func FieldErrorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain, or "internal error" for anything else, so internal details never
// reach a user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
