package txmsg_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/rocketmart/rocketmart/services/platform/apperr"
	"github.com/rocketmart/rocketmart/services/platform/database"
	"github.com/rocketmart/rocketmart/services/platform/dbtest"
	"github.com/rocketmart/rocketmart/services/platform/faults"
	"github.com/rocketmart/rocketmart/services/platform/journal"
	"github.com/rocketmart/rocketmart/services/platform/mq"
	"github.com/rocketmart/rocketmart/services/platform/mqtest"
	"github.com/rocketmart/rocketmart/services/platform/testkit"
	"github.com/rocketmart/rocketmart/services/platform/txlog"
	"github.com/rocketmart/rocketmart/services/platform/txmsg"
)

// A new service adding a transactional event, as platform/README.md tells
// it: a contract struct, a table, a local transaction that records the
// transaction id with its change, a check that answers from the log, and a
// four-line declaration.

// cardIssued is the event (in a real service: a struct in contracts).
type cardIssued struct {
	CardNo string `json:"cardNo"`
	Cents  int64  `json:"cents"`
}

// card is the service's own table.
type card struct {
	CardNo string `gorm:"primaryKey;size:64"`
	Cents  int64
}

type giftCards struct {
	db      *gorm.DB
	issued  *txmsg.Producer[cardIssued]
	journal *journal.Journal

	mu     sync.Mutex
	checks map[string]int // card number → times checkIssued ran
}

// startGiftCards declares the event, with its fault points "gift.*" on set
// unless set is nil.
func startGiftCards(t *testing.T, db *gorm.DB, cfg mq.Config, set *faults.Set) *giftCards {
	t.Helper()
	if err := database.Migrate(db, &card{}); err != nil {
		t.Fatal(err)
	}
	if err := txlog.Migrate(db); err != nil {
		t.Fatal(err)
	}
	if err := journal.Migrate(db); err != nil {
		t.Fatal(err)
	}
	g := &giftCards{db: db, checks: map[string]int{},
		journal: journal.New(db, journal.Config{Actor: "giftcard", Instance: "127.0.0.1:8090"})}
	t.Cleanup(g.journal.Close) // after the producer's close below: cleanups run last first
	decl := txmsg.Event[cardIssued]{
		Topic: "GIFT_CARD_ISSUED", Group: "giftcard-issued-tx",
		Key:     func(ev cardIssued) string { return ev.CardNo },
		Check:   g.checkIssued,
		Journal: g.journal,
	}
	if set != nil {
		decl.Faults, decl.FaultPrefix = set, "gift"
	}
	issued, err := txmsg.Start(context.Background(), cfg, decl)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { issued.Close() })
	g.issued = issued
	return g
}

// issue inserts the card and logs txID in one database transaction.
func (g *giftCards) issue(ctx context.Context, txID string, ev cardIssued) error {
	return database.InTx(ctx, g.db, func(tx *gorm.DB) error {
		if err := txlog.RecordCommit(tx, txID); err != nil {
			return err
		}
		return tx.Create(&card{CardNo: ev.CardNo, Cents: ev.Cents}).Error
	})
}

// checkIssued answers check-backs from the transaction log only.
func (g *giftCards) checkIssued(ctx context.Context, txID string, ev cardIssued) (bool, error) {
	g.mu.Lock()
	g.checks[ev.CardNo]++
	g.mu.Unlock()
	outcome, err := txlog.Resolve(ctx, g.db, txID)
	return outcome == txlog.Committed, err
}

func TestTransactionalEvent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		b := mqtest.Start(t)
		g := startGiftCards(t, db, b.Config, nil)
		ctx := context.Background()
		errLost := apperr.New(apperr.Unavailable, "LOST", "the answer was lost")

		cases := []struct {
			name  string
			local func(ctx context.Context, txID string, ev cardIssued) error
			want  bool // delivered and stored?
		}{
			{"commits", g.issue, true},
			{"fails before the change", func(context.Context, string, cardIssued) error { return errors.New("declined") }, false},
			// The change committed but the process could not tell: the
			// check-back finds the logged transaction id and commits.
			{"unknown after the change", func(ctx context.Context, txID string, ev cardIssued) error {
				if err := g.issue(ctx, txID, ev); err != nil {
					return err
				}
				return errLost
			}, true},
			// Nothing committed: the check-back decides "rolled back" for
			// good, and a late local commit is refused.
			{"unknown without the change", func(context.Context, string, cardIssued) error { return errLost }, false},
		}
		txIDs := map[string]string{}
		for _, c := range cases {
			ev := cardIssued{CardNo: c.name, Cents: 500}
			err := g.issued.Publish(ctx, ev, func(ctx context.Context, txID string) error {
				txIDs[c.name] = txID
				return c.local(ctx, txID, ev)
			})
			if err != nil {
				t.Fatalf("%s: publish: %v", c.name, err)
			}
		}
		testkit.Eventually(t, 15*time.Second, "every half message decided", func() bool { return pendingHalves(t, b) == 0 })

		var mu sync.Mutex
		delivered := map[string]int{}
		b.Consume(t, mq.ConsumerOptions{}, mq.Subscription{Group: "giftcard-audit", Topic: "GIFT_CARD_ISSUED",
			Handler: mq.EventHandler(func(b []byte, ev *cardIssued) error { return json.Unmarshal(b, ev) }, func(_ context.Context, _ mq.Delivery, ev cardIssued) error {
				mu.Lock()
				defer mu.Unlock()
				delivered[ev.CardNo]++
				return nil
			})})
		testkit.Eventually(t, 20*time.Second, "consumer caught up", func() bool { return b.CaughtUp(t, "giftcard-audit") })

		mu.Lock()
		defer mu.Unlock()
		for _, c := range cases {
			var stored int64
			if err := db.Model(&card{}).Where("card_no = ?", c.name).Count(&stored).Error; err != nil {
				t.Fatal(err)
			}
			want := map[bool]int{true: 1}[c.want]
			if delivered[c.name] != want || int(stored) != want {
				t.Errorf("%s: delivered %d times, %d cards stored; want %d of each", c.name, delivered[c.name], stored, want)
			}
		}
		late := g.issue(ctx, txIDs["unknown without the change"], cardIssued{CardNo: "late", Cents: 1})
		if !errors.Is(late, txlog.ErrDecided) {
			t.Errorf("a local commit after the check decided rollback: %v, want txlog.ErrDecided", late)
		}
	})
}

func TestStartRefusesAnIncompleteDeclaration(t *testing.T) {
	_, err := txmsg.Start(context.Background(), mq.Config{NameServer: "127.0.0.1:1"}, txmsg.Event[cardIssued]{Topic: "T"})
	if err == nil {
		t.Fatal("a declaration without group, key and check started")
	}
	_, err = txmsg.Start(context.Background(), mq.Config{NameServer: "127.0.0.1:1"}, txmsg.Event[cardIssued]{
		Topic: "T", Group: "g", Key: func(cardIssued) string { return "" },
		Check:  func(context.Context, string, cardIssued) (bool, error) { return false, nil },
		Faults: faults.New("test", nil),
	})
	if err == nil {
		t.Fatal("a declaration with fault switches but no fault prefix started")
	}
}

// pendingHalves counts the broker's undecided half messages (but the
// producer's warm-up, which is rolled back at once).
func pendingHalves(t *testing.T, b *mqtest.Broker) int {
	t.Helper()
	resp, err := http.Get(b.AdminURL + "/api/v1/transactions")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Transactions []struct{ State, Keys string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, tx := range out.Transactions {
		if tx.State == "pending" {
			n++
		}
	}
	return n
}
