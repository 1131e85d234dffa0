package rtrule

//go:generate go run -C ../../cmd/ynlgen . -consts -spec rt-rule.yaml -pkg rtrule -o $PWD/zrtrule.go
