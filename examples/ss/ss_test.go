//go:build linux

package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/netlink/internal/nstest"
	"golang.org/x/sys/unix"
)

// TestListAndKill lists a connection by filter in a namespace of its own,
// destroys it with -K, and checks that it is gone.
func TestListAndKill(t *testing.T) {
	ns := nstest.New(t)
	ns.Run(t, "addr", "add", "198.18.0.1/16", "dev", "lo")
	var conns []net.Conn
	var l net.Listener
	done := make(chan error)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the namespace
		f, err := os.Open(ns.Path)
		if err == nil {
			err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
			f.Close()
		}
		if err == nil {
			l, err = net.Listen("tcp4", "198.18.0.1:443")
		}
		if err == nil {
			var c, s net.Conn
			if c, err = net.Dial("tcp4", "198.18.0.1:443"); err == nil {
				conns = append(conns, c)
				s, err = l.Accept()
				conns = append(conns, s)
			}
		}
		done <- err
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, c := range conns {
		defer c.Close()
	}
	var out bytes.Buffer
	o := options{tcp: true, netns: ns.Name, kill: true, procs: true}
	if err := run(&out, o, "dport = :443"); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf(",pid=%d,", os.Getpid()); !strings.Contains(out.String(), " users:((") || !strings.Contains(out.String(), want) {
		t.Errorf("ss -p printed\n%s\nwant the socket's process, users:((...%s...))", out.String(), want)
	}
	if want := conns[0].LocalAddr().String(); !strings.Contains(out.String(), want) || strings.Count(out.String(), "\n") != 2 {
		t.Fatalf("ss -K dport = :443 printed\n%s\nwant one socket, %s", out.String(), want)
	}
	conns[0].SetReadDeadline(time.Now().Add(time.Minute)) // a hang guard
	if _, err := conns[0].Read(make([]byte, 1)); err == nil {
		t.Error("the destroyed connection still reads")
	}
	out.Reset()
	if err := run(&out, options{tcp: true, all: true, netns: ns.Name}, ""); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "ESTAB") || !strings.Contains(out.String(), "LISTEN") {
		t.Errorf("after -K:\n%s", out.String())
	}
	if err := run(&out, o, "dport = :443 and srcc 1.2.3.4"); err == nil || !strings.Contains(err.Error(), "offset 17") {
		t.Errorf("bad filter: %v", err)
	}
}
