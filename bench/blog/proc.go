package blog

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Usage is what /proc says about a server's process group: the master (or
// single process) and its workers.
type Usage struct {
	CPU   time.Duration // user + system time so far, all processes
	RSS   int64         // resident memory in bytes, all processes
	Procs int
	// MaxRSS is the largest single process's resident memory.
	MaxRSS int64
}

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// GroupUsage sums /proc/PID/stat (utime, stime, rss) over the processes of
// process group pgid.
func GroupUsage(pgid int) (Usage, error) {
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		return Usage{}, err
	}
	page := int64(os.Getpagesize())
	var u Usage
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // the process exited
		}
		f, err := statFields(b)
		if err != nil {
			return Usage{}, fmt.Errorf("%s: %w", path, err)
		}
		// Fields after the command, numbered as in proc(5): 5 pgrp,
		// 14 utime, 15 stime, 24 rss (pages).
		if f(5) != int64(pgid) {
			continue
		}
		u.CPU += time.Duration(f(14)+f(15)) * clockTick
		rss := f(24) * page
		u.RSS += rss
		u.MaxRSS = max(u.MaxRSS, rss)
		u.Procs++
	}
	if u.Procs == 0 {
		return Usage{}, fmt.Errorf("no process in group %d", pgid)
	}
	return u, nil
}

// statFields parses /proc/PID/stat; the command (field 2) is in parentheses
// and may hold spaces, so fields are counted from its closing parenthesis.
func statFields(b []byte) (func(n int) int64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil, fmt.Errorf("no command in %q", b)
	}
	rest := bytes.Fields(b[i+1:]) // rest[0] is field 3
	if len(rest) < 22 {
		return nil, fmt.Errorf("short stat %q", b)
	}
	return func(n int) int64 {
		v, _ := strconv.ParseInt(string(rest[n-3]), 10, 64)
		return v
	}, nil
}
