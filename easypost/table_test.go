package easypost

import (
	"testing"

	"github.com/vtr-project/vtr/tracking"
)

// Every carrier name maps to a carrier the registry has under exactly that
// code.
func TestCarrierTable(t *testing.T) {
	for name, code := range carriers {
		if tracking.ByCode(code) == nil {
			t.Errorf("carrier %q maps to %q, which is not a canonical carrier code", name, code)
		}
	}
}
