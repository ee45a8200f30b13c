package aftership

import (
	"testing"

	"github.com/vtr-project/vtr/internal/adaptertest"
)

// Every slug maps to a carrier the registry has under exactly that code.
func TestSlugTable(t *testing.T) {
	adaptertest.CarrierTable(t, "slug", slugs)
	if len(iso3to2) != 250 {
		t.Errorf("iso3to2 has %d entries, want 249 ISO 3166-1 codes + XKX", len(iso3to2))
	}
}
