// Package job benchmarks gorails' database job backend against River on
// the same PostgreSQL server in the same run: enqueueing one job at a time,
// and draining a backlog of no-op jobs with the same number of executors.
//
//	cd bench && go test -run x -bench . -benchtime 20000x ./job/
package job
