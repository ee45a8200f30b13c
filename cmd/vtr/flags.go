package main

import (
	"errors"
	"flag"
	"io"
)

// newFlags returns a flag set for a subcommand that reports errors as
// usage errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args, turning flag errors into usage errors; -h prints the
// subcommand's help.
func parse(fs *flag.FlagSet, args []string, help string, stdout io.Writer) (bool, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, werr := io.WriteString(stdout, help)
			return false, werr
		}
		return false, usagef("%s: %v", fs.Name(), err)
	}
	return true, nil
}
