package rtroute

//go:generate go run -C ../../cmd/ynlgen . -consts -spec rt-route.yaml -pkg rtroute -o $PWD/zrtroute.go
