package programtest_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/envconf"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/program"
	"github.com/rocketmart/rocketmart/services/platform/program/programtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
)

// A made-up service with the one shape every service's main package has:
// config embeds envconf.Base, run opens a program.App, adds a route and a
// consumer, and serves. What the shape gives every service is tested here
// once; each service's run test checks only its own routes and handlers.

const name = "shop"

// row is the shop's row of a services table.
type row struct{}

func (row) AddrVar() string         { return "SHOP_ADDR" }
func (row) DefaultAddr() string     { return "127.0.0.1:8090" }
func (row) DBVar() string           { return "SHOP_DB" }
func (row) DefaultDB() string       { return "sqlite:data/shop.db" }
func (row) MaxReconsumeVar() string { return "SHOP_MAX_RECONSUME" }
func (row) FaultsVar() string       { return "SHOP_FAULTS" }

type config struct {
	envconf.Base
	Greeting string // SHOP_GREETING
}

func loadConfig(getenv func(string) string) (config, error) {
	env := envconf.New(getenv)
	c := config{Base: env.Base(row{}), Greeting: env.String("SHOP_GREETING", "hello")}
	return c, env.Err()
}

// sale is the shop's one table, filled by its consumer.
type sale struct {
	ID  uint
	Key string
}

const doc = `{"swagger":"2.0","info":{"title":"shop"}}`

func run(ctx context.Context, cfg config) error {
	app, err := program.Open(ctx, name, cfg.Base, func(string) ([]byte, error) { return []byte(doc), nil },
		func(db *gorm.DB) error { return db.AutoMigrate(&sale{}) })
	if err != nil {
		return err
	}
	defer app.Close()
	app.Router().GET("/sales", func(c *gin.Context) {
		var n int64
		app.DB.Model(&sale{}).Count(&n)
		c.String(http.StatusOK, fmt.Sprintf("%s: %d", cfg.Greeting, n))
	})
	err = app.Consume(ctx, mq.Subscription{Group: "shop-sales", Topic: "SHOP_SALE", Handler: func(ctx context.Context, d mq.Delivery) error {
		return app.DB.WithContext(ctx).Create(&sale{Key: d.Key}).Error
	}})
	if err != nil {
		return err
	}
	app.Log.Info("shop starting", "addr", cfg.Addr)
	return app.Serve(ctx)
}

// On each database: ready, the service's route and consumer, the document,
// the consumer's deliveries on /metrics, one service name per log line, the
// broker's loss on /readyz, and a clean stop.
func TestStart(t *testing.T) {
	dbtest.EachDSN(t, func(t *testing.T, dsn string) {
		s := programtest.Start(t, dsn, loadConfig, run, map[string]string{"SHOP_GREETING": "hi"})

		if status, body := s.Do(t, http.MethodGet, "/sales", ""); status != http.StatusOK || body != "hi: 0" {
			t.Errorf("/sales = %d %q, want 200 \"hi: 0\"", status, body)
		}
		if status, body := s.Do(t, http.MethodGet, "/swagger/doc.json", ""); status != http.StatusOK || body != doc {
			t.Errorf("/swagger/doc.json = %d %q, want the document", status, body)
		}
		// Go's profiles, for the admin only.
		if status, _ := s.Do(t, http.MethodGet, "/debug/pprof/", ""); status != http.StatusUnauthorized {
			t.Errorf("/debug/pprof/ without the admin token = %d, want 401", status)
		}
		if status, body := s.Do(t, http.MethodGet, "/debug/pprof/goroutine?debug=1", "", "X-Admin-Token", "rocketmart-admin"); status != http.StatusOK || !strings.Contains(body, "goroutine profile:") {
			t.Errorf("/debug/pprof/goroutine with the admin token = %d %.100q", status, body)
		}
		s.Broker.Send(t, "SHOP_SALE", "sale-1", []byte(`{}`))
		testkit.Eventually(t, programtest.Timeout, "the sale consumed", func() bool {
			_, body := s.Do(t, http.MethodGet, "/sales", "")
			return body == "hi: 1"
		})
		s.WaitProcessed(t, "shop-sales", "SHOP_SALE", 1)

		s.Broker.Close()
		testkit.Eventually(t, programtest.Timeout, "/readyz to report the broker down", func() bool {
			status, body := s.Do(t, http.MethodGet, "/readyz", "")
			return status == http.StatusServiceUnavailable && strings.Contains(body, `"broker"`) && strings.Contains(body, `"database":"ok"`)
		})
		s.Stop(t)

		logs := strings.Split(strings.TrimSpace(s.Logs()), "\n")
		if !strings.Contains(s.Logs(), `"msg":"shop starting"`) {
			t.Errorf("logs lack the start line:\n%s", s.Logs())
		}
		for _, l := range logs {
			if strings.Count(l, `"service":"shop"`) != 1 {
				t.Errorf("log line does not name the service exactly once: %s", l)
			}
		}
	})
}
