package easypost

import (
	"testing"

	"github.com/vtr-project/vtr/internal/adaptertest"
)

// Every carrier name maps to a carrier the registry has under exactly that
// code.
func TestCarrierTable(t *testing.T) { adaptertest.CarrierTable(t, "carrier", carriers) }
