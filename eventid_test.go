package vtr_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
)

// eventIDAsDefined is EventID written as its comment defines it, field by
// field into the hash; IDs are stored, so EventID must never drift from
// it (an event re-imported under another ID would be stored twice).
func eventIDAsDefined(e *vtr.Event) string {
	h := sha256.New()
	add := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	add(e.Carrier)
	add(e.TrackingNumber)
	add(strconv.FormatInt(e.OccurredAt.Unix(), 10))
	if e.Code != "" {
		add(e.Code)
	} else {
		add(string(e.Status))
	}
	add(strings.Join(strings.Fields(strings.ToLower(e.Description)), " "))
	add(e.Location.City)
	add(e.Location.State)
	add(e.Location.PostalCode)
	add(e.Location.Country)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// An ID computed by the implementation this one replaced (hash.Hash
// written field by field): the key's bytes fail here if they change, even
// if the definition above were changed with them.
func TestEventIDKnown(t *testing.T) {
	e := vtr.Event{Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969574", OccurredAt: time.Date(2026, 10, 3, 21, 5, 0, 0, time.UTC), Code: "OR",
		Description: "Origin  Scan", Location: vtr.Location{City: "Seattle", State: "WA", PostalCode: "98109", Country: "US"}}
	if got, want := vtr.EventID(&e), "59e01435d3890667421c8d08e6fb43ac"; got != want {
		t.Errorf("EventID %s, stored IDs say %s", got, want)
	}
}

func TestEventIDAsDefined(t *testing.T) {
	t0 := time.Date(2026, 10, 3, 14, 5, 0, 0, time.FixedZone("", -7*3600))
	long := strings.Repeat("Arrived at Facility ", 40)
	for _, d := range []string{
		"", "Origin Scan", "  ORIGIN\tscan \n", "\v\fx\ry", "a  b", " ", long,
		"Ankunft im Paketzentrum – Zustellung", "已揽收 Shenzhen", "A\u00a0B", "x\u0085y", "\xff bad utf-8", "İstanbul",
	} {
		for _, code := range []string{"OR", ""} {
			e := vtr.Event{Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969574", OccurredAt: t0, Code: code, Status: vtr.StatusAccepted,
				Description: d, Location: vtr.Location{City: "Seattle", State: "WA", PostalCode: "98109", Country: "US"}}
			if got, want := vtr.EventID(&e), eventIDAsDefined(&e); got != want {
				t.Errorf("description %q, code %q: EventID %s, as defined %s", d, code, got, want)
			}
		}
	}
}

func FuzzEventID(f *testing.F) {
	f.Add("UPS", "1Z96F4R8D313969574", int64(1790000000), "OR", "Origin  Scan", "Seattle", "US")
	f.Add("", "", int64(-1), "", "\t已揽收\u3000X ", "", "")
	f.Fuzz(func(t *testing.T, carrier, number string, unix int64, code, desc, city, country string) {
		e := vtr.Event{Carrier: carrier, TrackingNumber: number, OccurredAt: time.Unix(unix, 0), Code: code, Status: vtr.StatusInTransit,
			Description: desc, Location: vtr.Location{City: city, Country: country}}
		if got, want := vtr.EventID(&e), eventIDAsDefined(&e); got != want {
			t.Fatalf("EventID %s, as defined %s", got, want)
		}
	})
}

func BenchmarkEventID(b *testing.B) {
	e := vtr.Event{Carrier: "UPS", TrackingNumber: "1Z96F4R8D313969574", OccurredAt: time.Date(2026, 10, 3, 21, 5, 0, 0, time.UTC), Code: "OR",
		Description: "Origin Scan", Location: vtr.Location{City: "Seattle", State: "WA", PostalCode: "98109", Country: "US"}}
	b.ReportAllocs()
	for b.Loop() {
		vtr.EventID(&e)
	}
}
