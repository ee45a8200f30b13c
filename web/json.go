package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vtr-project/vtr"
)

// decodeJSON decodes a body holding exactly one JSON object into v:
// unknown fields, wrong types and trailing data are errors naming the
// field (400).
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return vtr.Errorf(vtr.EINVALID, "the body holds more than one JSON value")
	}
	return nil
}

// jsonError turns an encoding/json error into an invalid-input error
// naming the field.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return vtr.Errorf(vtr.EINVALID, "the body is empty; a JSON object is expected")
	case errors.As(err, &se):
		return vtr.Errorf(vtr.EINVALID, "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return vtr.FieldErrorf(vtr.EINVALID, te.Field, "must be %s, not %s", kind(te.Type.Kind().String()), te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return vtr.FieldErrorf(vtr.EINVALID, f, "unknown field")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return vtr.Errorf(vtr.EINVALID, "malformed JSON: the body ends early")
	}
	return vtr.Errorf(vtr.EINVALID, "malformed JSON: %v", err)
}

func kind(k string) string {
	switch k {
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	}
	return fmt.Sprintf("a %s", k)
}
