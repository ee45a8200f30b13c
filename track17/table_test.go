package track17

import (
	"testing"

	"github.com/vtr-project/vtr/internal/adaptertest"
)

// Every 17TRACK key maps to a carrier the registry has under exactly that
// code.
func TestCarrierTable(t *testing.T) { adaptertest.CarrierTable(t, "17TRACK carrier", carriers) }
