// Package blog is the whole-app benchmark: the same three endpoints of a
// small blog served by a gorails app written as a user writes it
// (gorailsapp), by plain net/http + html/template + hand-written SQL
// (plain) and by gin (ginapp), on SQLite and on PostgreSQL.
//
// The package holds what the runner (cmd/blogbench, `make bench-blog`)
// and its test share: the workload (1,000 posts, the endpoints), building
// and starting the servers as separate processes, the load generator, and
// the readings from /proc (CPU time and RSS of a server's process group).
//
// The endpoints:
//
//	GET /hello           text
//	GET /posts           a layout around the 20 newest posts, each a link
//	                     and the first 100 characters of its body
//	GET /posts/500.json  one post in Rails' JSON shape
//
// Every server must answer them with byte-identical bodies; the runner
// checks their SHA-256 before it loads a server.
package blog
