package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gorails/gorails/framework"
	"github.com/gorails/gorails/framework/record"
	"github.com/gorails/gorails/framework/record/driver"
	"github.com/gorails/gorails/framework/record/migrate"
	"github.com/spf13/cobra"
)

// dbCommands are Rails' db:* tasks. They read config/database.yml for the
// app's environment without booting the whole app, so db:create works
// before the database exists.
func dbCommands(app *framework.App) []*cobra.Command {
	var (
		version int64
		step    int
	)
	var out io.Writer = os.Stdout
	withDB := func(fn func(ctx context.Context, db *record.DB, cfg record.Config) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			out = cmd.OutOrStdout()
			drv, cfg, err := app.Database()
			if err != nil {
				return err
			}
			db, err := record.Open(cmd.Context(), drv, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			return fn(cmd.Context(), db, cfg)
		}
	}
	withMigrator := func(fn func(ctx context.Context, m *migrate.Migrator) error) func(*cobra.Command, []string) error {
		return withDB(func(ctx context.Context, db *record.DB, _ record.Config) error {
			m, err := migrate.New(db, app.Migrations(), app.MigrateOptions())
			if err != nil {
				return err
			}
			return fn(ctx, m)
		})
	}
	withConfig := func(fn func(ctx context.Context, drv driver.Driver, cfg record.Config) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			out = cmd.OutOrStdout()
			drv, cfg, err := app.Database()
			if err != nil {
				return err
			}
			return fn(cmd.Context(), drv, cfg)
		}
	}
	status := &cobra.Command{
		Use:     "db:migrate:status",
		Aliases: []string{"db:status"},
		Short:   "Show which migrations are up and which are down",
		Args:    cobra.NoArgs,
		RunE: withDB(func(ctx context.Context, db *record.DB, cfg record.Config) error {
			m, err := migrate.New(db, app.Migrations(), app.MigrateOptions())
			if err != nil {
				return err
			}
			lines, err := m.Status(ctx)
			if err != nil {
				return err
			}
			return migrate.WriteStatus(out, cfg.String(), lines)
		}),
	}
	migrateCmd := &cobra.Command{
		Use:   "db:migrate",
		Short: "Apply the pending migrations (up to --version), then dump db/schema.sql",
		Args:  cobra.NoArgs,
		RunE: withMigrator(func(ctx context.Context, m *migrate.Migrator) error {
			return m.Migrate(ctx, version)
		}),
	}
	migrateCmd.Flags().Int64Var(&version, "version", envInt64("VERSION"), "migrate up to this version (default: all; VERSION= also works)")
	rollback := &cobra.Command{
		Use:   "db:rollback",
		Short: "Roll back the last migration (or --step N)",
		Args:  cobra.NoArgs,
		RunE: withMigrator(func(ctx context.Context, m *migrate.Migrator) error {
			return m.Rollback(ctx, step)
		}),
	}
	redo := &cobra.Command{
		Use:     "db:migrate:redo",
		Aliases: []string{"db:redo"},
		Short:   "Roll back and reapply the last migration (or --step N)",
		Args:    cobra.NoArgs,
		RunE: withMigrator(func(ctx context.Context, m *migrate.Migrator) error {
			return m.Redo(ctx, step)
		}),
	}
	for _, c := range []*cobra.Command{rollback, redo} {
		c.Flags().IntVar(&step, "step", int(max(envInt64("STEP"), 1)), "how many migrations (STEP= also works)")
	}
	// db:create and db:drop act, as Rails' do, on the environment's
	// database and, in development without DATABASE_URL, on test's too
	// (when the file has a test section naming another database).
	withConfigs := func(fn func(ctx context.Context, drv driver.Driver, cfg record.Config) error) func(*cobra.Command, []string) error {
		return func(cmd *cobra.Command, _ []string) error {
			out = cmd.OutOrStdout()
			drv, cfg, err := app.Database()
			if err == nil {
				err = fn(cmd.Context(), drv, cfg)
			}
			if err != nil || !app.Env().IsDevelopment() || os.Getenv("DATABASE_URL") != "" {
				return err
			}
			testDrv, testCfg, err := app.DatabaseFor(framework.Test)
			switch {
			case errors.Is(err, record.ErrNoEnvironment):
				return nil
			case err != nil:
				return err
			case testCfg.Adapter == cfg.Adapter && testCfg.Host == cfg.Host && testCfg.Port == cfg.Port && databaseName(app, testCfg) == databaseName(app, cfg):
				return nil // the same database
			}
			return fn(cmd.Context(), testDrv, testCfg)
		}
	}
	cmds := []*cobra.Command{
		{
			Use: "db:create", Short: "Create the database (in development, test's too)", Args: cobra.NoArgs,
			RunE: withConfigs(func(ctx context.Context, drv driver.Driver, cfg record.Config) error {
				name := databaseName(app, cfg)
				if !app.Logger.Enabled(ctx, slog.LevelDebug) {
					// An existing database is one line of its own below, not
					// a warning carrying the failed CREATE DATABASE.
					cfg.Logger = slog.New(slog.DiscardHandler)
				}
				err := migrate.CreateDatabase(ctx, drv, cfg)
				switch {
				case errors.Is(err, migrate.ErrDatabaseExists):
					fmt.Fprintf(out, "Database '%s' already exists\n", name)
					return nil
				case err != nil:
					return err
				}
				fmt.Fprintf(out, "Created database '%s'\n", name)
				return nil
			}),
		},
		{
			Use: "db:drop", Short: "Drop the database (in development, test's too)", Args: cobra.NoArgs,
			RunE: withConfigs(func(ctx context.Context, drv driver.Driver, cfg record.Config) error {
				if app.Env().IsProduction() && os.Getenv("DISABLE_DATABASE_ENVIRONMENT_CHECK") != "1" {
					return errors.New("db:drop refuses to drop a production database; set DISABLE_DATABASE_ENVIRONMENT_CHECK=1 if you mean it")
				}
				if err := migrate.DropDatabase(ctx, drv, cfg); err != nil {
					return err
				}
				fmt.Fprintf(out, "Dropped database '%s'\n", databaseName(app, cfg))
				return nil
			}),
		},
		migrateCmd, rollback, redo, status,
		{
			Use: "db:version", Short: "Print the current schema version", Args: cobra.NoArgs,
			RunE: withMigrator(func(ctx context.Context, m *migrate.Migrator) error {
				v, err := m.Version(ctx)
				if err == nil {
					fmt.Fprintf(out, "Current version: %d\n", v)
				}
				return err
			}),
		},
		{
			Use: "db:schema:dump", Short: "Dump the database's schema to db/schema.sql", Args: cobra.NoArgs,
			RunE: withDB(func(ctx context.Context, db *record.DB, _ record.Config) error {
				return migrate.DumpSchemaFile(ctx, db, app.Path(framework.SchemaPath))
			}),
		},
		{
			Use: "db:schema:load", Short: "Load db/schema.sql into an empty database", Args: cobra.NoArgs,
			RunE: withDB(func(ctx context.Context, db *record.DB, _ record.Config) error {
				return migrate.LoadSchemaFile(ctx, db, app.Path(framework.SchemaPath))
			}),
		},
		{
			Use: "db:seed", Short: "Load the seed data (db/seeds)", Args: cobra.NoArgs,
			RunE: withDB(func(ctx context.Context, db *record.DB, _ record.Config) error {
				return seed(ctx, app, db)
			}),
		},
		{
			Use: "db:reset", Short: "Drop and recreate the database from db/schema.sql, then seed it", Args: cobra.NoArgs,
			RunE: withConfig(func(ctx context.Context, drv driver.Driver, cfg record.Config) error {
				if app.Env().IsProduction() && os.Getenv("DISABLE_DATABASE_ENVIRONMENT_CHECK") != "1" {
					return errors.New("db:reset refuses to drop a production database; set DISABLE_DATABASE_ENVIRONMENT_CHECK=1 if you mean it")
				}
				if err := migrate.Reset(ctx, drv, cfg, app.Path(framework.SchemaPath)); err != nil {
					return err
				}
				db, err := record.Open(ctx, drv, cfg)
				if err != nil {
					return err
				}
				defer db.Close()
				return seed(ctx, app, db)
			}),
		},
		{
			Use: "db:prepare", Short: "Create the database if needed, load the schema, apply pending migrations", Args: cobra.NoArgs,
			RunE: withConfig(func(ctx context.Context, drv driver.Driver, cfg record.Config) error {
				return migrate.Prepare(ctx, drv, cfg, app.Migrations(), app.MigrateOptions())
			}),
		},
	}
	return cmds
}

