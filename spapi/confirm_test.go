package spapi_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/spapi"
)

// sandboxOrder is the orderId of the Orders v0 sandbox request.
const sandboxOrder = "902-1106328-1059050"

func TestConfirmShipmentGolden(t *testing.T) {
	for _, f := range samples(t, "confirm_*.json") {
		t.Run(f, func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := spapi.DecodeConfirmShipment(sandboxOrder, body)
			golden(t, strings.TrimSuffix(f, ".json")+".golden", render(t, c, err))
		})
	}
}

// TestConfirmShipmentSandbox pins what the golden was reviewed for: every
// field of Amazon's sandbox request lands where vtr.Shipment wants it.
func TestConfirmShipmentSandbox(t *testing.T) {
	body, _ := os.ReadFile("testdata/confirm_sandbox_204.json")
	c, err := spapi.DecodeConfirmShipment(sandboxOrder, body)
	if err != nil {
		t.Fatal(err)
	}
	want := vtr.Shipment{OrderID: sandboxOrder, PackageID: "1", Carrier: "FedEx", CarrierName: "FedEx", TrackingNumber: "112345678",
		ShipMethod: "FedEx Ground", ShipFromID: "057d3fcc-b750-419f-bbcd-4d340c60c430", ShippedAt: time.Date(2022, 2, 11, 1, 0, 0, 0, time.UTC)}
	if c.Shipment != want || c.Shipment.ShippedAt.Location() != time.UTC {
		t.Errorf("got %+v, want %+v", c.Shipment, want)
	}
	items := []spapi.OrderItem{{OrderItemID: "79039765272157", Quantity: 1, TransparencyCodes: []string{"09876543211234567890"}}}
	if c.MarketplaceID != "ATVPDKIKX0DER" || c.CODCollectionMethod != "" || !reflect.DeepEqual(c.Items, items) {
		t.Errorf("got marketplace %q cod %q items %+v", c.MarketplaceID, c.CODCollectionMethod, c.Items)
	}

	body, _ = os.ReadFile("testdata/confirm_jp_cod_other_variant.json")
	c, err = spapi.DecodeConfirmShipment(" 249-1234567-1234567 ", body)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Shipment; s.OrderID != "249-1234567-1234567" || !s.ShippedAt.Equal(time.Date(2022, 2, 11, 1, 0, 0, 0, time.UTC)) ||
		s.Carrier != "Other" || s.CarrierName != "Seino Transportation" || c.CODCollectionMethod != spapi.CODDirectPayment || len(c.Items) != 2 ||
		c.Items[1].TransparencyCodes != nil {
		t.Errorf("JP variant: got %+v items %+v", c, c.Items)
	}
}

// A valid body to break one field at a time.
const validBody = `{"marketplaceId":"ATVPDKIKX0DER","packageDetail":{"packageReferenceId":"1","carrierCode":"UPS",` +
	`"trackingNumber":"1Z999AA10123456784","shipDate":"2026-10-03T14:05:00-07:00","orderItems":[{"orderItemId":"1","quantity":1}]}}`

