package record

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/gorails/gorails/framework/event"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/gorails/gorails/framework/record/driver"
)

// Adapter names accepted in Config.Adapter (Rails' names; aliases are
// normalised by WithDefaults), one per driver package gorails ships.
// Another driver's name is accepted too: Open matches it against the
// driver's.
const (
	SQLite     = "sqlite3"
	PostgreSQL = "postgresql"
	MySQL      = "mysql"
)

// Config says how to reach a database. The zero value plus a Database path
// opens SQLite with sqlite.Driver{}; URL, when set, wins over the discrete
// fields it carries.
type Config struct {
	Adapter  string // SQLite, PostgreSQL or MySQL; derived from URL, else from the driver Open gets, when empty
	URL      string // postgres://..., mysql://..., sqlite3:path; for MySQL also a go-sql-driver DSN
	Database string // database name, or the file path for SQLite
	Host     string
	Port     int
	Username string
	Password string
	Params   map[string]string // driver parameters (sslmode, ...)

	Pool            int           // maximum open connections; default one per CPU (GOMAXPROCS), at least 5 (1 for SQLite :memory:)
	MaxIdle         int           // idle connections kept (database/sql adapters); default Pool
	IdleTimeout     time.Duration // idle connections are closed after this; default 5m
	CheckoutTimeout time.Duration // wait for a free connection; default 5s, then ErrPoolExhausted
	Timeout         time.Duration // connect timeout, and SQLite's busy timeout; default 5s

	// StatementLimit is how many prepared statements each connection keeps
	// for the queries the app runs again (statement_limit in
	// database.yml): 0 is the driver's default (100; pgx's 512 on
	// PostgreSQL), negative prepares every query anew
	// (prepared_statements: false), as connection poolers in transaction
	// mode need.
	StatementLimit int

	// StrictLoading makes lazily loading an association of a record that
	// was loaded as part of a collection (the N+1 pattern) fail with
	// ErrStrictLoading instead of querying. The framework turns it on in
	// development and test; the zero value (off) suits production.
	// Relation.StrictLoading overrides it per query.
	StrictLoading bool

	// Logger receives each statement at debug level. Nil discards.
	Logger *slog.Logger
	// Events, when set, receives an *event.SQL per statement (silenced
	// statements only when they fail) for the bus's subscribers; the
	// framework's log subscriber writes its SQL lines from them, and the
	// App leaves Logger nil.
	Events *event.Bus `yaml:"-" json:"-"`
	// FilterParameters extends the default list of substrings (password,
	// secret, token, ...) whose binds are logged as [FILTERED].
	FilterParameters []string
	// Now is the clock created_at and updated_at are read from; nil is
	// time.Now. The framework gives it the App's clock, so a test that
	// travels in time (gorailstest.Travel) stamps records at that time.
	Now func() time.Time
}

