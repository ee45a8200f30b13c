package main

import (
	"bufio"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/aftership"
	"github.com/vtr-project/vtr/easypost"
	"github.com/vtr-project/vtr/internal/adapter"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/track17"
)

// parsers is the one place that maps a vendor format to its adapter.
var parsers = map[string]func([]byte) ([]vtr.Event, error){
	aftership.Source: aftership.Parse,
	easypost.Source:  easypost.Parse,
	track17.Source:   track17.Parse,
}

// webhookSource reads a file of a vendor's saved webhook payloads (one
// JSON document a line, or pretty-printed documents one after another)
// and yields their events. Framing and resynchronising after a broken
// payload are adapter.Stream's: a bad payload is one rejected line, named
// by the line it starts on, and the payloads after it are read.
func webhookSource(br *bufio.Reader, format string) (func() (native.Record, error), error) {
	parse, ok := parsers[format]
	if !ok {
		return nil, usagef("import: unknown --format %q (native, flatfile, aftership, easypost, 17track)", format)
	}
	return adapter.NewStream(br, parse).Next, nil
}
