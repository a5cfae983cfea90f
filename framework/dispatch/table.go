package dispatch

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
)

// WriteRoutes writes routes as `rails routes` does: a header, then one row
// per route with the name right-aligned, the verb, the path pattern and the
// endpoint. A non-empty grep keeps the routes whose name, verb, path or
// endpoint match it as a case-insensitive regular expression (`-g`).
func WriteRoutes(w io.Writer, routes []RouteInfo, grep string) error {
	rows, err := filterRoutes(routes, grep)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		msg := "You don't have any routes defined!\n"
		if grep != "" {
			msg = "No routes were found for this grep pattern.\n"
		}
		_, err := io.WriteString(w, msg)
		return err
	}
	width := len("Prefix")
	for _, r := range rows {
		width = max(width, len(r.Name))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "%*s\t%s\t%s\t%s\n", width, "Prefix", "Verb", "URI Pattern", "Controller#Action")
	for _, r := range rows {
		reqs := r.Endpoint
		if r.Constraints != "" {
			reqs += " " + r.Constraints
		}
		fmt.Fprintf(tw, "%*s\t%s\t%s\t%s\n", width, r.Name, r.Verb, r.Path, reqs)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("dispatch: writing routes: %w", err)
	}
	return nil
}

func filterRoutes(routes []RouteInfo, grep string) ([]RouteInfo, error) {
	if grep == "" {
		return routes, nil
	}
	re, err := regexp.Compile("(?i)" + grep)
	if err != nil {
		return nil, fmt.Errorf("dispatch: routes grep %q: %w", grep, err)
	}
	var out []RouteInfo
	for _, r := range routes {
		if re.MatchString(strings.Join([]string{r.Name, r.Verb, r.Path, r.Endpoint, r.Constraints}, " ")) {
			out = append(out, r)
		}
	}
	return out, nil
}

// ExpandedWidth is the width of the header lines of [WriteRoutesExpanded]:
// Rails pads them to the console's width, 80 when it is not a terminal.
const ExpandedWidth = 80

// WriteRoutesExpanded writes routes as `rails routes --expanded` does: a
// block per route, "--[ Route N ]" padded with dashes to width, then its
// Prefix, Verb, URI, Controller#Action and, when known, Source Location
// (with root, the app's directory, cut from its front). grep filters as
// in [WriteRoutes].
func WriteRoutesExpanded(w io.Writer, routes []RouteInfo, grep, root string, width int) error {
	rows, err := filterRoutes(routes, grep)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		msg := "You don't have any routes defined!\n"
		if grep != "" {
			msg = "No routes were found for this grep pattern.\n"
		}
		_, err := io.WriteString(w, msg)
		return err
	}
	var b strings.Builder
	for i, r := range rows {
		head := fmt.Sprintf("--[ Route %d ]", i+1)
		if n := width - len(head); n > 0 {
			head += strings.Repeat("-", n)
		}
		reqs := r.Endpoint
		if r.Constraints != "" {
			reqs += " " + r.Constraints
		}
		fmt.Fprintf(&b, "%s\nPrefix            | %s\nVerb              | %s\nURI               | %s\nController#Action | %s\n",
			head, r.Name, r.Verb, r.Path, reqs)
		if src := relativeSource(r.Source, root); src != "" {
			fmt.Fprintf(&b, "Source Location   | %s\n", src)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("dispatch: writing routes: %w", err)
	}
	return nil
}

func relativeSource(src, root string) string {
	if src == "" || root == "" {
		return src
	}
	root = strings.TrimSuffix(root, "/") + "/"
	return strings.TrimPrefix(src, root)
}