// WithDefaults returns c with empty fields filled in and the adapter name
// normalised.
func (c Config) WithDefaults() Config {
	if c.Adapter == "" && c.URL != "" {
		c.Adapter = schemeOf(c.URL)
	}
	c.Adapter = normalizeAdapter(c.Adapter)
	if c.Pool <= 0 {
		c.Pool = max(5, runtime.GOMAXPROCS(0))
	}
	if c.Adapter == SQLite && (c.Database == ":memory:" || strings.Contains(c.URL, ":memory:")) {
		c.Pool = 1 // every connection would see its own empty database
	}
	if c.MaxIdle <= 0 || c.MaxIdle > c.Pool {
		c.MaxIdle = c.Pool
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 5 * time.Minute
	}
	if c.CheckoutTimeout <= 0 {
		c.CheckoutTimeout = 5 * time.Second
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	return c
}

func schemeOf(u string) string {
	if i := strings.Index(u, ":"); i > 0 {
		return u[:i]
	}
	if strings.Contains(u, "@tcp(") || strings.Contains(u, "@unix(") {
		return MySQL
	}
	return ""
}

func normalizeAdapter(a string) string {
	switch strings.ToLower(a) {
	case "sqlite3", "sqlite":
		return SQLite
	case "postgresql", "postgres", "pg", "postgis":
		return PostgreSQL
	case "mysql", "mysql2", "trilogy", "mariadb":
		return MySQL
	}
	return a
}

func (c Config) validate() error {
	switch c.Adapter {
	case SQLite:
		if c.Database == "" && c.URL == "" {
			return errors.New("record: config: sqlite3 needs a database file path")
		}
	case PostgreSQL, MySQL:
		if c.URL == "" && c.Database == "" {
			return fmt.Errorf("record: config: %s needs a database name or a url", c.Adapter)
		}
	case "":
		return errors.New("record: config: no adapter (set adapter: sqlite3, postgresql or mysql)")
	default:
		if !adapterNameRE.MatchString(c.Adapter) {
			return fmt.Errorf("record: config: invalid adapter %q (want sqlite3, postgresql or mysql)", c.Adapter)
		}
	}
	return nil
}

// adapterNameRE is what a driver's name looks like; anything else in the
// adapter setting is a mistake, not a driver.
var adapterNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Options returns the connection settings a driver opens a pool with.
func (c Config) Options() driver.Options {
	c = c.WithDefaults()
	return driver.Options{
		URL: c.URL, Database: c.Database, Host: c.Host, Port: c.Port,
		Username: c.Username, Password: c.Password, Params: c.Params,
		Pool: c.Pool, MaxIdle: c.MaxIdle, IdleTimeout: c.IdleTimeout,
		CheckoutTimeout: c.CheckoutTimeout, Timeout: c.Timeout,
		StatementLimit: c.StatementLimit,
	}
}

// DriverFor returns the one of drivers whose name is cfg's adapter (after
// its aliases: postgres is postgresql). None gives a *NoDriverError, which
// names the package to import: a program links only the drivers it
// imports, so a configuration may name one it does not have.
func DriverFor(cfg Config, drivers ...driver.Driver) (driver.Driver, error) {
	cfg = cfg.WithDefaults()
	e := &NoDriverError{Adapter: cfg.Adapter, Package: driverPackage(cfg.Adapter)}
	for _, d := range drivers {
		if d == nil {
			continue
		}
		if normalizeAdapter(d.Name()) == cfg.Adapter {
			return d, nil
		}
		e.Linked = append(e.Linked, d.Name())
	}
	return nil, e
}

// NoDriverError is DriverFor's (and Open's) error for an adapter with no
// driver among those given. errors.Is(err, ErrNoDriver) is true.
type NoDriverError struct {
	Adapter string   // the adapter the configuration names
	Linked  []string // the names of the drivers that were given
	Package string   // the import path of gorails' driver for Adapter; "" when it ships none
}

func (e *NoDriverError) Error() string {
	have := "none"
	if len(e.Linked) > 0 {
		have = strings.Join(e.Linked, ", ")
	}
	msg := fmt.Sprintf("record: adapter %q is not linked into this program (it has: %s)", e.Adapter, have)
	if e.Package != "" {
		msg += fmt.Sprintf(": import %q and pass %s", e.Package, e.Driver())
	}
	return msg
}

// Is matches ErrNoDriver.
func (e *NoDriverError) Is(target error) bool { return target == ErrNoDriver }

// Driver is how the missing driver is written in Go: "postgres.Driver{}",
// or "" when gorails ships none for the adapter.
func (e *NoDriverError) Driver() string {
	if e.Package == "" {
		return ""
	}
	return e.Package[strings.LastIndexByte(e.Package, '/')+1:] + ".Driver{}"
}

// driverPackage is the import path of the driver gorails ships for an
// adapter, or "".
func driverPackage(adapter string) string {
	switch adapter {
	case SQLite:
		return "github.com/gorails/gorails/framework/record/sqlite"
	case PostgreSQL:
		return "github.com/gorails/gorails/framework/record/postgres"
	case MySQL:
		return "github.com/gorails/gorails/framework/record/mysql"
	}
	return ""
}

// String describes the target without the password.
func (c Config) String() string {
	if c.URL != "" {
		if u, err := url.Parse(c.URL); err == nil && u.Scheme != "" {
			return u.Redacted()
		}
		return c.Adapter + " (dsn)"
	}
	if c.Adapter == SQLite {
		return "sqlite3:" + c.Database
	}
	host := c.Host
	if host == "" {
		host = "localhost"
	}
	if c.Port != 0 {
		host += ":" + strconv.Itoa(c.Port)
	}
	return c.Adapter + "://" + host + "/" + c.Database
}

// fileConfig is one environment of config/database.yml.
type fileConfig struct {
	Adapter         string         `yaml:"adapter"`
	URL             string         `yaml:"url"`
	Database        string         `yaml:"database"`
	Host            string         `yaml:"host"`
	Port            int            `yaml:"port"`
	Username        string         `yaml:"username"`
	Password        string         `yaml:"password"`
	Pool            int            `yaml:"pool"`
	MaxIdle         int            `yaml:"max_idle"`
	IdleTimeout     float64        `yaml:"idle_timeout"`     // seconds, as in Rails
	CheckoutTimeout float64        `yaml:"checkout_timeout"` // seconds
	Timeout         int            `yaml:"timeout"`          // milliseconds
	StatementLimit  int            `yaml:"statement_limit"`
	Prepared        *bool          `yaml:"prepared_statements"`
	Rest            map[string]any `yaml:",inline"`
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}`)

// LoadConfig reads the environment env from a Rails-style database.yml in
// fsys (anchors and merge keys work; ${NAME} and ${NAME:-default} are
// replaced from the process environment). DATABASE_URL, when set, overrides
// the file's url and adapter, as in Rails. Errors name the file and say what
// is missing.
func LoadConfig(fsys fs.FS, path, env string) (Config, error) {
	data, err := fs.ReadFile(fsys, path)
	if err != nil {
		return Config{}, fmt.Errorf("record: load config: %w", err)
	}
	cfg, err := ParseConfig(data, env, os.Getenv)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig is LoadConfig on bytes with an explicit environment lookup.
func ParseConfig(data []byte, env string, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	data = envRef.ReplaceAllFunc(data, func(m []byte) []byte {
		sub := envRef.FindSubmatch(m)
		if v := getenv(string(sub[1])); v != "" {
			return []byte(v)
		}
		return sub[2]
	})
	var envs map[string]fileConfig
	if err := yaml.Unmarshal(data, &envs); err != nil {
		return Config{}, fmt.Errorf("invalid YAML: %w", err)
	}
	fc, ok := envs[env]
	if !ok {
		names := make([]string, 0, len(envs))
		for n := range envs {
			if n != "default" {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		if u := getenv("DATABASE_URL"); u != "" {
			return Config{URL: u}.WithDefaults(), nil
		}
		return Config{}, &NoEnvironmentError{Env: env, Have: names}
	}
	cfg := Config{
		Adapter: fc.Adapter, URL: fc.URL, Database: fc.Database, Host: fc.Host, Port: fc.Port,
		Username: fc.Username, Password: fc.Password, Pool: fc.Pool, MaxIdle: fc.MaxIdle,
		IdleTimeout:     time.Duration(fc.IdleTimeout * float64(time.Second)),
		CheckoutTimeout: time.Duration(fc.CheckoutTimeout * float64(time.Second)),
		Timeout:         time.Duration(fc.Timeout) * time.Millisecond,
		StatementLimit:  fc.StatementLimit,
	}
	if fc.Prepared != nil && !*fc.Prepared {
		cfg.StatementLimit = -1
	}
	for k, v := range fc.Rest {
		switch k {
		case "encoding", "collation", "reconnect", "socket", "schema_search_path", "variables":
			if k == "socket" {
				cfg.Host = fmt.Sprint(v)
			}
			continue
		}
		if cfg.Params == nil {
			cfg.Params = map[string]string{}
		}
		cfg.Params[k] = fmt.Sprint(v)
	}
	if u := getenv("DATABASE_URL"); u != "" {
		cfg.URL = u
		cfg.Adapter = ""
	}
	cfg = cfg.WithDefaults()
	if cfg.Adapter == "" {
		return Config{}, fmt.Errorf("environment %q: no adapter (set adapter: sqlite3, postgresql or mysql)", env)
	}
	if err := cfg.validate(); err != nil {
		return Config{}, fmt.Errorf("environment %q: %w", env, err)
	}
	return cfg, nil
}

// ErrNoEnvironment is what a *NoEnvironmentError is: the configuration has
// no section for the environment and DATABASE_URL is not set.
var ErrNoEnvironment = errors.New("record: no database configuration for the environment")

// NoEnvironmentError is LoadConfig's error when the file has no section
// for the environment asked for and DATABASE_URL is not set.
type NoEnvironmentError struct {
	Env  string   // the environment asked for
	Have []string // the environments the file has, sorted
}

func (e *NoEnvironmentError) Error() string {
	return fmt.Sprintf("no %q environment (have: %s) and DATABASE_URL is not set", e.Env, strings.Join(e.Have, ", "))
}

// Is makes errors.Is(err, ErrNoEnvironment) true.
func (e *NoEnvironmentError) Is(target error) bool { return target == ErrNoEnvironment }
