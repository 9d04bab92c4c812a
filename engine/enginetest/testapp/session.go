package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"
)

// printTTY reports whether stdin is a terminal and, if so, its size: a
// terminal gets its size just after the program starts, so it waits a
// little for one.
func printTTY() {
	if !term.IsTerminal(0) {
		fmt.Println("no tty")
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		w, h, err := term.GetSize(0)
		if err == nil && w > 0 && h > 0 || time.Now().After(deadline) {
			fmt.Printf("tty %dx%d\n", h, w)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// echo prints each line of stdin; "exit N" exits with N, the end of the
// input or SIGTERM or SIGINT with 0.
func echo() {
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return
			}
			if rest, ok := strings.CutPrefix(line, "exit "); ok {
				code, _ := strconv.Atoi(rest)
				fmt.Println("bye")
				os.Exit(code)
			}
			fmt.Println(line)
		case s := <-stop:
			fmt.Println("got signal", s)
			return
		}
	}
}
