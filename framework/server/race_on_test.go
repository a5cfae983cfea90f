//go:build race && unix

package server_test

// raceBuild makes TestMain build the testserver with -race too.
const raceBuild = true
