package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vtr-project/vtr/postgres"
	"github.com/vtr-project/vtr/storetest"
)

// vtr's connections plan each statement for its parameters (a generic
// plan made while a table was small outlives its size when nothing
// analyzes the table), unless the URL says otherwise.
func TestPlanCacheMode(t *testing.T) {
	u := storetest.PostgresURL(t)
	for _, c := range []struct{ dsn, want string }{
		{u, "force_custom_plan"},
		{u + map[bool]string{true: "&", false: "?"}[strings.Contains(u, "?")] + "plan_cache_mode=auto", "auto"},
	} {
		d, err := postgres.Open(context.Background(), c.dsn)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		// Every connection of the pool, not only the first.
		for range 3 {
			conn, err := d.SQL().Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if err := conn.QueryRowContext(context.Background(), `SHOW plan_cache_mode`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s: plan_cache_mode %s, want %s", c.dsn, got, c.want)
			}
		}
		d.Close()
	}
}
