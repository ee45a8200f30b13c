package main

import (
	"bufio"

	"github.com/vtr-project/vtr/native"
)

// webhookSource reads vendor webhook payloads (wired in when the adapter
// packages land).
func webhookSource(br *bufio.Reader, format string) (func() (native.Record, error), error) {
	return nil, usagef("import: --format %s is not available yet", format)
}
