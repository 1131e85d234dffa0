//go:build linux && race

package netlink_test

func init() { raceEnabled = true }
