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
