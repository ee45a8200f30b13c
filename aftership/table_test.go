package aftership

import (
	"testing"

	"github.com/vtr-project/vtr/tracking"
)

// Every slug maps to a carrier the registry has under exactly that code.
func TestSlugTable(t *testing.T) {
	for slug, code := range slugs {
		if tracking.ByCode(code) == nil {
			t.Errorf("slug %q maps to %q, which is not a canonical carrier code", slug, code)
		}
	}
	if len(iso3to2) != 250 {
		t.Errorf("iso3to2 has %d entries, want 249 ISO 3166-1 codes + XKX", len(iso3to2))
	}
}
