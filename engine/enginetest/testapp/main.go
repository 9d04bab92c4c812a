// Command testapp is the program inside Berth's test image: a static binary
// that serves, exits, checks health or touches files on request, so tests
// need no image from a registry.
//
//	testapp serve [ADDR]        serve HTTP (default :8080): /  → "ok <hostname>", /env/NAME, /file?path=P
//	testapp exit CODE           exit with CODE at once
//	testapp sleep               wait for SIGTERM, then exit 0
//	testapp health [URL]        GET URL (default http://127.0.0.1:8080/): exit 0 on 200, 1 otherwise
//	testapp write FILE TEXT     write TEXT to FILE, then exit 0
//	testapp cat FILE            print FILE
//	testapp unhealthy           exit 1, printing a reason (a failing healthcheck)
//	testapp get URL             print the body of GET URL; exit 1 if it fails
//	testapp tty                 print "tty ROWSxCOLS" when stdin is a terminal (once it has a size), else "no tty"
//	testapp echo                print each line read from stdin; a line "exit N" exits with N, SIGTERM with 0
//	testapp args [ARG...]       print the arguments, space separated
//	testapp env NAME            print the environment variable NAME
//	testapp pwd                 print the working directory
//	testapp id                  print the user and group IDs, uid:gid
//	testapp stdin               copy standard input to standard output
//
// The server also answers /stat?path=P with P's permission bits in octal.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stop receives SIGTERM and SIGINT. The handler is installed first thing:
// as PID 1 the program would otherwise ignore a signal sent right after
// the container starts.
var stop = make(chan os.Signal, 1)

func main() {
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	args := os.Args[1:]
	if len(args) == 0 {
		args = []string{"serve"}
	}
	switch args[0] {
	case "serve":
		addr := ":8080"
		if len(args) > 1 {
			addr = args[1]
		}
		serve(addr)
	case "exit":
		code := 0
		if len(args) > 1 {
			code, _ = strconv.Atoi(args[1])
		}
		os.Exit(code)
	case "sleep":
		wait()
	case "health":
		url := "http://127.0.0.1:8080/"
		if len(args) > 1 {
			url = args[1]
		}
		c := http.Client{Timeout: 2 * time.Second}
		resp, err := c.Get(url)
		if err != nil || resp.StatusCode != http.StatusOK {
			fmt.Println("not healthy:", err)
			os.Exit(1)
		}
		fmt.Println("healthy")
	case "write":
		if len(args) < 3 {
			os.Exit(2)
		}
		if err := os.WriteFile(args[1], []byte(args[2]), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case "cat":
		b, err := os.ReadFile(args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Stdout.Write(b)
	case "get":
		c := http.Client{Timeout: 3 * time.Second}
		resp, err := c.Get(args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		os.Stdout.Write(b)
		if resp.StatusCode != http.StatusOK {
			os.Exit(1)
		}
	case "tty":
		printTTY()
	case "echo":
		echo()

	case "args":
		fmt.Println(strings.Join(args[1:], " "))
	case "env":
		fmt.Println(os.Getenv(args[1]))
	case "pwd":
		wd, _ := os.Getwd()
		fmt.Println(wd)
	case "id":
		fmt.Printf("%d:%d\n", os.Getuid(), os.Getgid())
	case "stdin":
		_, _ = io.Copy(os.Stdout, os.Stdin)
	case "unhealthy":
		fmt.Println("database is on fire")
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "unknown command", args[0])
		os.Exit(2)
	}
}

func serve(addr string) {
	host, _ := os.Hostname()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "ok %s\n", host) })
	mux.HandleFunc("/env/{name}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, os.Getenv(r.PathValue("name"))) })
	mux.HandleFunc("/file", func(w http.ResponseWriter, r *http.Request) {
		b, err := os.ReadFile(r.URL.Query().Get("path"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Write(b)
	})
	mux.HandleFunc("/stat", func(w http.ResponseWriter, r *http.Request) {
		st, err := os.Stat(r.URL.Query().Get("path"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, "%o", st.Mode().Perm())
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		wait()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func wait() {
	<-stop
}
