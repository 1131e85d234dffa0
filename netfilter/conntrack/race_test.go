//go:build linux && race

package conntrack_test

func init() { raceEnabled = true }
