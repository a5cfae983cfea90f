package record

import (
	"context"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/gorails/gorails/framework/record"
	gpostgres "github.com/gorails/gorails/framework/record/postgres"
)

// RecordPost is the benchmark model in record's terms.
type RecordPost struct {
	record.Model
	Title     string
	Body      string
	Published bool
	Views     int64
	Rating    float64
	UserID    *int64
}

// TableName shares GORM's table.
func (RecordPost) TableName() string { return "posts" }

// Post is framework/record's benchmark model, in GORM's terms.
type Post struct {
	ID        int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Title     string
	Body      string
	Published bool
	Views     int64
	Rating    float64
	UserID    *int64
}

const ddl = `CREATE TABLE posts (id BIGSERIAL PRIMARY KEY, title VARCHAR(255) NOT NULL, body TEXT NOT NULL DEFAULT '',
  published BOOLEAN NOT NULL DEFAULT false, views BIGINT NOT NULL DEFAULT 0, rating DOUBLE PRECISION NOT NULL DEFAULT 0,
  user_id BIGINT NULL, created_at TIMESTAMP(6) NOT NULL, updated_at TIMESTAMP(6) NOT NULL)`

// freshDB creates the database gorails_test_record_gorm_bench with the posts
// table (as internal/testenv does: skipped, or failed under CI=true, when
// PostgreSQL is unreachable).
func freshDB(b *testing.B) string {
	admin := os.Getenv("GORAILS_TEST_POSTGRES_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatalf("PostgreSQL is not reachable: %v", err)
		}
		b.Skipf("PostgreSQL is not reachable: %v", err)
	}
	defer conn.Close(ctx)
	const name = "gorails_test_record_gorm_bench"
	for _, sql := range []string{"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)", "CREATE DATABASE " + name} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	q := u.Query()
	q.Set("synchronous_commit", "off") // measure clients, not fsync
	u.RawQuery = q.Encode()
	c2, err := pgx.Connect(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	defer c2.Close(ctx)
	if _, err := c2.Exec(ctx, ddl); err != nil {
		b.Fatal(err)
	}
	return u.String()
}

type benchOp struct {
	name              string
	pgx, record, gorm func() error
}

