package record_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/internal/testenv"
)

// benchOp is one operation done with raw pgx and with record.
type benchOp struct {
	name     string
	pgx, rec func() error
}

// postgresOps opens record and a raw pgxpool on the same database (same
// size, same statements) with 1000 seeded posts.
func postgresOps(b *testing.B) []benchOp {
	ctx := context.Background()
	// Commits do not wait for the disk, on both pools: the benchmark
	// measures client overhead, not fsync.
	url := testenv.PostgresDB(b, "record_bench") + "&synchronous_commit=off"
	db := openDB(b, record.Config{URL: url, Pool: 5})
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	must(b, record.Register[Post](ctx, db))
	seed := make([]Post, 1000)
	for i := range seed {
		seed[i] = Post{Title: "seed " + strconv.Itoa(i), Body: "body", Views: int64(i), Rating: 1.5}
	}
	if _, err := record.InsertAll(ctx, db, seed); err != nil {
		b.Fatal(err)
	}

	const cols = `id, created_at, updated_at, title, body, published, views, rating, user_id`
	scan := func(p *Post) []any {
		return []any{&p.ID, &p.CreatedAt, &p.UpdatedAt, &p.Title, &p.Body, &p.Published, &p.Views, &p.Rating, &p.UserID}
	}
	const id = int64(500)
	posts := record.Query[Post](db)
	first100 := posts.Order("id").Limit(100)
	upd, err := posts.Find(ctx, id+1)
	if err != nil {
		b.Fatal(err)
	}
	n := 0

	var sb strings.Builder
	sb.WriteString(`INSERT INTO posts (created_at, updated_at, title, body, published, views, rating, user_id) VALUES `)
	for i := range 100 {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(")
		for j := 1; j <= 8; j++ {
			if j > 1 {
				sb.WriteString(", ")
			}
			sb.WriteString("$" + strconv.Itoa(i*8+j))
		}
		sb.WriteString(")")
	}
	insert100 := sb.String()
	batch := make([]Post, 100)
	for i := range batch {
		batch[i] = Post{Title: "bulk", Body: "body", Views: int64(i)}
	}

	return []benchOp{
		{"FindByID",
			func() error {
				var p Post
				return pool.QueryRow(ctx, `SELECT `+cols+` FROM posts WHERE id = $1 LIMIT 1`, id).Scan(scan(&p)...)
			},
			func() error { _, err := posts.Find(ctx, id); return err }},
		{"Load100",
			func() error {
				rows, err := pool.Query(ctx, `SELECT `+cols+` FROM posts ORDER BY id LIMIT $1`, 100)
				if err != nil {
					return err
				}
				out := make([]Post, 0, 100)
				for rows.Next() {
					out = append(out, Post{})
					if err := rows.Scan(scan(&out[len(out)-1])...); err != nil {
						return err
					}
				}
				rows.Close()
				return rows.Err()
			},
			func() error { _, err := first100.All(ctx); return err }},
		{"InsertOne",
			func() error {
				p := Post{Title: "new", Body: "body"}
				t := time.Now().UTC().Truncate(time.Microsecond)
				p.CreatedAt, p.UpdatedAt = t, t
				return pool.QueryRow(ctx, `INSERT INTO posts (created_at, updated_at, title, body, published, views, rating, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
					p.CreatedAt, p.UpdatedAt, p.Title, p.Body, p.Published, p.Views, p.Rating, p.UserID).Scan(&p.ID)
			},
			func() error { p := Post{Title: "new", Body: "body"}; return record.Create(ctx, db, &p) }},
		{"UpdateOne",
			func() error {
				n++
				_, err := pool.Exec(ctx, `UPDATE posts SET title = $1, updated_at = $2 WHERE id = $3`, "t"+strconv.Itoa(n), time.Now().UTC().Truncate(time.Microsecond), id)
				return err
			},
			func() error { n++; upd.Title = "r" + strconv.Itoa(n); return record.Save(ctx, db, &upd) }},
		{"Insert100",
			func() error {
				t := time.Now().UTC().Truncate(time.Microsecond)
				args := make([]any, 0, 800)
				for i := range batch {
					p := &batch[i]
					args = append(args, t, t, p.Title, p.Body, p.Published, p.Views, p.Rating, p.UserID)
				}
				_, err := pool.Exec(ctx, insert100, args...)
				return err
			},
			func() error { _, err := record.InsertAll(ctx, db, batch); return err }},
	}
}

// BenchmarkPostgres runs each operation with raw pgx and with record in the
// same run, with allocations:
//
//	go test -run '^$' -bench 'Postgres$' -benchmem ./framework/record/
func BenchmarkPostgres(b *testing.B) {
	for _, op := range postgresOps(b) {
		for _, impl := range []struct {
			name string
			fn   func() error
		}{{"pgx", op.pgx}, {"record", op.rec}} {
			b.Run(op.name+"/"+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := impl.fn(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkPostgresRatio interleaves raw pgx and record call by call, so that
// both see the same load on a shared machine, and reports the median wall
// time of each and the process CPU time per call of each (client overhead,
// independent of the server and of other processes):
//
//	go test -run '^$' -bench PostgresRatio ./framework/record/
func BenchmarkPostgresRatio(b *testing.B) {
	for _, op := range postgresOps(b) {
		b.Run(op.name, func(b *testing.B) {
			var wall [2][]time.Duration
			var cpu [2]time.Duration
			fns := [2]func() error{op.pgx, op.rec}
			i := 0
			for b.Loop() {
				for k := range 2 {
					which := (i + k) % 2 // alternate which goes first
					c0, t0 := cpuTime(), time.Now()
					if err := fns[which](); err != nil {
						b.Fatal(err)
					}
					wall[which] = append(wall[which], time.Since(t0))
					cpu[which] += cpuTime() - c0
				}
				i++
			}
			med := func(d []time.Duration) float64 {
				slices.Sort(d)
				return float64(d[len(d)/2].Nanoseconds())
			}
			pw, rw := med(wall[0]), med(wall[1])
			b.ReportMetric(pw, "pgx-median-ns")
			b.ReportMetric(rw, "record-median-ns")
			b.ReportMetric(rw/pw, "wall-ratio")
			b.ReportMetric(float64(cpu[0].Nanoseconds())/float64(i), "pgx-cpu-ns")
			b.ReportMetric(float64(cpu[1].Nanoseconds())/float64(i), "record-cpu-ns")
			b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "cpu-ratio")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
