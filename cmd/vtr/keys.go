package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/vtr-project/vtr"
)

const keysHelp = `Usage:
  vtr keys create --operator [--name N] [--db FILE]
  vtr keys create --seller ID [--name N] [--db FILE]
  vtr keys list [--json] [--db FILE]
  vtr keys revoke [--db FILE] ID

API keys of 'vtr serve'. create prints the new key once, alone on standard
output: vtr keeps only its SHA-256, so store it now. An operator key sees
and changes everything; a seller key only its own seller (the seller need
not exist yet). Requests send it as "Authorization: Bearer KEY". revoke
takes the key's ID (the part after "vtr_" up to the next "_", as 'list'
shows it); a revoked key stops working at once on every server.
`

func (m *Main) keys(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("keys: create, list or revoke ('vtr keys -h')")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("keys " + sub)
	sf := addStoreFlags(fs)
	var operator *bool
	var seller, name *string
	var asJSON *bool
	switch sub {
	case "create":
		operator = fs.Bool("operator", false, "")
		seller = fs.String("seller", "", "")
		name = fs.String("name", "", "")
	case "list":
		asJSON = fs.Bool("json", false, "")
	case "revoke":
	case "-h", "--help", "help":
		_, err := fmt.Fprint(m.Stdout, keysHelp)
		return err
	default:
		return usagef("keys: unknown subcommand %q (create, list, revoke)", sub)
	}
	if ok, err := parse(fs, args, keysHelp, m.Stdout); !ok {
		return err
	}
	switch {
	case sub == "create" && *operator == (*seller != ""):
		return usagef("keys create: give --operator or --seller ID (one of them)")
	case sub == "revoke" && fs.NArg() != 1:
		return usagef("keys revoke: give one key ID")
	case sub != "revoke" && fs.NArg() != 0:
		return usagef("keys %s: unexpected argument %q", sub, fs.Arg(0))
	}
	eng, err := openEngine(ctx, *sf.db, sub != "create")
	if err != nil {
		return err
	}
	defer eng.Close()
	ks := eng.Keys()
	switch sub {
	case "create":
		role := vtr.RoleSeller
		if *operator {
			role = vtr.RoleOperator
		}
		tok, k, hash, err := vtr.NewAPIKey(role, *seller, *name, m.now())
		if err != nil {
			return err
		}
		if err := ks.CreateKey(ctx, &k, hash); err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, tok)
		who := "operator"
		if k.SellerID != "" {
			who = "seller " + k.SellerID
		}
		fmt.Fprintf(m.Stderr, "created key %s for %s; it is shown only once\n", k.ID, who)
		return nil
	case "revoke":
		return ks.RevokeKey(ctx, fs.Arg(0), m.now())
	}
	keys, err := ks.Keys(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if keys == nil {
			keys = []vtr.APIKey{}
		}
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(keys)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tSELLER\tNAME\tCREATED\tREVOKED")
	for _, k := range keys {
		rev := "-"
		if !k.RevokedAt.IsZero() {
			rev = k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, dash(k.SellerID), dash(k.Name), k.CreatedAt.Format(time.RFC3339), rev)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
