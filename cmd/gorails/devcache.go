package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// devCachingFile is framework.DevCachingFile (cmd/gorails does not import
// framework): while it exists, a development app caches view fragments.
const devCachingFile = "tmp/caching-dev.txt"

// devCacheCommand is Rails' dev:cache: it toggles caching of view
// fragments in development by creating or removing tmp/caching-dev.txt.
// The app checks the file on each render, so a running server follows at
// once.
func devCacheCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "dev:cache",
		Short: "Toggle caching of view fragments in development (tmp/caching-dev.txt)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("dev:cache: %w", err)
			}
			on, err := toggleDevCache(root)
			if err != nil {
				return fmt.Errorf("dev:cache: %w", err)
			}
			if on {
				fmt.Fprintln(cmd.OutOrStdout(), "Development mode is now being cached.")
			} else {
				fmt.Fprintln(cmd.OutOrStdout(), "Development mode is no longer being cached.")
			}
			return nil
		},
	}
}

// toggleDevCache creates tmp/caching-dev.txt under root, or removes it when
// it exists, and reports whether caching is now on.
func toggleDevCache(root string) (bool, error) {
	path := filepath.Join(root, filepath.FromSlash(devCachingFile))
	err := os.Remove(path)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, err
	}
	return true, os.WriteFile(path, nil, 0o644)
}
