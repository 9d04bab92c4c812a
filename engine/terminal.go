package engine

// TermSize is a terminal's size in character cells.
type TermSize struct {
	Height, Width uint
}

// Terminal is the local terminal that a command (exec) or a container
// (attach, run) with a TTY is used on: its size, its later sizes, and the
// way to put it in raw mode while the remote TTY is in use.
type Terminal struct {
	// Size is the terminal's size when the session begins.
	Size TermSize
	// Resize delivers the terminal's new sizes; nil when it never changes.
	Resize <-chan TermSize
	// Raw puts the terminal in raw mode (keys go to the remote TTY as
	// typed) and returns what restores it; nil leaves the terminal alone.
	Raw func() (restore func(), err error)
}
