package postgres

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/vtr-project/vtr/storetest"
)

// TestArrayLiterals sends array parameters as arrayArgs builds them and
// reads every element back from the server unchanged.
func TestArrayLiterals(t *testing.T) {
	db, err := sql.Open("pgx", storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	texts := []string{"", "plain", `"`, `\`, `\"`, `a\"b\\c"`, "{", "}", "{a,b}", ",", " lead", "trail ", "NULL", "null",
		"()", "'quote'", "tab\there", "new\nline", "ünï©ødé 中文", "1Z999AA10123456784", strings.Repeat("x", 5000)}
	ints := []int64{0, -1, 1, 1<<63 - 1, -1 << 63, 1764547200}
	bools := []bool{true, false, false, true}
	args := arrayArgs([]any{texts, ints, bools, "kept", 7})
	for i, a := range args[:3] {
		if _, ok := a.(string); !ok {
			t.Fatalf("arg %d is %T, not a literal", i, a)
		}
	}
	if args[3] != "kept" || args[4] != 7 {
		t.Fatalf("other arguments changed: %v", args[3:])
	}
	var got []string
	rows, err := db.Query(`SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS u(x, n) ORDER BY n`, args[0])
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, texts) {
		t.Errorf("text[] round trip:\n got %q\nwant %q", got, texts)
	}
	var n, hi, lo, last int64
	if err := db.QueryRow(`SELECT count(*), max(x), min(x), ($1::bigint[])[6] FROM unnest($1::bigint[]) x`, args[1]).Scan(&n, &hi, &lo, &last); err != nil {
		t.Fatal(err)
	}
	if n != int64(len(ints)) || hi != ints[3] || lo != ints[4] || last != ints[5] {
		t.Errorf("bigint[] round trip: %d elements, max %d, min %d, last %d", n, hi, lo, last)
	}
	var order string
	if err := db.QueryRow(`SELECT string_agg(CASE WHEN x THEN 't' ELSE 'f' END, '' ORDER BY k) FROM unnest($1::boolean[]) WITH ORDINALITY AS u(x, k)`, args[2]).Scan(&order); err != nil {
		t.Fatal(err)
	}
	if order != "tfft" {
		t.Errorf("boolean[] round trip: %q", order)
	}
	var empty int
	if err := db.QueryRow(`SELECT cardinality($1::text[]) + cardinality($2::bigint[])`, arrayArgs([]any{[]string{}})[0], arrayArgs([]any{[]int64{}})[0]).Scan(&empty); err != nil || empty != 0 {
		t.Errorf("empty arrays: %d, %v", empty, err)
	}

	in := [][]any{{`a"b\c`, int64(1 << 40), 2, true}, {"", int64(-5), -7, false}, {"{x,y}", int64(0), 0, true}}
	rows2, err := db.Query(`SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::boolean[])`, columns(in)...)
	if err != nil {
		t.Fatal(err)
	}
	var back [][]any
	for rows2.Next() {
		var s string
		var a int64
		var b int
		var c bool
		if err := rows2.Scan(&s, &a, &b, &c); err != nil {
			t.Fatal(err)
		}
		back = append(back, []any{s, a, b, c})
	}
	if err := rows2.Err(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(back) != fmt.Sprint(in) {
		t.Errorf("columns round trip:\n got %q\nwant %q", back, in)
	}
}