func TestDecodeConfirmShipmentErrors(t *testing.T) {
	// with replaces old by new in validBody, failing the test when old is
	// not there, so a case cannot silently test the valid body.
	with := func(old, new string) string {
		if !strings.Contains(validBody, old) {
			t.Fatalf("%q is not in the valid body", old)
		}
		return strings.Replace(validBody, old, new, 1)
	}
	if _, err := spapi.DecodeConfirmShipment("1", []byte(validBody)); err != nil {
		t.Fatalf("valid body: %v", err)
	}
	tests := []struct {
		name, order, body, field, msg string
	}{
		{"no order", " ", validBody, "orderId", "required"},
		{"empty body", "1", " \n", "", "body is empty"},
		{"array", "1", `[]`, "", "not a JSON object"},
		{"null", "1", `null`, "", "not a JSON object"},
		{"not JSON", "1", `{"marketplaceId":`, "", "body is not JSON"},
		{"broken JSON", "1", `{"marketplaceId" 1}`, "", "body is not JSON"},
		{"trailing object", "1", validBody + `{}`, "", "data after its JSON object"},
		{"trailing garbage", "1", validBody + ` x`, "", "data after its JSON object"},
		{"trailing brace", "1", validBody + `}`, "", "data after its JSON object"},
		{"too large", "1", `{"x":"` + strings.Repeat("a", spapi.MaxBody) + `"}`, "", "larger than"},
		{"no marketplace", "1", with(`"marketplaceId":"ATVPDKIKX0DER",`, ``), "marketplaceId", "required"},
		{"blank marketplace", "1", with(`"ATVPDKIKX0DER"`, `"  "`), "marketplaceId", "required"},
		{"marketplace number", "1", with(`"ATVPDKIKX0DER"`, `7`), "marketplaceId", "expected string, got JSON number"},
		{"bad cod", "1", with(`"marketplaceId"`, `"codCollectionMethod":"Cash","marketplaceId"`), "codCollectionMethod", `"Cash" is not a COD collection method`},
		{"cod type", "1", with(`"marketplaceId"`, `"codCollectionMethod":true,"marketplaceId"`), "codCollectionMethod", "expected string, got JSON bool"},
		{"no package", "1", `{"marketplaceId":"M"}`, "packageDetail", "required"},
		{"null package", "1", `{"marketplaceId":"M","packageDetail":null}`, "packageDetail", "required"},
		{"package array", "1", `{"marketplaceId":"M","packageDetail":[]}`, "packageDetail", "expected object, got JSON array"},
		{"no reference", "1", with(`"packageReferenceId":"1",`, ``), "packageDetail.packageReferenceId", "required"},
		{"reference number", "1", with(`"packageReferenceId":"1"`, `"packageReferenceId":1`), "packageDetail.packageReferenceId", "expected string, got JSON number"},
		{"reference text", "1", with(`"packageReferenceId":"1"`, `"packageReferenceId":"PKG-1"`), "packageDetail.packageReferenceId", `"PKG-1" is not a positive numeric value`},
		{"reference zero", "1", with(`"packageReferenceId":"1"`, `"packageReferenceId":"000"`), "packageDetail.packageReferenceId", "not a positive numeric value"},
		{"reference negative", "1", with(`"packageReferenceId":"1"`, `"packageReferenceId":"-1"`), "packageDetail.packageReferenceId", "not a positive numeric value"},
		{"no carrier", "1", with(`"carrierCode":"UPS",`, ``), "packageDetail.carrierCode", "required"},
		{"carrier object", "1", with(`"carrierCode":"UPS"`, `"carrierCode":{}`), "packageDetail.carrierCode", "expected string, got JSON object"},
		{"other without name", "1", with(`"carrierCode":"UPS"`, `"carrierCode":"Other"`), "packageDetail.carrierName", "required when carrierCode is Other"},
		{"others without name", "1", with(`"carrierCode":"UPS"`, `"carrierCode":"others","carrierName":" "`), "packageDetail.carrierName", "required when carrierCode is others"},
		{"method type", "1", with(`"carrierCode":"UPS"`, `"carrierCode":"UPS","shippingMethod":2`), "packageDetail.shippingMethod", "expected string"},
		{"ship-from type", "1", with(`"carrierCode":"UPS"`, `"carrierCode":"UPS","shipFromSupplySourceId":[]`), "packageDetail.shipFromSupplySourceId", "expected string, got JSON array"},
		{"no tracking", "1", with(`"trackingNumber":"1Z999AA10123456784",`, ``), "packageDetail.trackingNumber", "required"},
		{"blank tracking", "1", with(`"1Z999AA10123456784"`, `" \t"`), "packageDetail.trackingNumber", "required"},
		{"tracking number type", "1", with(`"1Z999AA10123456784"`, `123`), "packageDetail.trackingNumber", "expected string, got JSON number"},
		{"no ship date", "1", with(`"shipDate":"2026-10-03T14:05:00-07:00",`, ``), "packageDetail.shipDate", "required"},
		{"US ship date", "1", with(`2026-10-03T14:05:00-07:00`, `02/21/2022`), "packageDetail.shipDate", `"02/21/2022" is not an ISO 8601 date-time`},
		{"no offset", "1", with(`2026-10-03T14:05:00-07:00`, `2026-10-03T14:05:00`), "packageDetail.shipDate", "has no UTC offset"},
		{"date only", "1", with(`2026-10-03T14:05:00-07:00`, `2026-10-03`), "packageDetail.shipDate", "has no UTC offset"},
		{"year 1", "1", with(`2026-10-03T14:05:00-07:00`, `0001-01-01T00:00:00Z`), "packageDetail.shipDate", "out of range"},
		{"ship date number", "1", with(`"2026-10-03T14:05:00-07:00"`, `20261003`), "packageDetail.shipDate", "expected string, got JSON number"},
		{"no items", "1", with(`,"orderItems":[{"orderItemId":"1","quantity":1}]`, ``), "packageDetail.orderItems", "required"},
		{"null items", "1", with(`[{"orderItemId":"1","quantity":1}]`, `null`), "packageDetail.orderItems", "required"},
		{"items object", "1", with(`[{"orderItemId":"1","quantity":1}]`, `{}`), "packageDetail.orderItems", "expected array, got JSON object"},
		{"item not object", "1", with(`{"orderItemId":"1","quantity":1}`, `{"orderItemId":"1","quantity":1},"x"`), "packageDetail.orderItems[1]", "must be a JSON object"},
		{"item null", "1", with(`{"orderItemId":"1","quantity":1}`, `null`), "packageDetail.orderItems[0]", "must be a JSON object"},
		{"no item id", "1", with(`"orderItemId":"1",`, ``), "packageDetail.orderItems[0].orderItemId", "required"},
		{"item id number", "1", with(`"orderItemId":"1"`, `"orderItemId":1`), "packageDetail.orderItems[0].orderItemId", "expected string, got JSON number"},
		{"no quantity", "1", with(`,"quantity":1`, ``), "packageDetail.orderItems[0].quantity", "required"},
		{"quantity zero", "1", with(`"quantity":1`, `"quantity":0`), "packageDetail.orderItems[0].quantity", "0 is not a quantity"},
		{"quantity negative", "1", with(`"quantity":1`, `"quantity":-2`), "packageDetail.orderItems[0].quantity", "-2 is not a quantity"},
		{"quantity fraction", "1", with(`"quantity":1`, `"quantity":1.5`), "packageDetail.orderItems[0].quantity", "expected number, got JSON number 1.5"},
		{"quantity string", "1", with(`"quantity":1`, `"quantity":"1"`), "packageDetail.orderItems[0].quantity", "expected number, got JSON string"},
		{"second item", "1", with(`}]`, `},{"orderItemId":"2","quantity":0}]`), "packageDetail.orderItems[1].quantity", "0 is not a quantity"},
		{"codes type", "1", with(`"quantity":1`, `"quantity":1,"transparencyCodes":"AZ"`), "packageDetail.orderItems[0].transparencyCodes", "expected array, got JSON string"},
		{"code type", "1", with(`"quantity":1`, `"quantity":1,"transparencyCodes":[1]`), "packageDetail.orderItems[0].transparencyCodes", "expected string, got JSON number"},
		{"blank code", "1", with(`"quantity":1`, `"quantity":1,"transparencyCodes":["A"," "]`), "packageDetail.orderItems[0].transparencyCodes[1]", "is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := spapi.DecodeConfirmShipment(tt.order, []byte(tt.body))
			if c != nil {
				t.Errorf("got %+v with the error, want nil", c)
			}
			checkFieldError(t, err, tt.field, tt.msg)
		})
	}
}

