//go:build linux && race

package rtnetlink_test

func init() { arRace = true }
