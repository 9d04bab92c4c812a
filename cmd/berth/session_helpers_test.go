package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"testing"
	"time"

	"github.com/creack/pty"
)

// berthIn runs berth like s.berth, with stdin as its standard input.
func (s *stack) berthIn(stdin io.Reader, env []string, args ...string) (int, string, string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBin, append([]string{"-p", s.name}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = append(append([]string{}, s.environ...), env...)
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, &errOut
	code := exitCode(s.t, cmd.Run())
	return code, out.String(), errOut.String()
}

// berthPTY runs berth with its standard streams on a pseudo-terminal of
// rows × cols and returns its exit code and what the terminal showed.
func (s *stack) berthPTY(rows, cols uint16, args ...string) (int, string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, berthBin, append([]string{"-p", s.name}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = s.environ
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: rows, Cols: cols})
	if err != nil {
		s.t.Fatal(err)
	}
	defer ptmx.Close()
	screen := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO once the child exits
		screen <- string(b)
	}()
	code := exitCode(s.t, cmd.Wait())
	return code, <-screen
}

// startIn runs berth in the background with a pipe as its standard input;
// wait closes nothing and returns the exit code.
func (s *stack) startIn(args ...string) (stdin io.WriteCloser, stdout, stderr *lockedBuffer, proc *exec.Cmd, wait func() int) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, berthBin, append([]string{"-p", s.name}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = s.environ
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		s.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		s.t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		defer cancel()
		err := cmd.Wait()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			done <- ee.ExitCode()
		case err != nil:
			done <- -1
		default:
			done <- 0
		}
	}()
	s.t.Cleanup(func() { _ = cmd.Process.Kill(); <-ctx.Done() })
	return in, stdout, stderr, cmd, func() int { return <-done }
}

// waitExit returns the exit code wait reports, failing the test if the
// process has not ended within a minute.
func waitExit(t *testing.T, what string, wait func() int) int {
	t.Helper()
	done := make(chan int, 1)
	go func() { done <- wait() }()
	select {
	case code := <-done:
		return code
	case <-time.After(time.Minute):
		t.Fatalf("%s did not end", what)
		return 0
	}
}