func ops(b *testing.B) []benchOp {
	ctx := context.Background()
	dsn := freshDB(b)
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	// GORM as its docs recommend for speed: prepared statements, no
	// transaction around single writes.
	gdb, err := gorm.Open(postgres.Open(dsn), &gorm.Config{PrepareStmt: true, SkipDefaultTransaction: true, Logger: logger.Discard})
	if err != nil {
		b.Fatal(err)
	}
	sqlDB, _ := gdb.DB()
	sqlDB.SetMaxOpenConns(5)
	sqlDB.SetMaxIdleConns(5)
	b.Cleanup(func() { sqlDB.Close() })
	// record as a generated app uses it: its PostgreSQL driver, a pool of 5.
	rdb, err := record.Open(ctx, gpostgres.Driver{}, record.Config{URL: dsn, Pool: 5})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rdb.Close() })
	if err := record.Register[RecordPost](ctx, rdb); err != nil {
		b.Fatal(err)
	}

	seed := make([]Post, 1000)
	for i := range seed {
		seed[i] = Post{Title: "seed " + strconv.Itoa(i), Body: "body", Views: int64(i), Rating: 1.5}
	}
	if err := gdb.CreateInBatches(seed, 500).Error; err != nil {
		b.Fatal(err)
	}

	const cols = `id, created_at, updated_at, title, body, published, views, rating, user_id`
	scan := func(p *Post) []any {
		return []any{&p.ID, &p.CreatedAt, &p.UpdatedAt, &p.Title, &p.Body, &p.Published, &p.Views, &p.Rating, &p.UserID}
	}
	const id = int64(500)
	var upd Post
	if err := gdb.First(&upd, id+1).Error; err != nil {
		b.Fatal(err)
	}
	posts := record.Query[RecordPost](rdb)
	first100 := posts.Order("id").Limit(100)
	rupd, err := posts.Find(ctx, id+2)
	if err != nil {
		b.Fatal(err)
	}
	rbatch := make([]RecordPost, 100)
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

	return []benchOp{
		{"FindByID",
			func() error {
				var p Post
				return pool.QueryRow(ctx, `SELECT `+cols+` FROM posts WHERE id = $1 LIMIT 1`, id).Scan(scan(&p)...)
			},
			func() error { _, err := posts.Find(ctx, id); return err },
			func() error { var p Post; return gdb.WithContext(ctx).First(&p, id).Error }},
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
			func() error { _, err := first100.All(ctx); return err },
			func() error { var ps []Post; return gdb.WithContext(ctx).Order("id").Limit(100).Find(&ps).Error }},
		{"InsertOne",
			func() error {
				p := Post{Title: "new", Body: "body"}
				t := time.Now().UTC().Truncate(time.Microsecond)
				p.CreatedAt, p.UpdatedAt = t, t
				return pool.QueryRow(ctx, `INSERT INTO posts (created_at, updated_at, title, body, published, views, rating, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
					p.CreatedAt, p.UpdatedAt, p.Title, p.Body, p.Published, p.Views, p.Rating, p.UserID).Scan(&p.ID)
			},
			func() error { p := RecordPost{Title: "new", Body: "body"}; return record.Create(ctx, rdb, &p) },
			func() error { p := Post{Title: "new", Body: "body"}; return gdb.WithContext(ctx).Create(&p).Error }},
		{"UpdateOne",
			func() error {
				n++
				_, err := pool.Exec(ctx, `UPDATE posts SET title = $1, updated_at = $2 WHERE id = $3`, "t"+strconv.Itoa(n), time.Now().UTC().Truncate(time.Microsecond), id)
				return err
			},
			func() error { n++; rupd.Title = "r" + strconv.Itoa(n); return record.Save(ctx, rdb, &rupd) },
			func() error {
				n++
				return gdb.WithContext(ctx).Model(&upd).Update("title", "g"+strconv.Itoa(n)).Error
			}},
		{"Insert100",
			func() error {
				t := time.Now().UTC().Truncate(time.Microsecond)
				args := make([]any, 0, 800)
				for i := range batch {
					args = append(args, t, t, "bulk", "body", false, int64(i), 0.0, (*int64)(nil))
				}
				_, err := pool.Exec(ctx, insert100, args...)
				return err
			},
			func() error {
				for i := range rbatch {
					rbatch[i] = RecordPost{Title: "bulk", Body: "body", Views: int64(i)}
				}
				_, err := record.InsertAll(ctx, rdb, rbatch)
				return err
			},
			func() error {
				for i := range batch {
					batch[i] = Post{Title: "bulk", Body: "body", Views: int64(i)}
				}
				return gdb.WithContext(ctx).Create(&batch).Error
			}},
	}
}

// BenchmarkGORM runs each operation with raw pgx, record and GORM, with
// allocations.
func BenchmarkGORM(b *testing.B) {
	for _, op := range ops(b) {
		for _, impl := range []struct {
			name string
			fn   func() error
		}{{"pgx", op.pgx}, {"record", op.record}, {"gorm", op.gorm}} {
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

// BenchmarkGORMRatio interleaves pgx, record and GORM call by call (as
// framework/record's BenchmarkPostgresRatio does) and reports median wall
// times, process CPU per call, and the ratios of record and GORM to pgx.
func BenchmarkGORMRatio(b *testing.B) {
	for _, op := range ops(b) {
		b.Run(op.name, func(b *testing.B) {
			var wall [3][]time.Duration
			var cpu [3]time.Duration
			fns := [3]func() error{op.pgx, op.record, op.gorm}
			i := 0
			for b.Loop() {
				for k := range 3 {
					which := (i + k) % 3 // rotate which goes first
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
			pw, rw, gw := med(wall[0]), med(wall[1]), med(wall[2])
			b.ReportMetric(pw, "pgx-median-ns")
			b.ReportMetric(rw, "record-median-ns")
			b.ReportMetric(gw, "gorm-median-ns")
			b.ReportMetric(rw/pw, "record-wall-ratio")
			b.ReportMetric(gw/pw, "gorm-wall-ratio")
			b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "record-cpu-ratio")
			b.ReportMetric(float64(cpu[2])/float64(cpu[0]), "gorm-cpu-ratio")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