func seed(ctx context.Context, app *framework.App, db *record.DB) error {
	if app.Config.Seed == nil {
		return errors.New("no seeds: set Seed in config/application.go (the generated app uses db/seeds)")
	}
	return app.Config.Seed(ctx, db)
}

func envInt64(name string) int64 {
	n, _ := strconv.ParseInt(os.Getenv(name), 10, 64)
	return n
}

// databaseName is the database cfg points at as db:create and db:drop name
// it, as Rails does: the database's name on a server, or the SQLite file
// (relative to the app when it is inside it). Never a password: only the
// path of a URL or DSN is read.
func databaseName(app *framework.App, cfg record.Config) string {
	name := cfg.Database
	if cfg.URL != "" {
		name = cfg.URL
		if u, err := url.Parse(cfg.URL); err == nil && u.Scheme != "" && u.Opaque == "" {
			name = u.Path
			if cfg.WithDefaults().Adapter != record.SQLite {
				name = strings.TrimPrefix(name, "/")
			}
		} else {
			// file:db/x.sqlite3, sqlite3:..., or a MySQL DSN user:pass@tcp(host)/name
			if at := strings.LastIndexByte(name, '@'); at >= 0 {
				name = name[at+1:]
				if i := strings.IndexByte(name, '/'); i >= 0 {
					name = name[i+1:]
				}
			} else if i := strings.IndexByte(name, ':'); i >= 0 {
				name = name[i+1:]
			}
		}
		if i := strings.IndexByte(name, '?'); i >= 0 {
			name = name[:i]
		}
	}
	if filepath.IsAbs(name) {
		if rel, err := filepath.Rel(app.Config.Root, name); err == nil && filepath.IsLocal(rel) {
			name = rel
		}
	}
	return name
}
