package spapi_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/spapi"
)

func TestCode(t *testing.T) {
	tests := []struct {
		vtrCode, code string
		status        int
	}{
		{vtr.EINVALID, "InvalidInput", 400},
		{vtr.ECONFLICT, "InvalidInput", 400},
		{vtr.ENOTFOUND, "NotFound", 404},
		{vtr.EUNAUTHORIZED, "Unauthorized", 403},
		{vtr.EINTERNAL, "InternalFailure", 500},
		{"", "InternalFailure", 500},
		{"something new", "InternalFailure", 500},
	}
	for _, tt := range tests {
		if code, status := spapi.Code(tt.vtrCode); code != tt.code || status != tt.status {
			t.Errorf("Code(%q): got %s %d, want %s %d", tt.vtrCode, code, status, tt.code, tt.status)
		}
	}
	for code, want := range map[string]int{"InvalidInput": 400, "Unauthorized": 403, "NotFound": 404, "QuotaExceeded": 429,
		"InternalFailure": 500, "ServiceUnavailable": 503, "Invalid Input": 500} {
		if got := spapi.Status(code); got != want {
			t.Errorf("Status(%q): got %d, want %d", code, got, want)
		}
	}
}

func TestErrorFor(t *testing.T) {
	_, fieldErr := spapi.DecodeConfirmShipment("1", []byte(`{"marketplaceId":""}`))
	tests := []struct {
		err    error
		want   spapi.Error
		status int
	}{
		{fieldErr, spapi.Error{Code: "InvalidInput", Message: "marketplaceId: required", Details: "field: marketplaceId"}, 400},
		{fmt.Errorf("confirm: %w", vtr.Errorf(vtr.ENOTFOUND, "order 1 not found")), spapi.Error{Code: "NotFound", Message: "order 1 not found"}, 404},
		{vtr.Errorf(vtr.ECONFLICT, "package 1 was confirmed with another number"), spapi.Error{Code: "InvalidInput", Message: "package 1 was confirmed with another number"}, 400},
		{vtr.Errorf(vtr.EUNAUTHORIZED, "bad token"), spapi.Error{Code: "Unauthorized", Message: "bad token"}, 403},
		{errors.New("disk on fire at /var/lib/vtr"), spapi.Error{Code: "InternalFailure", Message: "internal error"}, 500},
	}
	for _, tt := range tests {
		if got, status := spapi.ErrorFor(tt.err); got != tt.want || status != tt.status {
			t.Errorf("ErrorFor(%v): got %+v %d, want %+v %d", tt.err, got, status, tt.want, tt.status)
		}
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := spapi.WriteErrors(&buf, spapi.Error{Code: "InvalidInput", Message: "packageDetail.shipDate: required", Details: "field: packageDetail.shipDate"},
		spapi.Error{Code: "InvalidInput", Message: "marketplaceId: required"}); err != nil {
		t.Fatal(err)
	}
	want := `{"errors":[{"code":"InvalidInput","message":"packageDetail.shipDate: required","details":"field: packageDetail.shipDate"},` +
		`{"code":"InvalidInput","message":"marketplaceId: required"}]}` + "\n"
	if buf.String() != want {
		t.Errorf("got %s\nwant %s", buf.String(), want)
	}
	errs, err := spapi.DecodeErrors(buf.Bytes())
	if err != nil || len(errs) != 2 || errs[0].Details != "field: packageDetail.shipDate" {
		t.Errorf("DecodeErrors: got %+v, %v", errs, err)
	}

	buf.Reset()
	if err := spapi.WriteErrors(&buf); err != nil {
		t.Fatal(err)
	}
	if want := `{"errors":[{"code":"InternalFailure","message":"internal error"}]}` + "\n"; buf.String() != want {
		t.Errorf("no errors: got %s, want %s", buf.String(), want)
	}
}

// The error response of Amazon's sandbox (ordersV0.json, confirmShipment
// 400) reads as it is written, its odd code included.
func TestDecodeErrors(t *testing.T) {
	got, err := spapi.DecodeErrors([]byte(`{"errors": [{"code": "Invalid Input", "message": "Invalid Input"}]}`))
	if want := []spapi.Error{{Code: "Invalid Input", Message: "Invalid Input"}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	_, err = spapi.DecodeErrors([]byte(`{"payload": {}}`))
	checkFieldError(t, err, "errors", "required")
	_, err = spapi.DecodeErrors([]byte(`{"errors": [{"code": 400}]}`))
	checkFieldError(t, err, "errors.code", "expected string")
}
