package postgres

// Citus is how the schema distributes on Citus, the distributed engine
// for operators who outgrow one PostgreSQL: each distributed table with
// its distribution column. Seller data is co-located by seller_id, so a
// seller's import batch, rate and report run on one shard; carrier events
// and their summaries are facts about a tracking number, shared by every
// seller that uses the number, and are co-located by tracking_norm. The
// README's "Citus" section says how an event reaches its sellers' shards.
// TestCitusInvariants checks the schema against it.
var Citus = map[string]string{
	"sellers":             "seller_id",
	"orders":              "seller_id",
	"shipments":           "seller_id",
	"packages":            "seller_id",
	"vtr_daily":           "seller_id",
	"order_daily":         "seller_id",
	"reason_daily":        "seller_id",
	"orphans":             "seller_id",
	"enforcement":         "seller_id",
	"enforcement_history": "seller_id",
	"appeals":             "seller_id",
	"categories":          "seller_id", // a seller's SKU/ASIN → category mapping
	"events":              "tracking_norm",
	"scan_summaries":      "tracking_norm",
	"outbox":              "subscription_id", // deliveries are ordered per subscription
}

// CitusReference are the tables replicated to every node as reference
// tables: small, written rarely, joined from anywhere.
// API keys and the answers kept for Idempotency-Key are looked up on
// every request, by key, from any node.
var CitusReference = []string{"unknown_codes", "schema_migrations", "api_keys", "idempotency",
	"webhook_subscriptions", // read by every outbox write and claim
	"sessions"}              // dashboard sessions: looked up with their key on every page
