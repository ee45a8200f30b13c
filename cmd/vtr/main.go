// Command vtr is the Valid Tracking Rate engine: it validates tracking
// numbers before they are uploaded, pre-flights flat files, imports
// shipments and carrier events, judges packages, and reports rates and
// defects from SQLite or PostgreSQL. Main is wiring only: one file per
// subcommand.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/vtr-project/vtr"
	"github.com/vtr-project/vtr/ingest"
)

func main() {
	ingest.LimitMemory()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	code := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main runs one vtr command with its own standard streams, so tests run
// the real CLI in process.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Now is the CLI's one clock (time.Now when nil); tests set it.
	Now func() time.Time
}

func (m *Main) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errFound reports that the command ran but found defects (an invalid
// tracking number, a line a marketplace would reject): exit status 1.
var errFound = errors.New("defects found")

const usage = `vtr — the Valid Tracking Rate engine

Usage:
  vtr demo [--db FILE] [--addr HOST:PORT] [--no-serve]
                 the main job on the embedded database: load demo data if it
                 is empty, every seller's rate and the worst defects, then
                 the dashboard and API with demo keys
  vtr validate [--carrier CODE] [--json] [NUMBER ...]
                 validate tracking numbers (from the arguments, or one per
                 line from standard input)
  vtr carriers [--json]
                 list the carriers vtr knows, with their formats
  vtr check [--policy P] [--origin CC] [--json] [--fix OUT] FILE
                 pre-flight an Amazon shipping-confirmation flat file: what
                 the engine will say under that policy and origin
  vtr import [--db FILE] [--format F] FILE|-
                 import sellers, orders, shipments, cancellations, events
  vtr rate --seller ID [--policy P] [--as-of TIME] [--json]
                 the live Valid Tracking Rate per category, with siblings
  vtr report --seller ID [--policy P] [--as-of TIME] [filters]
                 the defect report as CSV
  vtr verify [--db FILE]
                 recompute everything and compare with the live aggregates
  vtr unclassified [--db FILE]
                 carrier event codes no table classifies yet
  vtr policies [--json] [--policies FILE]
                 list the marketplace policies and their parameters
  vtr simulate --sellers N --days D --seed S [--format F] [--truth FILE]
                 a deterministic carrier network: sellers, orders, shipments,
                 scan journeys and the failure modes sellers hit
  vtr reconcile --seller ID [--policy P] [--json] FILE
                 the marketplace's own VTR figures (Amazon's seller
                 performance report, Walmart's VTR summary) beside vtr's
  vtr serve [--db FILE|URL] [--addr HOST:PORT] [--config FILE]
                 the HTTP API: records, shipments, rates, defects, SP-API
                 compatible routes, carrier webhooks, metrics
  vtr keys create --operator|--seller ID [--name N] | list | revoke ID
                 API keys for 'vtr serve'
  vtr enforce [--as-of TIME] [--json]
                 evaluate every seller group due on its policy's cadence:
                 at risk, restricted (then only a plan of action reinstates)
  vtr enforcement --seller ID [--json]
                 a seller's enforcement states and their audit history
  vtr appeal --seller ID --policy P --group G --file poa.json | --draft
                 submit a plan of action (or print one pre-filled)
  vtr decide ID approve|reject [--note N]
                 an operator's decision on a plan of action
  vtr privileges --seller ID [--json]
                 the groups the seller may self-fulfil now
  vtr webhooks add --url URL --events E,… [--seller ID] | list | deliver
                 | failed | redeliver ID
                 outgoing signed webhooks: subscriptions and deliveries
  vtr sellers [--json]
                 the sellers and the policies they are judged by
  vtr version    the version of this binary
  vtr help [CMD] show this help, or a command's

Exit status: 0 all good, 1 defects found or lines rejected, 2 usage error
or invalid request, 3 other failure, 4 not found (seller, policy, database),
5 another vtr process holds the database.
`

// Exit statuses. A *vtr.Error maps by its code.
const (
	exitOK       = 0
	exitFound    = 1 // ran, found defects or rejected lines
	exitUsage    = 2 // bad command line or input the command refused
	exitFailure  = 3 // anything else
	exitNotFound = 4 // no such seller, policy or database
	exitConflict = 5 // another vtr process holds the database: retry
)

// Run executes the command in args and returns the process exit status.
// Exit statuses and error messages are decided here and nowhere else.
func (m *Main) Run(ctx context.Context, args []string) int {
	err := m.run(ctx, args)
	var ue *usageError
	var ve *vtr.Error
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFound):
		return exitFound
	case errors.As(err, &ue):
		fmt.Fprintf(m.Stderr, "vtr: %s\nRun 'vtr help' for usage.\n", ue.msg)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(m.Stderr, "vtr: interrupted")
		return exitFailure
	case errors.As(err, &ve):
		fmt.Fprintf(m.Stderr, "vtr: %s\n", vtr.ErrorMessage(err))
		switch vtr.ErrorCode(err) {
		case vtr.EINVALID:
			return exitUsage
		case vtr.ENOTFOUND:
			return exitNotFound
		case vtr.ECONFLICT:
			return exitConflict
		}
		return exitFailure
	default:
		// Not a domain error: an operator's problem (a file, the
		// database); the whole chain says what and where.
		fmt.Fprintf(m.Stderr, "vtr: %s\n", err)
		return exitFailure
	}
}

// commands are the subcommands, for `vtr help CMD`.
var commands = []string{"validate", "carriers", "import", "rate", "report", "check", "verify", "policies", "simulate",
	"demo", "enforce", "enforcement", "appeal", "decide", "privileges", "webhooks", "reconcile", "keys", "serve",
	"unclassified", "sellers", "version"}

func (m *Main) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "validate":
		return m.validate(ctx, rest)
	case "carriers":
		return m.carriers(rest)
	case "import":
		return m.importCmd(ctx, rest)
	case "rate":
		return m.rate(ctx, rest)
	case "report":
		return m.report(ctx, rest)
	case "check":
		return m.check(ctx, rest)
	case "verify":
		return m.verify(ctx, rest)
	case "policies":
		return m.policies(rest)
	case "simulate":
		return m.simulate(ctx, rest)
	case "demo":
		return m.demo(ctx, rest)
	case "enforce":
		return m.enforce(ctx, args[1:])
	case "enforcement":
		return m.enforcement(ctx, args[1:])
	case "appeal":
		return m.appeal(ctx, args[1:])
	case "decide":
		return m.decide(ctx, args[1:])
	case "privileges":
		return m.privileges(ctx, args[1:])
	case "webhooks":
		return m.webhooks(ctx, args[1:])
	case "reconcile":
		return m.reconcile(ctx, args[1:])
	case "keys":
		return m.keys(ctx, args[1:])
	case "serve":
		return m.serve(ctx, args[1:])
	case "unclassified":
		return m.unclassified(ctx, rest)
	case "sellers":
		return m.sellers(ctx, rest)
	case "version", "--version":
		return m.version()
	case "help", "-h", "--help":
		if len(rest) == 0 {
			_, err := io.WriteString(m.Stdout, usage)
			return err
		}
		if !slices.Contains(commands, rest[0]) {
			return usagef("help: unknown command %q", rest[0])
		}
		return m.run(ctx, []string{rest[0], "-h"})
	}
	return usagef("unknown command %q", cmd)
}
