// Command gateway serves the RocketMart storefront and its API gateway: the
// single-page shop, demo sign-in with a signed session cookie, /api/<service>
// proxied to the services with the user id from that cookie, the live order
// progress document, the audit, and every service's Swagger UI.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		stop()
		os.Exit(1)
	}
}
