package minirmq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/rocketmart/rocketmart/services/minirmq/internal/admin"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/broker"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/faults"
	"github.com/rocketmart/rocketmart/services/minirmq/internal/store"
)

// Server is a running minirmq: the remoting listener, the broker, its store
// and, when configured, the admin HTTP listener.
type Server struct {
	cfg      Config
	log      *slog.Logger
	ln       net.Listener
	store    *store.Store
	broker   *broker.Broker
	admin    http.Handler
	adminSrv *http.Server
	adminLn  net.Listener
	lock     *os.File

	closeOnce sync.Once
	closeErr  error
	serveErr  chan error
}

// Start opens the store, recovers the broker state and starts serving.
func Start(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("minirmq: invalid configuration: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, log: log, serveErr: make(chan error, 2)}
	if err := s.start(); err != nil {
		s.shutdown()
		return nil, err
	}
	return s, nil
}

func (s *Server) start() error {
	cfg := s.cfg
	storeDir, statePath := "", ""
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return fmt.Errorf("minirmq: data directory: %w", err)
		}
		lock, err := lockDir(cfg.DataDir)
		if err != nil {
			return err
		}
		s.lock = lock
		storeDir, statePath = filepath.Join(cfg.DataDir, "store"), filepath.Join(cfg.DataDir, "broker-state.json")
	}
	st, err := store.Open(store.Options{
		Dir: storeDir, SegmentBytes: cfg.SegmentBytes, Fsync: cfg.Fsync, FlushInterval: cfg.FlushInterval,
		RetainBytes: cfg.RetainBytes, RetainAge: cfg.RetainAge, Logger: s.log.With("component", "store"),
	})
	if err != nil {
		return fmt.Errorf("minirmq: open store: %w", err)
	}
	s.store = st
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("minirmq: listen on %s (is another broker running?): %w", cfg.ListenAddr, err)
	}
	s.ln = ln
	advertise, err := cfg.resolveAdvertise(ln.Addr())
	if err != nil {
		return fmt.Errorf("minirmq: %w", err)
	}
	// Validate parsed them already; faults live in memory only.
	armAtStart, _ := faults.ParseList(cfg.Faults)
	fs := faults.New(s.log.With("component", "faults"))
	for _, spec := range armAtStart {
		fs.Arm(spec, "start-up configuration")
	}
	s.broker, err = broker.New(broker.Options{
		Advertise: advertise, ClusterName: cfg.ClusterName, BrokerName: cfg.BrokerName,
		DefaultQueues: cfg.DefaultQueues, TxCheckAfter: cfg.TxCheckAfter, TxCheckInterval: cfg.TxCheckInterval,
		TxCheckMax: cfg.TxCheckMax, DelayLevels: cfg.DelayLevels, MaxFrameBytes: cfg.MaxFrameBytes,
		MaxMessageBytes: cfg.MaxMessageBytes, StatePath: statePath, Faults: fs, Logger: s.log.With("component", "broker"),
	}, st)
	if err != nil {
		return fmt.Errorf("minirmq: %w", err)
	}
	s.admin = admin.Handler(s.broker, cfg.AdminToken, s.log.With("component", "admin"))
	if cfg.AdminAddr != "" {
		s.adminLn, err = net.Listen("tcp", cfg.AdminAddr)
		if err != nil {
			return fmt.Errorf("minirmq: admin listen on %s: %w", cfg.AdminAddr, err)
		}
		s.adminSrv = &http.Server{Handler: s.admin, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := s.adminSrv.Serve(s.adminLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.serveErr <- fmt.Errorf("admin server: %w", err)
			}
		}()
	}
	go func() {
		if err := s.broker.Serve(ln); err != nil {
			s.serveErr <- err
		}
	}()
	s.log.Info("minirmq started", "listen", ln.Addr().String(), "advertise", advertise.String(),
		"admin", s.AdminAddr(), "data", cfg.DataDir, "fsync", cfg.Fsync)
	return nil
}

// lockDir takes an exclusive lock so two brokers never share a data directory.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("minirmq: lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("minirmq: data directory %s is in use by another minirmq: %w", dir, err)
	}
	return f, nil
}

// Addr is the name-server (and broker) address to give clients.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// AdminAddr is the admin listener's address, or "" without one.
func (s *Server) AdminAddr() string {
	if s.adminLn == nil {
		return ""
	}
	return s.adminLn.Addr().String()
}

// AdminHandler is the admin HTTP API, for embedding or httptest.
func (s *Server) AdminHandler() http.Handler { return s.admin }

// Err delivers a listener's fatal serving error (at most one per listener);
// the program should Close and exit when one arrives.
func (s *Server) Err() <-chan error { return s.serveErr }

// Close stops serving, snapshots the broker state and closes the store.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.shutdown() })
	return s.closeErr
}

func (s *Server) shutdown() error {
	var errs []error
	if s.adminSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, s.adminSrv.Shutdown(ctx))
		cancel()
	}
	if s.broker != nil {
		errs = append(errs, s.broker.Close())
	} else if s.ln != nil {
		s.ln.Close()
	}
	if s.store != nil {
		errs = append(errs, s.store.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
	}
	return errors.Join(errs...)
}
