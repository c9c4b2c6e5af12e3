// Command points runs RocketMart's points service: one account per user and
// an append-only ledger, credited once per paid order by the ORDER_PAID
// consumer, with read-only admin views for the consistency audit.
//
//	@title						RocketMart points API
//	@version					1.0
//	@description				Points accounts and their append-only ledger: one point per whole currency unit paid, credited once per order.
//	@BasePath					/
//	@securityDefinitions.apikey	UserID
//	@in							header
//	@name						X-User-ID
//	@securityDefinitions.apikey	AdminToken
//	@in							header
//	@name						X-Admin-Token
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
		fmt.Fprintln(os.Stderr, "points:", err)
		stop()
		os.Exit(1)
	}
}
