package planner

import (
	"fmt"
	"strconv"
	"strings"
)

// signals are the signal names the Docker Engine accepts on Linux, without
// their SIG prefix (moby's signal map; RTMIN+n and RTMAX-n are handled
// apart).
var signals = map[string]bool{
	"ABRT": true, "ALRM": true, "BUS": true, "CHLD": true, "CLD": true, "CONT": true, "FPE": true,
	"HUP": true, "ILL": true, "INT": true, "IO": true, "IOT": true, "KILL": true, "PIPE": true,
	"POLL": true, "PROF": true, "PWR": true, "QUIT": true, "SEGV": true, "STKFLT": true, "STOP": true,
	"SYS": true, "TERM": true, "TRAP": true, "TSTP": true, "TTIN": true, "TTOU": true, "URG": true,
	"USR1": true, "USR2": true, "VTALRM": true, "WINCH": true, "XCPU": true, "XFSZ": true,
	"RTMIN": true, "RTMAX": true,
}

// maxSignal is the highest Linux signal number (SIGRTMAX).
const maxSignal = 64

// CheckSignal reports whether the engine knows the signal: a name with or
// without its SIG prefix, in any case (SIGTERM, term, RTMIN+3), or a
// number from 1 to 64. It does no I/O, so kill can refuse a mistyped
// signal before touching anything.
func CheckSignal(sig string) error {
	if n, err := strconv.Atoi(sig); err == nil {
		if n < 1 || n > maxSignal {
			return fmt.Errorf("invalid signal %q: signal numbers go from 1 to %d", sig, maxSignal)
		}
		return nil
	}
	name := strings.TrimPrefix(strings.ToUpper(sig), "SIG")
	if signals[name] {
		return nil
	}
	for _, base := range []string{"RTMIN+", "RTMAX-"} {
		if rest, ok := strings.CutPrefix(name, base); ok {
			if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= 15 {
				return nil
			}
		}
	}
	return fmt.Errorf("invalid signal %q: use a signal name such as SIGTERM, SIGHUP or SIGKILL, or its number", sig)
}
