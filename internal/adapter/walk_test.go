package adapter

import (
	"strings"
	"testing"
)

func TestWalker(t *testing.T) {
	body := []byte("{\n  \"skip\": {\"a\": [1, 2]},\n  \"list\": [\n    {\"id\": 1},\n\n    {\"id\": 2}\n  ],\n  \"none\": null,\n  \"one\":\n    \"x\"\n}")
	w := NewWalker(body, 10)
	var list, none []Element
	var one Element
	err := w.Object(func(key string) error {
		var err error
		switch key {
		case "list":
			list, err = w.Array()
		case "none":
			none, err = w.Array()
		case "one":
			one, err = w.Value()
		default:
			err = w.Skip()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || string(list[0].Raw) != `{"id": 1}` || list[0].Line != 13 || list[1].Line != 15 {
		t.Errorf("list %+v", list)
	}
	if none != nil {
		t.Errorf("null array: %v", none)
	}
	if string(one.Raw) != `"x"` || one.Line != 19 {
		t.Errorf("one %+v (%s)", one, one.Raw)
	}
	for _, c := range []struct{ in, want string }{
		{`[1]`, "expected an object"},
		{`{"a": 1`, "EOF"},
		{`{"a" 1}`, "colon"},
	} {
		w := NewWalker([]byte(c.in), 1)
		err := w.Object(func(string) error { return w.Skip() })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.in, err, c.want)
		}
	}
	if _, err := NewWalker([]byte(`{"a":1}`), 1).Array(); err == nil || !strings.Contains(err.Error(), "expected an array") {
		t.Errorf("an object as an array: %v", err)
	}
	if err := NewWalker([]byte(`null`), 1).Object(func(string) error { t.Error("a member of null"); return nil }); err != nil {
		t.Errorf("null object: %v", err)
	}
}
