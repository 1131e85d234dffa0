package tc

//go:generate go run -C ../../cmd/ynlgen . -consts -spec tc.yaml -pkg tc -o $PWD/ztc.go
