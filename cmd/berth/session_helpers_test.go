package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// command is berth with args in the stack's directory and environment,
// plus env, killed once ctx ends.
func (s *stack) command(ctx context.Context, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, berthBin, append([]string{"-p", s.name}, args...)...)
	cmd.Dir = s.dir
	cmd.Env = append(append([]string{}, s.environ...), env...)
	return cmd
}

// berthIn runs berth like s.berth, with stdin as its standard input.
func (s *stack) berthIn(stdin io.Reader, env []string, args ...string) (int, string, string) {
	s.t.Helper()
	return s.berthAt(s.dir, stdin, env, args...)
}

// berthAt runs berth in dir with stdin as its standard input and env added
// to the stack's environment, and returns its exit code, stdout and stderr.
func (s *stack) berthAt(dir string, stdin io.Reader, env []string, args ...string) (int, string, string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := s.command(ctx, env, args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, &errOut
	code := exitCode(s.t, cmd.Run())
	return code, out.String(), errOut.String()
}

// background runs berth in the background: begin connects the command's
// streams and starts it. wait returns its exit code; the process is
// killed when the test ends, or after three minutes.
func (s *stack) background(begin func(*exec.Cmd) error, args ...string) (cmd *exec.Cmd, wait func() int) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd = s.command(ctx, nil, args...)
	if err := begin(cmd); err != nil {
		cancel()
		s.t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		defer cancel()
		done <- waitCode(cmd)
	}()
	s.t.Cleanup(func() { _ = cmd.Process.Kill(); <-ctx.Done() })
	return cmd, func() int { return <-done }
}

// startWith runs berth in the background like start; setup, when set,
// connects its standard input before it starts.
func (s *stack) startWith(setup func(*exec.Cmd) error, args ...string) (cmd *exec.Cmd, stdout, stderr *lockedBuffer, wait func() int) {
	s.t.Helper()
	stdout, stderr = &lockedBuffer{}, &lockedBuffer{}
	cmd, wait = s.background(func(cmd *exec.Cmd) error {
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if setup != nil {
			if err := setup(cmd); err != nil {
				return err
			}
		}
		return cmd.Start()
	}, args...)
	return cmd, stdout, stderr, wait
}

// startIn runs berth in the background like start, with a pipe as its
// standard input; wait closes nothing and returns the exit code.
func (s *stack) startIn(args ...string) (stdin io.WriteCloser, stdout, stderr *lockedBuffer, proc *exec.Cmd, wait func() int) {
	s.t.Helper()
	proc, stdout, stderr, wait = s.startWith(func(cmd *exec.Cmd) (err error) {
		stdin, err = cmd.StdinPipe()
		return err
	}, args...)
	return stdin, stdout, stderr, proc, wait
}

// startPTY runs berth in the background on a pseudo-terminal of rows ×
// cols: what is written to ptmx is typed on it, screen collects what it
// shows, and wait returns the exit code once the screen is complete.
func (s *stack) startPTY(rows, cols uint16, args ...string) (ptmx io.Writer, screen *lockedBuffer, wait func() int) {
	s.t.Helper()
	screen = &lockedBuffer{}
	copied := make(chan struct{})
	var f *os.File
	_, exited := s.background(func(cmd *exec.Cmd) error {
		var err error
		if f, err = pty.StartWithSize(cmd, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
			return err
		}
		s.t.Cleanup(func() { f.Close() }) // once the process is killed
		go func() {
			_, _ = io.Copy(screen, f) // ends with EIO once the child exits
			close(copied)
		}()
		return nil
	}, args...)
	return f, screen, func() int { code := exited(); <-copied; return code }
}

// berthPTY runs berth with its standard streams on a pseudo-terminal of
// rows × cols and returns its exit code and what the terminal showed.
func (s *stack) berthPTY(rows, cols uint16, args ...string) (int, string) {
	s.t.Helper()
	_, screen, wait := s.startPTY(rows, cols, args...)
	return wait(), screen.String()
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

// badInput is a command line that must fail: its exit code, and what its
// error must say.
type badInput struct {
	args []string
	code int
	want string
}

// refuse runs each bad command line and checks its exit code and error.
func (s *stack) refuse(t *testing.T, cases []badInput) {
	t.Helper()
	for _, tc := range cases {
		code, _, errOut := s.berth(nil, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("berth %s: exit %d, stderr %q; want exit %d naming %q", strings.Join(tc.args, " "), code, errOut, tc.code, tc.want)
		}
	}
}

// waitCode waits for a started command and returns its exit code, -1 when
// it could not be waited for.
func waitCode(cmd *exec.Cmd) int {
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode()
	case err != nil:
		return -1
	}
	return 0
}

// fails runs berth, expects exit code want and stderr mentioning each of
// says, and returns stderr.
func (s *stack) fails(want int, says []string, args ...string) string {
	s.t.Helper()
	code, out, errOut := s.berth(nil, args...)
	if code != want {
		s.t.Fatalf("berth %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out, errOut)
	}
	for _, w := range says {
		if !strings.Contains(errOut, w) {
			s.t.Fatalf("berth %s: stderr does not say %q:\n%s", strings.Join(args, " "), w, errOut)
		}
	}
	return errOut
}

// stderrLines starts cmd and sends its standard error on the returned
// channel line by line, from one goroutine, so the test shares nothing
// with it; the channel is closed when the process closes its stderr.
func stderrLines(t testing.TB, cmd *exec.Cmd) <-chan string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	return lines
}
