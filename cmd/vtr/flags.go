package main

import (
	"errors"
	"flag"
	"io"
	"strings"
)

// newFlags returns a flag set for a subcommand that reports errors as
// usage errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args, turning flag errors into usage errors; -h prints the
// subcommand's help. Flags may come after the arguments (`vtr validate
// 1Z… --json`); "--" ends the flags, so an argument that starts with a
// dash can follow it.
func parse(fs *flag.FlagSet, args []string, help string, stdout io.Writer) (bool, error) {
	if err := fs.Parse(interspersed(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, werr := io.WriteString(stdout, help)
			return false, werr
		}
		return false, usagef("%s: %v", fs.Name(), err)
	}
	return true, nil
}

// interspersed moves the flags among args before the arguments, keeping
// each flag's value with it, so the standard flag package sees them all.
func interspersed(fs *flag.FlagSet, args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue // the flag package reports it
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	if len(rest) > 0 {
		flags = append(flags, "--")
	}
	return append(flags, rest...)
}
