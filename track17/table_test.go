package track17

import (
	"testing"

	"github.com/vtr-project/vtr/tracking"
)

// Every 17TRACK key maps to a carrier the registry has under exactly that
// code.
func TestCarrierTable(t *testing.T) {
	for key, code := range carriers {
		if tracking.ByCode(code) == nil {
			t.Errorf("17TRACK carrier %d maps to %q, which is not a canonical carrier code", key, code)
		}
	}
}
