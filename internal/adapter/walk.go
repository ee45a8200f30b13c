package adapter

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Element is one JSON value of a payload and the line it starts on.
type Element struct {
	Raw  json.RawMessage
	Line int
}

// Walker reads one payload's JSON token by token and knows the line each
// value starts on, so a codec can find a response's records without
// decoding them (one bad record costs only itself) and name their lines.
type Walker struct {
	*json.Decoder
	body []byte
	line int // the line the payload starts on
}

// NewWalker walks body, a payload that starts on line.
func NewWalker(body []byte, line int) *Walker {
	return &Walker{Decoder: json.NewDecoder(bytes.NewReader(body)), body: body, line: line}
}

// Offset is where the next value starts in the payload: past white
// space, commas and colons.
func (w *Walker) Offset() int {
	i := int(w.InputOffset())
	for i < len(w.body) && bytes.IndexByte([]byte(" \t\r\n,:"), w.body[i]) >= 0 {
		i++
	}
	return i
}

// Line is the line the next value starts on.
func (w *Walker) Line() int { return w.line + bytes.Count(w.body[:w.Offset()], []byte("\n")) }

// LineAt is the line of an offset in the payload.
func (w *Walker) LineAt(off int) int { return w.line + bytes.Count(w.body[:off], []byte("\n")) }

// Value reads the next value whole.
func (w *Walker) Value() (Element, error) {
	l := w.Line()
	var raw json.RawMessage
	if err := w.Decode(&raw); err != nil {
		return Element{}, err
	}
	return Element{Raw: raw, Line: l}, nil
}

// Skip reads past the next value.
func (w *Walker) Skip() error {
	var raw json.RawMessage
	return w.Decode(&raw)
}

// Array reads an array (null is empty) element by element.
func (w *Walker) Array() ([]Element, error) {
	t, err := w.Token()
	if err != nil || t == nil {
		return nil, err
	}
	if t != json.Delim('[') {
		return nil, fmt.Errorf("expected an array, got %v", t)
	}
	var out []Element
	for w.More() {
		el, err := w.Value()
		if err != nil {
			return nil, err
		}
		out = append(out, el)
	}
	_, err = w.Token()
	return out, err
}

// Object reads an object (null is none), calling member with each key
// before its value; member reads the value (Value, Array, Object, Skip
// or Decode).
func (w *Walker) Object(member func(key string) error) error {
	t, err := w.Token()
	if err != nil || t == nil {
		return err
	}
	if t != json.Delim('{') {
		return fmt.Errorf("expected an object, got %v", t)
	}
	for w.More() {
		t, err := w.Token()
		if err != nil {
			return err
		}
		key, ok := t.(string)
		if !ok {
			return fmt.Errorf("unexpected %v", t)
		}
		if err := member(key); err != nil {
			return err
		}
	}
	_, err = w.Token()
	return err
}

// Bytes is the payload from offset start to end.
func (w *Walker) Bytes(start, end int) []byte { return w.body[start:end] }