// Unknown fields are tolerated; so are an empty orderItems list and
// white space after the object.
func TestDecodeConfirmShipmentTolerates(t *testing.T) {
	for _, body := range []string{
		strings.Replace(validBody, `"marketplaceId"`, `"x":{"y":[1,null]},"marketplaceId"`, 1),
		strings.Replace(validBody, `"carrierCode"`, `"labelFormat":7,"carrierCode"`, 1),
		strings.Replace(validBody, `"quantity":1`, `"quantity":1,"serialNumbers":["a"]`, 1),
		strings.Replace(validBody, `[{"orderItemId":"1","quantity":1}]`, `[]`, 1),
		" \n" + validBody + "\r\n\t ",
	} {
		if _, err := spapi.DecodeConfirmShipment("1", []byte(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
}

func TestConfirmShipmentRoundTrip(t *testing.T) {
	shipments := []vtr.Shipment{
		{PackageID: "1", Carrier: "UPS", TrackingNumber: "1Z999AA10123456784", ShippedAt: time.Date(2026, 10, 3, 21, 5, 0, 0, time.UTC)},
		{PackageID: "12", Carrier: "Other", CarrierName: "Local Courier", TrackingNumber: " LC 0001 ", ShipMethod: "Standard",
			ShipFromID: "WH-1", ShippedAt: time.Date(2026, 10, 3, 21, 5, 0, 123456789, time.FixedZone("PDT", -7*3600))},
	}
	for i, s := range shipments {
		body, err := spapi.EncodeConfirmShipment("113-0000000-0000001", "ATVPDKIKX0DER", s)
		if err != nil {
			t.Fatalf("%d: encode: %v", i, err)
		}
		c, err := spapi.DecodeConfirmShipment("113-0000000-0000001", body)
		if err != nil {
			t.Fatalf("%d: decode %s: %v", i, body, err)
		}
		want := s
		want.OrderID, want.ShippedAt = "113-0000000-0000001", s.ShippedAt.UTC()
		if c.Shipment != want || c.MarketplaceID != "ATVPDKIKX0DER" || c.Items != nil {
			t.Errorf("%d: got %+v, want %+v", i, c, want)
		}
		var generic map[string]any
		if err := json.Unmarshal(body, &generic); err != nil {
			t.Fatal(err)
		}
		if items, ok := generic["packageDetail"].(map[string]any)["orderItems"].([]any); !ok || len(items) != 0 {
			t.Errorf("%d: orderItems %v, want [] (required)", i, generic["packageDetail"])
		}
	}

	// With items, through (*ConfirmShipment).Encode.
	body, _ := os.ReadFile("testdata/confirm_jp_cod_other_variant.json")
	c, err := spapi.DecodeConfirmShipment(sandboxOrder, body)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Encode()
	if err != nil {
		t.Fatal(err)
	}
	c2, err := spapi.DecodeConfirmShipment(sandboxOrder, again)
	if err != nil || !reflect.DeepEqual(c, c2) {
		t.Errorf("round trip: got %+v (%v), want %+v", c2, err, c)
	}
}

// Encode refuses what Decode would, with the same error.
func TestEncodeConfirmShipmentRefuses(t *testing.T) {
	ok := vtr.Shipment{PackageID: "1", Carrier: "UPS", TrackingNumber: "1Z", ShippedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name, order, market string
		edit                func(*vtr.Shipment)
		field               string
	}{
		{"no order", "", "M", func(*vtr.Shipment) {}, "orderId"},
		{"no marketplace", "1", "", func(*vtr.Shipment) {}, "marketplaceId"},
		{"package not numeric", "1", "M", func(s *vtr.Shipment) { s.PackageID = "P1" }, "packageDetail.packageReferenceId"},
		{"no carrier", "1", "M", func(s *vtr.Shipment) { s.Carrier = "" }, "packageDetail.carrierCode"},
		{"other, no name", "1", "M", func(s *vtr.Shipment) { s.Carrier = "Other" }, "packageDetail.carrierName"},
		{"no number", "1", "M", func(s *vtr.Shipment) { s.TrackingNumber = "" }, "packageDetail.trackingNumber"},
		{"no ship time", "1", "M", func(s *vtr.Shipment) { s.ShippedAt = time.Time{} }, "packageDetail.shipDate"},
	}
	for _, tt := range tests {
		s := ok
		tt.edit(&s)
		body, err := spapi.EncodeConfirmShipment(tt.order, tt.market, s)
		if body != nil {
			t.Errorf("%s: got body %s, want none", tt.name, body)
		}
		t.Run(tt.name, func(t *testing.T) { checkFieldError(t, err, tt.field, "") })
	}
}

func TestConfirmShipmentPath(t *testing.T) {
	if got, want := spapi.ConfirmShipmentPath("902-1106328-1059050"), "/orders/v0/orders/902-1106328-1059050/shipmentConfirmation"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, want := spapi.ConfirmShipmentPath("a/b c"), "/orders/v0/orders/a%2Fb%20c/shipmentConfirmation"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// FuzzDecodeConfirmShipment: no panic; an error is always a *FieldError
// with code EINVALID; whatever decodes encodes, and decodes back equal.
func FuzzDecodeConfirmShipment(f *testing.F) {
	for _, file := range samples(f, "confirm_*.json") {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(sandboxOrder, b)
	}
	f.Add("1", []byte(validBody))
	f.Add("1", []byte(`{"marketplaceId":"M","packageDetail":{"orderItems":[]}}`))
	f.Fuzz(func(t *testing.T, orderID string, body []byte) {
		c, err := spapi.DecodeConfirmShipment(orderID, body)
		if err != nil {
			var fe *spapi.FieldError
			if c != nil || vtr.ErrorCode(err) != vtr.EINVALID || !asFieldError(err, &fe) {
				t.Fatalf("got %+v, %T %v: want nil and an EINVALID *FieldError", c, err, err)
			}
			return
		}
		again, err := c.Encode()
		if err != nil {
			t.Fatalf("decoded %+v does not encode: %v", c, err)
		}
		c2, err := spapi.DecodeConfirmShipment(c.Shipment.OrderID, again)
		if err != nil || !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip of %s: got %+v (%v), want %+v", again, c2, err, c)
		}
	})
}
