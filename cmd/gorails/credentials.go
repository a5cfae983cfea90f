package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/gorails/gorails/framework/secrets"
	"github.com/spf13/cobra"
)

func credentialsCommands() []*cobra.Command {
	edit := &cobra.Command{
		Use:   "credentials:edit",
		Short: "Edit the encrypted credentials (config/credentials.yml.enc) in $EDITOR",
		Long: `Decrypt config/credentials.yml.enc with config/master.key (or
GORAILS_MASTER_KEY) into a private temporary file, open it in $EDITOR, and
encrypt it again when the editor exits. The first run creates master.key and
a credentials file holding a fresh secret_key_base. Keep master.key out of
version control (the generated .gitignore does) and give it to production as
GORAILS_MASTER_KEY.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("credentials:edit: %w", err)
			}
			err = secrets.Edit(secrets.EditOptions{
				Options: secrets.Options{Root: root},
				Stdin:   os.Stdin, Stdout: cmd.OutOrStdout(), Stderr: cmd.ErrOrStderr(),
			})
			if err != nil {
				return fmt.Errorf("credentials:edit: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "File encrypted and saved: %s\n", secrets.CredentialsPath)
			return nil
		},
	}
	show := &cobra.Command{
		Use:   "credentials:show",
		Short: "Print the decrypted credentials",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root, err := findApp()
			if err != nil {
				return fmt.Errorf("credentials:show: %w", err)
			}
			plain, err := secrets.Show(secrets.Options{Root: root})
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("credentials:show: no %s yet; create it with 'gorails credentials:edit'", secrets.CredentialsPath)
			}
			if err != nil {
				return fmt.Errorf("credentials:show: %w", err)
			}
			_, err = cmd.OutOrStdout().Write(plain)
			return err
		},
	}
	return []*cobra.Command{edit, show}
}
