//go:build !race && unix

package server_test

const raceBuild = false
