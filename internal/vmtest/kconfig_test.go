package vmtest

import "testing"

func TestConfigValue(t *testing.T) {
	data := []byte(`#
# Automatically generated file; DO NOT EDIT.
CONFIG_NET_SHAPER=y
# CONFIG_INET_PSP is not set
CONFIG_TEAM=m
CONFIG_HZ=250
CONFIG_LOCALVERSION="-nlkit"
CONFIG_INET_PSP_X=y
`)
	for option, want := range map[string]string{
		"CONFIG_NET_SHAPER":   "y",
		"CONFIG_INET_PSP":     "",
		"CONFIG_TEAM":         "m",
		"CONFIG_HZ":           "250",
		"CONFIG_LOCALVERSION": "-nlkit",
		"CONFIG_ABSENT":       "",
		"CONFIG_INET":         "",
	} {
		if got := configValue(data, option); got != want {
			t.Errorf("configValue(%s) = %q, want %q", option, got, want)
		}
	}
}
