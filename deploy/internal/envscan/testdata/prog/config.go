package main

import (
	"os"
	"time"
)

func loadConfig(getenv func(string) string, fallback string) {
	get := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	dur := func(name, def string) time.Duration {
		d, _ := time.ParseDuration(get(name, def))
		return d
	}
	_ = get("A_ADDR", ":8081")
	_ = get("A_DB", "sqlite:data/a.db")
	_ = get("A_URL", "http://127.0.0.1:8083")
	_ = get("B_URL", "https://localhost/api")
	_ = get("NS", "10.0.0.1:9876;127.0.0.1:9876")
	_ = get("REMOTE_NS", "ns-0.ns:9876;ns-1.ns:9876")
	_ = get("EMPTY", "")
	_ = get("TOKEN", "rocketmart-admin")
	_ = get("COMPUTED", fallback)
	_ = get("A_ADDR", ":9999") // the first read wins
	_ = dur("A_TIMEOUT", "15m")
	_ = getenv("RAW")
}

func other() {
	_ = os.Getenv("OSVAR")
	_ = lookup("VIA_FUNC")
	_ = notAGetter("NOT_READ", "x")
}

func withReader(getenv func(string) string) {
	env := envconf.New(getenv)
	_ = env.ListenAddr("R_ADDR", ":8086")
	_ = env.Checked("R_DB", "sqlite:data/r.db", nil)
	_ = env.Err()
	notReader := other
	_ = notReader.Get("NOT_A_READER", "x")
}

func lookup(name string) string { return os.Getenv(name) }

func notAGetter(label, value string) string { return os.Getenv(value) + label }
