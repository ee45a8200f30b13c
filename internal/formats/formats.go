// Package formats is the one place that maps an input format's name to
// its codec: the record sources of `vtr import` and of the server's
// POST /v1/records, and the carrier-tracking webhooks with their
// signature checks. The codecs themselves live in their own packages.
package formats

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/aftership"
	"github.com/vtr-project/vtr/easypost"
	"github.com/vtr-project/vtr/flatfile"
	"github.com/vtr-project/vtr/internal/adapter"
	"github.com/vtr-project/vtr/native"
	"github.com/vtr-project/vtr/track17"
)

// Webhook is a tracking platform's webhook: its payload parser and its
// signature check, and the environment variable holding its secret.
type Webhook struct {
	Name      string
	Parse     func([]byte) ([]vtr.Event, error)
	Verify    func(body []byte, header http.Header, secret string, now time.Time) error
	SecretEnv string
}

// Webhooks lists the tracking platforms vtr receives, by format name.
var Webhooks = map[string]Webhook{
	aftership.Source: {Name: "AfterShip", Parse: aftership.Parse, Verify: aftership.Verify, SecretEnv: "VTR_AFTERSHIP_SECRET"},
	easypost.Source:  {Name: "EasyPost", Parse: easypost.Parse, Verify: easypost.Verify, SecretEnv: "VTR_EASYPOST_SECRET"},
	track17.Source:   {Name: "17TRACK", Parse: track17.Parse, Verify: track17.Verify, SecretEnv: "VTR_17TRACK_KEY"},
}

// Names are the formats Records reads.
var Names = []string{"native", "flatfile", aftership.Source, easypost.Source, track17.Source}

// Unknown is the error for a format name Records does not know.
func Unknown(format string) error {
	return vtr.Errorf(vtr.EINVALID, "unknown format %q (%s)", format, strings.Join(Names, ", "))
}

// Records returns the record reader for a format. "native" also
// recognises the Amazon flat file by its header. now stamps upload times
// that the input does not give. Every bad line or payload is a
// *vtr.LineError and reading goes on after it.
func Records(br *bufio.Reader, format string, now func() time.Time) (func() (vtr.Record, error), error) {
	switch format {
	case "native":
		head, _ := br.Peek(64)
		if flatfile.LooksLike(head) {
			return flatRecords(br, now)
		}
		return native.NewDecoder(br, now).Next, nil
	case "flatfile":
		return flatRecords(br, now)
	}
	if wh, ok := Webhooks[format]; ok {
		// A file of saved payloads: one JSON document a line, or
		// pretty-printed documents one after another. A bad payload is
		// one rejected line, named by the line it starts on.
		return adapter.NewStream(br, wh.Parse).Next, nil
	}
	return nil, Unknown(format)
}

func flatRecords(r io.Reader, now func() time.Time) (func() (vtr.Record, error), error) {
	fr, err := flatfile.NewReader(r)
	if err != nil {
		return nil, err
	}
	return func() (vtr.Record, error) {
		row, err := fr.Next()
		if err != nil {
			return vtr.Record{}, err
		}
		s, err := row.Shipment(now())
		if err != nil {
			field, msg, _ := strings.Cut(err.Error(), ": ")
			return vtr.Record{}, &vtr.LineError{Line: row.Line, Field: field, Msg: msg}
		}
		return vtr.Record{Line: row.Line, Type: "shipment", Shipment: s}, nil
	}, nil
}
