package spapi_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/spapi"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden (review the diff before committing); UPDATE_GOLDEN=1 does the same")

func updating() bool { return *update || os.Getenv("UPDATE_GOLDEN") != "" }

// samples returns testdata files matching pattern, failing when none do.
func samples(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/%s: %v", pattern, err)
	}
	return files
}

// render is the golden form of a decode: the value as indented JSON, or
// {"error", "field"}.
func render(t *testing.T, v any, err error) []byte {
	t.Helper()
	if err != nil {
		var fe *spapi.FieldError
		field := "(not a FieldError)"
		if errors.As(err, &fe) {
			field = fe.Field()
		}
		v = map[string]string{"error": err.Error(), "field": field}
	}
	b, merr := json.MarshalIndent(v, "", "  ")
	if merr != nil {
		t.Fatal(merr)
	}
	return append(b, '\n')
}

// golden compares got with the golden file, or rewrites it when updating.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if updating() {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s line %d:\n got %s\nwant %s\n(go test -update after review)", path, i+1, g, w)
			}
		}
	}
}

// checkFieldError asserts err is a *FieldError for field, wrapping a
// *vtr.Error with code EINVALID whose message holds msg.
func checkFieldError(t *testing.T, err error, field, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s: …%s…", field, msg)
	}
	var fe *spapi.FieldError
	var ve *vtr.Error
	switch {
	case !errors.As(err, &fe):
		t.Errorf("got %T %v, want a *spapi.FieldError", err, err)
	case fe.Field() != field:
		t.Errorf("got field %q (%v), want %q", fe.Field(), err, field)
	case !errors.As(err, &ve) || ve.Code != vtr.EINVALID:
		t.Errorf("got %v, want a *vtr.Error with code %s", err, vtr.EINVALID)
	case !strings.Contains(ve.Message, msg):
		t.Errorf("got message %q, want it to contain %q", ve.Message, msg)
	case field != "" && !strings.HasPrefix(ve.Message, field+": "):
		t.Errorf("got message %q, want it to start with %q", ve.Message, field+": ")
	}
}

func asFieldError(err error, fe **spapi.FieldError) bool { return errors.As(err, fe) }
