// Command berth is a declarative multi-container orchestrator that reads
// compose files: it plans the difference between a project and what runs in
// the Docker Engine, shows it, and applies it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sirupsen/logrus"
)

func main() {
	// compose-go reports warnings (an unset variable, an obsolete `version:`)
	// through logrus; show them the way Berth shows its own messages
	logrus.SetOutput(os.Stderr)
	logrus.SetFormatter(warningFormatter{})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Environ: os.Environ()})
	stop()
	os.Exit(code)
}

// warningFormatter prints a logrus entry as "berth: warning: message".
type warningFormatter struct{}

func (warningFormatter) Format(e *logrus.Entry) ([]byte, error) {
	return []byte("berth: " + e.Level.String() + ": " + e.Message + "\n"), nil
}
