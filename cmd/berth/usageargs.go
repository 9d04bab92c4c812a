package main

import "github.com/spf13/cobra"

// usageArgs accepts between min and max arguments (max < 0: no limit); a
// wrong count is a usage error.
func usageArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < min || max >= 0 && len(args) > max {
			want := "exactly"
			switch {
			case min != max && max < 0:
				want = "at least"
			case min != max:
				return usageError("%q takes %d to %d arguments, not %d; run '%s --help' for usage", cmd.CommandPath(), min, max, len(args), cmd.CommandPath())
			}
			return usageError("%q takes %s %d argument(s), not %d; run '%s --help' for usage", cmd.CommandPath(), want, min, len(args), cmd.CommandPath())
		}
		return nil
	}
}
