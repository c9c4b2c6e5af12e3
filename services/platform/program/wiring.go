package program

import (
	"context"
	"net"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/httpserver"
	"github.com/rocketmart/rocketmart/services/platform/mq"
)

// ReadyChecks are the readiness checks of a service that owns db and talks
// to the broker at nameServer: /readyz fails while either is unreachable.
// Other services it calls are not checked: one service being down must not
// take its callers out of rotation.
func ReadyChecks(db *gorm.DB, nameServer string) []httpserver.ReadyCheck {
	return []httpserver.ReadyCheck{
		{Name: "database", Check: func(ctx context.Context) error { return database.Ping(ctx, db) }},
		{Name: "broker", Check: func(ctx context.Context) error { return mq.Ping(ctx, nameServer) }},
	}
}

// Serve serves srv until ctx is cancelled: on ln when a test gave one,
// otherwise on the server's configured address.
func Serve(ctx context.Context, srv *httpserver.Server, ln net.Listener) error {
	if ln != nil {
		return srv.Serve(ctx, ln)
	}
	return srv.Run(ctx)
}
